"""What the app asks of the API, as plain data the API layer turns into a call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One Messages API call; ``thinking`` is "off", "adaptive" or a token budget.

    ``cache`` asks for automatic prompt caching, so each turn reads the growing
    conversation prefix at the cache price instead of paying full input price again.
    """

    model: str
    max_tokens: int
    messages: list[dict[str, Any]]
    system: str | None = None
    temperature: float | None = None
    thinking: str | int = "off"
    cache: bool = True


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model the key may use, as listed by GET /v1/models."""

    id: str
    display_name: str
    max_input_tokens: int | None = None
