"""The chat controller records every outcome of a turn and keeps the conversation valid."""

from __future__ import annotations

import itertools

import pytest

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.core.events import TextDelta
from claude_tui.errors import StreamBrokenError, UsageError
from tests.api_double import ApiDouble, Reply


def _chat(api: ApiDouble) -> Chat:
    client = ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )
    ticks = itertools.count()
    return Chat(client, ChatSettings("claude-sonnet-5-5", 1000), clock=lambda: float(next(ticks)))


def test_complete_turn_records_answer_and_timings(api: ApiDouble) -> None:
    """A finished answer is stored complete with its stop reason and first-token time."""
    api.script(Reply(text="All done.", output_tokens=4))
    chat = _chat(api)
    turn = chat.send("hi")
    list(turn)
    assert turn.result is not None
    assert turn.result.status == "complete" and turn.result.first_token_s is not None
    answer = chat.conversation.last_answer()
    assert answer is not None and answer.text == "All done." and answer.stop_reason == "end_turn"


def test_closing_a_turn_keeps_the_partial_answer_as_interrupted(api: ApiDouble) -> None:
    """Closing mid-answer (what Ctrl-C does) records what arrived, marked interrupted."""
    api.script(Reply(text="one two three four five six", chunk=4, delay=0.01))
    chat = _chat(api)
    turn = chat.send("count")
    for event in turn:
        if isinstance(event, TextDelta):
            break
    turn.close()
    assert turn.result is not None and turn.result.status == "interrupted"
    answer = chat.conversation.last_answer()
    assert answer is not None and answer.status == "interrupted"
    assert answer.text == "one "


def test_failure_before_any_content_adds_no_answer(api: ApiDouble) -> None:
    """An error before the first token leaves the question unanswered, not a blank answer."""
    api.script(Reply(status=400, error_message="bad thing"))
    chat = _chat(api)
    turn = chat.send("q")
    with pytest.raises(Exception, match="bad thing"):
        list(turn)
    assert turn.result is not None and turn.result.status == "error"
    assert [m.role for m in chat.conversation.messages] == ["user"]


def test_broken_stream_keeps_partial_and_raises(api: ApiDouble) -> None:
    """A dropped connection mid-answer raises after recording the partial answer."""
    api.script(Reply(text="abcdefghijkl", fault="drop", fault_after=2))
    chat = _chat(api)
    turn = chat.send("q")
    with pytest.raises(StreamBrokenError):
        list(turn)
    answer = chat.conversation.last_answer()
    assert answer is not None and answer.text == "abcdefgh" and answer.status == "interrupted"


def test_retry_replaces_the_last_answer(api: ApiDouble) -> None:
    """/retry resends the same question and the old answer is gone."""
    api.script(Reply(text="old"), Reply(text="new"))
    chat = _chat(api)
    list(chat.send("q"))
    list(chat.retry())
    assert [m.text for m in chat.conversation.messages] == ["q", "new"]


def test_retry_with_nothing_sent_is_a_usage_error(api: ApiDouble) -> None:
    """Retrying an empty conversation says so instead of sending anything."""
    with pytest.raises(UsageError):
        _chat(api).retry()
    assert api.requests == []


def test_context_estimate_follows_the_conversation(api: ApiDouble) -> None:
    """The toolbar's token estimate grows with each exchange and drops after /undo."""
    chat = _chat(api)
    empty = chat.context_tokens()
    list(chat.send("a question of some length"))
    after = chat.context_tokens()
    assert after > empty
    chat.undo()
    assert chat.context_tokens() == empty
