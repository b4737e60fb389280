"""The project's own stream events.

The API layer turns the SDK's stream into these small frozen dataclasses so the
renderer, the conversation and the tests all consume one plain iterator and
nothing above ``api`` ever sees an SDK type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claude_tui.core.ratelimits import Headroom


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the API reports them; ``input_tokens`` excludes cache traffic."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    cache_read: int = 0
    web_search_requests: int = 0
    web_fetch_requests: int = 0

    @property
    def total_input(self) -> int:
        """Every prompt token, since ``input_tokens`` counts only those after the cache."""
        return self.input_tokens + self.cache_write_5m + self.cache_write_1h + self.cache_read


@dataclass(frozen=True, slots=True)
class MessageStart:
    """The request was accepted: the model and the input side of usage are known."""

    model: str
    request_id: str | None
    usage: Usage


@dataclass(frozen=True, slots=True)
class BlockStart:
    """A content block opened; ``block`` is its initial JSON as the API sent it."""

    index: int
    block: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of answer text."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class ThinkingDelta:
    """A piece of the model's visible reasoning."""

    index: int
    thinking: str


@dataclass(frozen=True, slots=True)
class SignatureDelta:
    """The signature that must accompany a thinking block when it is sent back."""

    index: int
    signature: str


@dataclass(frozen=True, slots=True)
class InputJsonDelta:
    """A piece of a server tool call's input, as JSON text."""

    index: int
    partial_json: str


@dataclass(frozen=True, slots=True)
class CitationDelta:
    """A source the text block at ``index`` cites, as the API's JSON."""

    index: int
    citation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BlockStop:
    """A content block is complete."""

    index: int


@dataclass(frozen=True, slots=True)
class Stop:
    """The message finished; ``usage`` is the final, cumulative count."""

    stop_reason: str | None
    usage: Usage


@dataclass(frozen=True, slots=True)
class Retrying:
    """The API turned the request away for now; it is sent again after ``wait_s`` seconds.

    Only ever comes before :class:`MessageStart`: an answer that has begun is
    never sent twice. It carries no content, so a person can be told why
    nothing is arriving yet.
    """

    wait_s: float
    reason: str
    attempt: int
    attempts: int


@dataclass(frozen=True, slots=True)
class HeadroomSeen:
    """The rate-limit allowances the response's headers reported; comes before MessageStart."""

    headroom: Headroom


@dataclass(frozen=True, slots=True)
class Waiting:
    """The request waits for a rate limit to reset rather than collect a 429.

    Sent about once a second with the seconds ``left`` of ``total``; Ctrl-C cancels.
    """

    left_s: float
    total_s: float
    why: str


StreamEvent = (
    Retrying
    | Waiting
    | HeadroomSeen
    | MessageStart
    | BlockStart
    | TextDelta
    | ThinkingDelta
    | SignatureDelta
    | InputJsonDelta
    | CitationDelta
    | BlockStop
    | Stop
)
