"""The dim line under each answer: what it took, in tokens, money and time."""

from __future__ import annotations

from rich.text import Text

from claude_tui.app import TurnResult
from claude_tui.core.events import Usage
from claude_tui.core.inert import inert
from claude_tui.core.usage import UsageRecord, format_usd


def footer(result: TurnResult) -> Text:
    """Tokens in and out, time to first token and output speed, all dimmed."""
    parts = [result.model]
    usage = _usage(result)
    if usage is not None:
        parts.append(f"{usage.total_input:,} in")
        parts.append(f"{usage.output_tokens:,} out")
        if usage.cache_read:
            parts.append(f"{usage.cache_read:,} cache read")
        if usage.cache_write_5m or usage.cache_write_1h:
            parts.append(f"{usage.cache_write_5m + usage.cache_write_1h:,} cache write")
        searches = usage.web_search_requests
        if searches:
            parts.append(f"{searches:,} search{'es' if searches != 1 else ''}")
        if usage.web_fetch_requests:
            parts.append(f"{usage.web_fetch_requests:,} fetched")
    if result.record is not None:
        parts.append(_cost(result.record))
    if result.first_token_s is not None:
        parts.append(f"first token {result.first_token_s:.2f} s")
        speed = _speed(result, usage)
        if speed is not None:
            parts.append(f"{speed:.1f} tok/s")
    if result.stop and result.stop.stop_reason not in (None, "end_turn", "stop_sequence"):
        parts.append(f"stopped: {result.stop.stop_reason}")
    return Text(inert(" · ".join(parts)), style="dim")  # the model id comes from the server


def _cost(record: UsageRecord) -> str:
    """The turn's cost; estimated counts say so, and an unpriced model is never $0."""
    if record.charge.cost is None:
        return f"cost unknown (no price for {record.model})"
    marker = " (estimated)" if record.estimated else ""
    return format_usd(record.charge.cost) + marker


def _usage(result: TurnResult) -> Usage | None:
    """The billed figures when the call was metered, else whatever the stream reported."""
    if result.record is not None:
        return result.record.usage
    if result.stop is not None:
        return result.stop.usage
    return result.start.usage if result.start is not None else None


def _speed(result: TurnResult, usage: Usage | None) -> float | None:
    if usage is None or result.first_token_s is None or result.stop is None:
        return None
    streaming = result.duration_s - result.first_token_s
    return usage.output_tokens / streaming if streaming > 0 else None
