"""SDK stream events in, the project's own events out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from claude_tui.core.events import (
    BlockStart,
    BlockStop,
    CitationDelta,
    InputJsonDelta,
    MessageStart,
    SignatureDelta,
    Stop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    Usage,
)
from claude_tui.errors import StreamBrokenError


def usage_from_sdk(usage: Any, previous: Usage | None = None) -> Usage:
    """Read SDK usage; fields a ``message_delta`` leaves out keep their earlier value."""
    base = previous or Usage()
    cache = getattr(usage, "cache_creation", None)
    if cache is not None:
        write_5m = cache.ephemeral_5m_input_tokens or 0
        write_1h = cache.ephemeral_1h_input_tokens or 0
    elif _breakdown_still_fits(usage, base):
        write_5m, write_1h = base.cache_write_5m, base.cache_write_1h
    elif getattr(usage, "cache_creation_input_tokens", None) is not None:
        write_5m, write_1h = usage.cache_creation_input_tokens, 0
    else:
        write_5m, write_1h = base.cache_write_5m, base.cache_write_1h
    tools = getattr(usage, "server_tool_use", None)
    return Usage(
        input_tokens=_or(usage.input_tokens, base.input_tokens),
        output_tokens=_or(usage.output_tokens, base.output_tokens),
        cache_write_5m=write_5m,
        cache_write_1h=write_1h,
        cache_read=_or(getattr(usage, "cache_read_input_tokens", None), base.cache_read),
        web_search_requests=_or(
            getattr(tools, "web_search_requests", None), base.web_search_requests
        ),
        web_fetch_requests=_or(getattr(tools, "web_fetch_requests", None), base.web_fetch_requests),
    )


def _breakdown_still_fits(usage: Any, base: Usage) -> bool:
    """A ``message_delta`` repeats the cache-write total without its 5m/1h split."""
    total = getattr(usage, "cache_creation_input_tokens", None)
    return total is None or total == base.cache_write_5m + base.cache_write_1h


def _or(value: int | None, fallback: int) -> int:
    return fallback if value is None else value


def events_from_sdk(raw: Iterable[Any], request_id: str | None) -> Iterator[StreamEvent]:
    """Translate raw SSE events; a body that ends without ``message_stop`` is an error."""
    usage = Usage()
    stop_reason: str | None = None
    for event in raw:
        kind = event.type
        if kind == "message_start":
            usage = usage_from_sdk(event.message.usage)
            yield MessageStart(event.message.model, request_id, usage)
        elif kind == "content_block_start":
            block = event.content_block.to_dict(mode="json", exclude_none=True)
            yield BlockStart(event.index, block)
        elif kind == "content_block_delta":
            delta = _delta(event.index, event.delta)
            if delta is not None:
                yield delta
        elif kind == "content_block_stop":
            yield BlockStop(event.index)
        elif kind == "message_delta":
            usage = usage_from_sdk(event.usage, usage)
            stop_reason = event.delta.stop_reason
        elif kind == "message_stop":
            yield Stop(stop_reason, usage)
            return
    raise StreamBrokenError(
        "the answer ended before it was complete",
        "; the partial answer is kept, /retry to ask again",
    )


def _delta(index: int, delta: Any) -> StreamEvent | None:
    if delta.type == "text_delta":
        return TextDelta(index, delta.text)
    if delta.type == "thinking_delta":
        return ThinkingDelta(index, delta.thinking)
    if delta.type == "signature_delta":
        return SignatureDelta(index, delta.signature)
    if delta.type == "input_json_delta":
        return InputJsonDelta(index, delta.partial_json)
    if delta.type == "citations_delta":
        return CitationDelta(index, delta.citation.to_dict(mode="json", exclude_none=True))
    return None
