"""How much of a conversation fits the model's context window, decided in linear time.

Each message is counted once and the count kept, so fitting a long conversation
before every send costs a sum of cached integers, not a re-tokenisation. When
the history outgrows the window minus the answer's room, the oldest exchanges
stop being sent (they stay on screen and on disk); the last user turn is always
sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from claude_tui.core.conversation import Conversation, Message, attachments_of
from claude_tui.core.tokens import Calibration, TextCounter

DEFAULT_WINDOW = 200_000
# Role markers and block framing the API adds around each message's text.
MESSAGE_OVERHEAD = 4


@dataclass(frozen=True, slots=True)
class Fit:
    """The outcome of fitting: where sending starts, and how many exchanges that leaves out."""

    start: int
    dropped: int


class ContextBudget:
    """Token counts per message, cached, calibrated against what the API reports."""

    def __init__(self, count: TextCounter, calibration: Calibration | None = None) -> None:
        self._count = count
        self.calibration = calibration or Calibration()
        self._cache: dict[int, tuple[Message, int]] = {}
        # The last total and what it was for: the toolbar asks on every keypress.
        self._total_for: tuple[object, ...] | None = None
        self._total_last: Message | None = None
        self._total = 0

    def recount_with(self, count: TextCounter) -> None:
        """Use another counter (the tokenizer loaded); old counts and the ratio no longer apply."""
        self._count = count
        self._cache.clear()
        self._total_for = None
        self.calibration = Calibration()

    def message_tokens(self, message: Message) -> int:
        """Raw (uncalibrated) tokens of one message's text.

        Thinking is left out: the API drops earlier turns' thinking from the context
        and does not count it as input.
        """
        cached = self._cache.get(id(message))
        if cached is not None and cached[0] is message:
            return cached[1]
        text = "".join(b.get("text", "") for b in message.content if b.get("type") == "text")
        files = sum(a.tokens for a in attachments_of(message))
        tokens = self._count(text) + files + MESSAGE_OVERHEAD
        self._cache[id(message)] = (message, tokens)
        return tokens

    def raw_tokens(self, conversation: Conversation) -> int:
        """Uncalibrated tokens of what the next request would send, kept until that changes.

        The last message is compared by identity (and held, so its id is not reused):
        /retry replaces it without changing the count of messages.
        """
        messages = conversation.messages
        shape = (id(conversation), len(messages), conversation.start)
        shape += (conversation.system, conversation.summary)
        last = messages[-1] if messages else None
        if shape != self._total_for or last is not self._total_last:
            self._forget_all_but(messages)
            total = self._count(conversation.system or "") + self._count(conversation.summary or "")
            total += sum(self.message_tokens(m) for m in conversation.sent())
            self._total_for, self._total_last, self._total = shape, last, total
        return self._total

    def __len__(self) -> int:
        """How many messages have a count kept."""
        return len(self._cache)

    def _forget_all_but(self, messages: list[Message]) -> None:
        """Drop counts of messages no longer in the conversation (/undo, /retry, /clear).

        Each entry holds its message, so without this a long chat would keep every
        answer it ever replaced alive for as long as it runs.
        """
        if len(self._cache) > len(messages):
            keep = {id(m) for m in messages}
            self._cache = {key: entry for key, entry in self._cache.items() if key in keep}

    def tokens(self, conversation: Conversation) -> int:
        """Calibrated tokens of the next request's history."""
        return self.calibration.apply(self.raw_tokens(conversation))

    def fit(self, conversation: Conversation, limit: int) -> Fit:
        """Where sending must start so the history fits ``limit``; never past the last user turn."""
        messages = conversation.messages
        start = conversation.start
        raw = self.raw_tokens(conversation)
        last_user = conversation.last_user_index()
        last_user = len(messages) if last_user is None else last_user
        dropped = 0
        full = self.calibration.apply(raw) > limit
        sent = {id(m) for m in conversation.sent()} if full else set()
        while self.calibration.apply(raw) > limit:
            following = _next_user(messages, start + 1, last_user)
            if following is None:
                break
            left_out = (m for m in messages[start:following] if id(m) in sent)
            raw -= sum(self.message_tokens(m) for m in left_out)
            start, dropped = following, dropped + 1
        return Fit(start, dropped)


def _next_user(messages: list[Message], begin: int, last_user: int) -> int | None:
    """The next exchange's first message, if it is not beyond the final user turn."""
    for index in range(begin, last_user + 1):
        if messages[index].role == "user":
            return index
    return None
