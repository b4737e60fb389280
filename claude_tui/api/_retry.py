"""Which refused requests are worth sending again, and how long to wait first.

The SDK could retry on its own, but silently: a person watching a spinner for a
minute deserves to know it is a rate limit. So the client retries itself with
this policy, which follows the SDK's (408, 409, 429, 5xx and failed
connections) except that a timeout is not retried: the person has already
waited the whole timeout once.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from typing import Any

MAX_WAIT_S = 60.0
"""A ``retry-after`` longer than this is cut short: /retry is better than a frozen prompt."""

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
REASONS = {408: "request timed out", 409: "conflict", 429: "rate limited", 529: "overloaded"}
"""Statuses worth another try below 500, and 529, in the words the wait line uses."""


def retry_reason(exc: BaseException) -> str | None:
    """Why this failure deserves another try, in a few words; None if it does not."""
    sdk = importlib.import_module("anthropic")
    if isinstance(exc, sdk.APIStatusError):
        return _status_reason(exc.status_code)
    if isinstance(exc, sdk.APIConnectionError) and not isinstance(exc, sdk.APITimeoutError):
        return "cannot connect"
    return None


def _status_reason(status: int) -> str | None:
    if status in REASONS:
        return REASONS[status]
    return f"server error {status}" if status >= 500 else None


def retry_wait(
    exc: BaseException, attempt: int, jitter: Callable[[], float] = random.random
) -> float:
    """Seconds to wait before try ``attempt + 1``: what the API asked, else a growing backoff."""
    asked = _asked_wait(getattr(exc, "response", None))
    if asked is not None:
        return min(asked, MAX_WAIT_S)
    backoff = min(FIRST_BACKOFF_S * 2 ** (attempt - 1), MAX_BACKOFF_S)
    return backoff * (1 - 0.25 * jitter())


def _asked_wait(response: Any) -> float | None:
    """``retry-after-ms`` or ``retry-after`` in seconds; None if absent or not a number."""
    if response is None:
        return None
    headers = response.headers
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            seconds = float(headers.get(name)) / scale
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return None
