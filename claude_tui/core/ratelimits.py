"""Rate-limit headroom, as the ``anthropic-ratelimit-*`` headers of every response state it.

Reading them lets the chat show headroom running low and wait for the reset
instead of sending a request the API would answer with a 429. Times are epoch
seconds; the headers give resets as RFC 3339 timestamps.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

PREFIX = "anthropic-ratelimit-"
KINDS = ("requests", "input-tokens", "output-tokens")
LOW_SHARE = 0.2
# Longer waits are left to the API's own 429 and retry-after: a clock that drifts
# or a reset far away must not hold a request for minutes unannounced.
LONGEST_WAIT_S = 120.0


@dataclass(frozen=True, slots=True)
class Allowance:
    """One limit: how much of it is left, and when it is whole again."""

    kind: str
    limit: int
    remaining: int
    reset: float | None

    @property
    def low(self) -> bool:
        """Below a fifth of the limit, when the toolbar starts showing it."""
        return self.limit > 0 and self.remaining < self.limit * LOW_SHARE


@dataclass(frozen=True, slots=True)
class Headroom:
    """The allowances one response reported; kinds it left out are absent."""

    allowances: tuple[Allowance, ...]

    def get(self, kind: str) -> Allowance | None:
        """The allowance of ``kind`` ("requests", "input-tokens", "output-tokens")."""
        return next((a for a in self.allowances if a.kind == kind), None)

    def low(self, now: float) -> list[Allowance]:
        """The allowances below a fifth of their limit that have not reset since."""
        return [a for a in self.allowances if a.low and (a.reset is None or a.reset > now)]

    def wait_before(self, input_tokens: int, now: float) -> tuple[float, str] | None:
        """How long until a request of ``input_tokens`` fits, and why; None if it fits now.

        A reset already past means the allowance is whole again: no wait.
        """
        requests, tokens = self.get("requests"), self.get("input-tokens")
        if requests is not None and requests.remaining < 1:
            short = requests, "no requests left"
        elif tokens is not None and tokens.remaining < min(input_tokens, tokens.limit):
            short = tokens, f"{tokens.remaining:,} input tokens left, ≈ {input_tokens:,} needed"
        else:
            return None
        allowance, why = short
        if allowance.reset is None or not 0 < allowance.reset - now <= LONGEST_WAIT_S:
            return None
        return allowance.reset - now, why


def headroom_from(headers: Mapping[str, str]) -> Headroom | None:
    """The allowances in a response's headers; None when it carries none (a gateway)."""
    allowances = []
    for kind in KINDS:
        limit = _integer(headers.get(f"{PREFIX}{kind}-limit"))
        remaining = _integer(headers.get(f"{PREFIX}{kind}-remaining"))
        if limit is not None and remaining is not None:
            reset = _timestamp(headers.get(f"{PREFIX}{kind}-reset"))
            allowances.append(Allowance(kind, limit, remaining, reset))
    return Headroom(tuple(allowances)) if allowances else None


def _integer(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()
