"""What the app asks of the API, as plain data the API layer turns into a call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claude_tui.core.web import WebSettings


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One Messages API call; ``thinking`` is "off", "adaptive" or a token budget.

    ``cache_ttl`` ("5m" or "1h") asks for automatic prompt caching, so each turn reads
    the growing conversation prefix at the cache price instead of paying full input
    price again; None sends no cache marker. ``thinking_display`` and ``effort`` are
    sent only when set, for models that refuse them.
    """

    model: str
    max_tokens: int
    messages: list[dict[str, Any]]
    system: str | None = None
    temperature: float | None = None
    thinking: str | int = "off"
    thinking_display: str | None = None
    effort: str | None = None
    cache_ttl: str | None = "5m"
    web: WebSettings | None = None  # the server tools to offer; None: no web
