"""The chat controller: one place that turns a send into a recorded exchange.

Whatever happens to a request (success, an error before the first token, a
broken stream, Ctrl-C), the conversation ends up valid and holds everything
that arrived, because the bookkeeping lives in one ``finally``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from typing import Protocol

from claude_tui.core.conversation import AnswerBuilder, Conversation, Message, Status
from claude_tui.core.events import MessageStart, Stop, StreamEvent, TextDelta, ThinkingDelta
from claude_tui.core.request import ChatRequest, ModelInfo
from claude_tui.core.tokens import estimate_conversation
from claude_tui.errors import ClaudeTuiError, UsageError


class StreamingApi(Protocol):
    """What the chat needs from the API layer; tests may pass the real client."""

    def stream(self, request: ChatRequest) -> Iterator[StreamEvent]: ...

    def models(self) -> list[ModelInfo]: ...


@dataclass(frozen=True)
class ChatSettings:
    """The per-request knobs a person can change from the REPL."""

    model: str
    max_tokens: int
    temperature: float | None = None
    thinking: str | int = "off"


@dataclass(frozen=True)
class TurnResult:
    """How one exchange ended, for the footer and for later issues' ledger."""

    status: Status
    model: str
    start: MessageStart | None
    stop: Stop | None
    first_token_s: float | None
    duration_s: float
    error: ClaudeTuiError | None = None


class Turn:
    """One answer in flight: iterate it for events; closing it interrupts the answer."""

    def __init__(self, chat: Chat, request: ChatRequest, clock: Callable[[], float]) -> None:
        self._chat = chat
        self._request = request
        self._clock = clock
        self._builder = AnswerBuilder()
        self._first: float | None = None
        self._start: MessageStart | None = None
        self._stop: Stop | None = None
        self.result: TurnResult | None = None
        self._events = self._run()

    def __iter__(self) -> Iterator[StreamEvent]:
        return self._events

    def close(self) -> None:
        """Stop the answer: the HTTP stream is closed and the partial answer recorded."""
        self._events.close()

    def _run(self) -> Iterator[StreamEvent]:
        begun = self._clock()
        status: Status = "interrupted"
        error: ClaudeTuiError | None = None
        try:
            with closing(self._chat.api.stream(self._request)) as events:
                for event in events:
                    self._observe(event, begun)
                    yield event
            status = "complete"
        except ClaudeTuiError as exc:
            error = exc
            raise
        finally:
            self._record(status, error, self._clock() - begun)

    def _observe(self, event: StreamEvent, begun: float) -> None:
        self._builder.apply(event)
        if self._first is None and isinstance(event, TextDelta | ThinkingDelta):
            self._first = self._clock() - begun
        if isinstance(event, MessageStart):
            self._start = event
        elif isinstance(event, Stop):
            self._stop = event

    def _record(self, status: Status, error: ClaudeTuiError | None, duration: float) -> None:
        """Add whatever arrived to the conversation; an answer with no content adds nothing."""
        blocks = self._builder.blocks
        if error is not None and not blocks:
            status = "error"
        model = self._start.model if self._start else self._request.model
        if blocks:
            stop_reason = self._stop.stop_reason if self._stop else None
            message = Message("assistant", blocks, status, model, stop_reason)
            self._chat.conversation.add_assistant(message)
        self.result = TurnResult(
            status, model, self._start, self._stop, self._first, duration, error
        )


class Chat:
    """A conversation plus the settings and API client that continue it."""

    def __init__(
        self,
        api: StreamingApi,
        settings: ChatSettings,
        conversation: Conversation | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.settings = settings
        self.conversation = conversation or Conversation()
        self._clock = clock

    def send(self, text: str) -> Turn:
        """Record the person's message and start the answer."""
        self.conversation.add_user(text)
        return self._turn()

    def retry(self) -> Turn:
        """Resend the last user message, replacing whatever answered it."""
        text = self.conversation.last_user_text()
        if text is None:
            raise UsageError("nothing to retry yet")
        self.conversation.pop_exchange()
        return self.send(text)

    def undo(self) -> bool:
        """Forget the last exchange; False when the conversation is empty."""
        return self.conversation.pop_exchange()

    def clear(self) -> None:
        """Start a new conversation, keeping the system prompt."""
        self.conversation = Conversation(system=self.conversation.system)

    def switch_model(self, model: str) -> None:
        """Use another model from the next request on."""
        self.settings = replace(self.settings, model=model)

    def context_tokens(self) -> int:
        """Roughly how many tokens the next request's history will take."""
        return estimate_conversation(self.conversation)

    def _turn(self) -> Turn:
        request = ChatRequest(
            model=self.settings.model,
            max_tokens=self.settings.max_tokens,
            messages=self.conversation.for_api(),
            system=self.conversation.system,
            temperature=self.settings.temperature,
            thinking=self.settings.thinking,
        )
        return Turn(self, request, self._clock)
