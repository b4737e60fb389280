"""The context budget: counted once, trimmed by whole exchanges, compacted into a summary."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.app.compact import compact
from claude_tui.app.meter import Meter
from claude_tui.app.recorder import SessionRecorder
from claude_tui.app.wiring import price_table
from claude_tui.config import Config
from claude_tui.core.context import MESSAGE_OVERHEAD, ContextBudget
from claude_tui.core.conversation import SUMMARY_HEADING, Conversation, Message
from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge
from claude_tui.core.tokens import estimate_text
from claude_tui.core.usage import UsageRecord
from claude_tui.errors import ClaudeTuiError, UsageError
from claude_tui.store import Store
from tests.api_double import ApiDouble, Reply
from tests.sinks import Collected
from tests.terminal import Terminal
from tests.test_repl import READY


def _conversation(exchanges: int, size: int = 40) -> Conversation:
    conversation = Conversation()
    for n in range(exchanges):
        conversation.add_user(f"q{n} " + "x" * size)
        conversation.add_assistant(Message("assistant", [{"type": "text", "text": "a" * size}]))
    return conversation


def test_fit_drops_whole_oldest_exchanges_until_it_fits() -> None:
    """Each drop removes a user turn and its answer, so what is sent still alternates."""
    conversation = _conversation(5, size=96)  # 25 tokens + overhead per message
    conversation.add_user("last")
    budget = ContextBudget(lambda text: len(text) // 4)
    per_exchange = 2 * (24 + MESSAGE_OVERHEAD) + 1  # "qN " adds a few characters
    fit = budget.fit(conversation, limit=2 * per_exchange + 10)
    assert fit.dropped == 3 and fit.start == 6
    conversation.start = fit.start
    assert [m["role"] for m in conversation.for_api()] == ["user", "assistant"] * 2 + ["user"]


def test_fit_never_drops_the_final_user_turn() -> None:
    """A window too small for even the last message still sends the last message."""
    conversation = _conversation(2)
    conversation.add_user("y" * 4000)
    fit = ContextBudget(len).fit(conversation, limit=10)
    assert fit.start == 4 and fit.dropped == 2


def test_each_message_is_counted_once_however_often_the_budget_is_asked() -> None:
    """Counts are cached, so the toolbar's every-keypress estimate re-tokenises nothing."""
    counted: list[str] = []

    def count(text: str) -> int:
        counted.append(text)
        return len(text)

    conversation = _conversation(50)
    conversation.system = "a system prompt"
    budget = ContextBudget(count)
    for _ in range(10):
        budget.fit(conversation, limit=10**9)
        budget.tokens(conversation)
    assert len(counted) == 102  # the system prompt, the empty summary, 100 messages: once each
    conversation.add_user("one more")
    budget.tokens(conversation)
    assert counted[102:] == ["a system prompt", "", "one more"]


def test_counts_are_kept_only_for_the_live_conversation() -> None:
    """After /undo, /retry or /clear the counts of messages gone are dropped, not hoarded."""
    budget = ContextBudget(len)
    for _ in range(20):
        conversation = _conversation(30)
        budget.tokens(conversation)
        conversation.pop_exchange()
        budget.tokens(conversation)
        assert len(budget) == len(conversation.messages)


def test_calibration_scales_estimates_toward_the_apis_counts() -> None:
    """After the API reports twice our estimate, estimates double."""
    budget = ContextBudget(len)
    budget.calibration.observe(1000, 2000)
    conversation = _conversation(1, size=100)
    assert budget.tokens(conversation) == 2 * budget.raw_tokens(conversation)


def test_the_summary_rides_on_the_first_user_turn_sent() -> None:
    """Compacted history is replaced by a summary block; roles still alternate."""
    conversation = _conversation(3)
    conversation.start, conversation.summary = 4, "we talked about x"
    payload = conversation.for_api()
    assert [m["role"] for m in payload] == ["user", "assistant"]
    first = payload[0]["content"]
    assert first[0]["text"] == f"{SUMMARY_HEADING}\n\nwe talked about x"
    assert first[1]["text"].startswith("q2 ")


def _chat(api: ApiDouble, max_tokens: int = 1000, store: Store | None = None) -> Chat:
    client = ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )
    ticks = itertools.count()
    recorder = SessionRecorder(store) if store else None
    return Chat(
        client,
        ChatSettings("claude-sonnet-5-5", max_tokens),
        clock=lambda: float(next(ticks)),
        recorder=recorder,
    )


def test_a_full_window_sends_only_recent_exchanges_with_a_notice(api: ApiDouble) -> None:
    """When history exceeds window minus the answer's room, the oldest exchanges are left out."""
    api.models[1]["max_input_tokens"] = 1120  # the model's window, as the list gives it
    chat = _chat(api, max_tokens=1000)  # leaves 120 tokens for the history
    for n in range(4):
        api.script(Reply(text="b" * 200, input_tokens=0))  # 0: no calibration sample
        list(chat.send(f"question {n} " + "z" * 160))
    sent = api.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user"]
    assert sent[0]["content"][0]["text"].startswith("question 3")
    assert any("no longer sent" in n for n in chat.take_notices())
    assert len(chat.conversation.messages) == 8


def test_compact_sends_a_summary_instead_of_older_turns(api: ApiDouble, tmp_path: Path) -> None:
    """/compact asks for a summary, bills it, and later requests carry it in place of history."""
    store = Store.open(tmp_path / "db.sqlite3")
    chat = _chat(api, store=store)
    records = Collected()
    chat.meter = Meter(price_table(Config()), records, len)
    for n in range(3):
        list(chat.send(f"topic {n}"))
    api.script(Reply(text="- talked about topics 0 and 1", input_tokens=50))
    done = compact(chat, "keep the numbers")
    summary_request = api.requests[-1].body["messages"]
    assert summary_request[-1]["content"][0]["text"].endswith("keep the numbers")
    assert [m["role"] for m in summary_request] == ["user", "assistant"] * 2 + ["user"]
    assert done.messages == 4 and records[-1].kind == "compact"
    assert records.begun[-1].kind == "compact" and records.begun[-1].key == records[-1].key
    list(chat.send("next"))
    sent = api.requests[-1].body["messages"]
    assert sent[0]["content"][0]["text"].endswith("- talked about topics 0 and 1")
    assert len(sent) == 3
    session = store.load(chat.recorder.session_id)  # type: ignore[union-attr]
    assert len(session.messages) == 8 and session.start == 4
    assert session.summary == "- talked about topics 0 and 1"


def test_context_command_reads_the_window_from_the_models_list(
    terminal: Terminal, api: ApiDouble
) -> None:
    """/context shows the model's window as GET /v1/models lists it, minus an answer's room."""
    terminal.wait_for(READY)
    terminal.type("/context")
    terminal.press("enter")
    terminal.wait_for("of 983,616 tokens")  # 1,000,000 - 16,384
    terminal.wait_for("window 1,000,000 for claude-sonnet-5-5")


def test_context_is_counted_by_the_api_once_there_is_a_history(
    terminal: Terminal, api: ApiDouble
) -> None:
    """After an exchange, /context shows the count_tokens figure, and says so."""
    terminal.wait_for(READY)
    terminal.type("hello there")
    terminal.press("enter")
    terminal.wait_for("You said: hello there")
    terminal.type("/context")
    terminal.press("enter")
    terminal.wait_for("counted by the API (count_tokens) for the next request")
    counted = [r for r in api.requests if r.path == "/v1/messages/count_tokens"]
    assert len(counted) == 1 and counted[0].body["messages"][-1]["role"] == "user"


def test_past_half_the_window_the_apis_count_decides_what_is_sent(api: ApiDouble) -> None:
    """Estimates say the history fits; the API counts twice as many tokens, so the oldest go."""
    api.models[1]["max_input_tokens"] = 1000 + 400  # a 400-token history limit
    api.count_scale = 2.0
    chat = _chat(api, max_tokens=1000)
    for n in range(3):
        api.script(Reply(text="b" * 160, input_tokens=0))  # 0: no calibration from usage
        list(chat.send(f"question {n} " + "z" * 160))
    assert any(r.path == "/v1/messages/count_tokens" for r in api.requests)
    sent = api.requests[-1].body["messages"]
    assert len(sent) < 5 and sent[-1]["content"][0]["text"].startswith("question 2")
    assert chat.budget.calibration.ratio > 1.5


def test_context_loads_the_tokenizer_on_demand_with_no_network(
    terminal: Terminal, api: ApiDouble
) -> None:
    """/context wants exact counts: the cl100k table loads in the background, offline."""
    terminal.wait_for(READY)
    marker = b"to match the API's counts"
    deadline = time.monotonic() + 120  # a generous bound on a busy machine, not a timing
    asked = 0
    while time.monotonic() < deadline:
        asked += 1
        terminal.type("/context")
        terminal.press("enter")
        terminal.wait_for(lambda _, asked=asked: terminal.raw.count(marker) >= asked)
        if b"offline with the cl100k table" in terminal.raw:
            assert b"offline with about 4 characters a token" in terminal.raw  # at first
            return
        time.sleep(0.2)
    raise AssertionError("the tokenizer never became ready")


def test_undo_into_the_summarised_part_sends_it_in_full_again(
    api: ApiDouble, tmp_path: Path
) -> None:
    """Undoing past a summary drops the summary, and a resumed session sends what memory does."""
    store = Store.open(tmp_path / "db.sqlite3")
    chat = _chat(api, store=store)
    for n in range(3):
        list(chat.send(f"topic {n}"))
    api.script(Reply(text="summary of 0 and 1"))
    compact(chat)
    chat.undo()
    chat.undo()
    assert (chat.conversation.start, chat.conversation.summary) == (0, None)
    list(chat.send("again"))
    sent = api.requests[-1].body["messages"]
    assert [m["content"][0]["text"] for m in sent if m["role"] == "user"] == ["topic 0", "again"]
    resumed = store.load(chat.recorder.session_id)  # type: ignore[union-attr]
    assert resumed.for_api() == chat.conversation.for_api()


def test_compact_refuses_when_nothing_new_was_answered(api: ApiDouble) -> None:
    """A /compact with only a failed question since the last summary keeps that summary."""
    chat = _chat(api)
    for n in range(2):
        list(chat.send(f"topic {n}"))
    api.script(Reply(status=500))
    with pytest.raises(ClaudeTuiError):
        list(chat.send("this one fails"))
    api.script(Reply(text="the first summary"))
    compact(chat)
    list(chat.send("and this one works"))
    with pytest.raises(UsageError, match="nothing new to compact"):
        compact(chat)
    assert chat.conversation.summary == "the first summary"


def test_the_estimate_counts_only_what_the_next_request_sends(api: ApiDouble) -> None:
    """An unanswered message and earlier thinking are not sent, so they are not counted."""
    chat = _chat(api)
    api.script(Reply(status=500), Reply(text="ok", thinking="t" * 4000))
    with pytest.raises(ClaudeTuiError):
        list(chat.send("lost " + "x" * 400))
    list(chat.send("kept"))
    budget = chat.budget
    sent = chat.conversation.sent()
    assert [m.text for m in sent] == ["kept", "ok"]
    assert budget.raw_tokens(chat.conversation) == sum(budget.message_tokens(m) for m in sent)
    assert budget.message_tokens(sent[1]) == MESSAGE_OVERHEAD + 1  # "ok", no thinking


def test_a_resumed_chat_is_calibrated_from_its_ledger(api: ApiDouble, tmp_path: Path) -> None:
    """The toolbar's first estimate after -c uses the ratio the last answer's usage gives."""
    store = Store.open(tmp_path / "db.sqlite3")
    session = store.create_session("claude-sonnet-5-5", None)
    for seq, (role, text) in enumerate([("user", "q " * 200), ("assistant", "a " * 200)]):
        store.save_message(session.id, seq, Message(role, [{"type": "text", "text": text}]))
    estimate = ContextBudget(estimate_text).raw_tokens(
        Conversation(messages=store.load(session.id).messages[:1])
    )
    usage = Usage(input_tokens=3 * estimate)
    record = UsageRecord(
        "k1", 0.0, "2026-12-08", session.id, 1, "m", "r", usage, Charge(None, None)
    )
    assert store.ledger.append(record)
    chat = _chat(api, store=store)
    chat.resume(store.resolve(session.id))
    assert chat.budget.calibration.ratio == pytest.approx(3.0, rel=0.05)
