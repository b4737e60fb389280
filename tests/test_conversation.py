"""The conversation stays a payload the API accepts, whatever happened to each turn."""

from __future__ import annotations

from claude_tui.core.conversation import AnswerBuilder, Conversation, Message, sendable_blocks
from claude_tui.core.events import (
    BlockStart,
    SignatureDelta,
    Stop,
    TextDelta,
    ThinkingDelta,
    Usage,
)


def _answer(text: str, status: str = "complete") -> Message:
    return Message("assistant", [{"type": "text", "text": text}], status)  # type: ignore[arg-type]


def test_for_api_alternates_roles_for_answered_exchanges() -> None:
    """Answered exchanges go out as user/assistant pairs followed by the new question."""
    conversation = Conversation()
    conversation.add_user("hi")
    conversation.add_assistant(_answer("hello"))
    conversation.add_user("again")
    roles = [m["role"] for m in conversation.for_api()]
    assert roles == ["user", "assistant", "user"]


def test_for_api_skips_a_question_whose_answer_never_came() -> None:
    """A failed question followed by a new one never sends two user turns in a row."""
    conversation = Conversation()
    conversation.add_user("failed")
    conversation.add_user("second try")
    payload = conversation.for_api()
    assert payload == [{"role": "user", "content": [{"type": "text", "text": "second try"}]}]


def test_for_api_keeps_an_interrupted_partial_answer() -> None:
    """An interrupted answer with text is sent back so the model sees what it said."""
    conversation = Conversation()
    conversation.add_user("tell me")
    conversation.add_assistant(_answer("partial", "interrupted"))
    conversation.add_user("go on")
    assert conversation.for_api()[1]["content"] == [{"type": "text", "text": "partial"}]


def test_for_api_drops_whitespace_only_answers_with_their_question() -> None:
    """An answer with no usable content is dropped together with its question."""
    conversation = Conversation()
    conversation.add_user("q1")
    conversation.add_assistant(_answer("  ", "interrupted"))
    conversation.add_user("q2")
    assert [m["role"] for m in conversation.for_api()] == ["user"]


def test_sendable_blocks_keeps_signed_thinking_unchanged() -> None:
    """Signed thinking goes back byte for byte; unsigned (cut off) thinking is dropped."""
    signed = {"type": "thinking", "thinking": "hmm", "signature": "sig"}
    unsigned = {"type": "thinking", "thinking": "hm", "signature": ""}
    text = {"type": "text", "text": "answer"}
    assert sendable_blocks([signed, unsigned, text]) == [signed, text]


def test_pop_exchange_drops_question_and_answer() -> None:
    """Undo removes the last question and its answer, and reports when nothing is left."""
    conversation = Conversation()
    conversation.add_user("q")
    conversation.add_assistant(_answer("a"))
    assert conversation.pop_exchange() is True
    assert conversation.messages == []
    assert conversation.pop_exchange() is False


def test_answer_builder_joins_deltas_per_block() -> None:
    """Deltas for thinking, signature and text land in their own blocks, in index order."""
    builder = AnswerBuilder()
    events = [
        BlockStart(0, {"type": "thinking", "thinking": "", "signature": ""}),
        ThinkingDelta(0, "th"),
        ThinkingDelta(0, "ink"),
        SignatureDelta(0, "sig"),
        BlockStart(1, {"type": "text", "text": ""}),
        TextDelta(1, "Hel"),
        TextDelta(1, "lo"),
        Stop("end_turn", Usage()),
    ]
    for event in events:
        builder.apply(event)
    assert builder.blocks == [
        {"type": "thinking", "thinking": "think", "signature": "sig"},
        {"type": "text", "text": "Hello"},
    ]


def test_usage_total_input_counts_cache_traffic() -> None:
    """Total input adds cache writes and reads to the uncached input tokens."""
    usage = Usage(input_tokens=10, cache_write_5m=5, cache_write_1h=7, cache_read=100)
    assert usage.total_input == 122
