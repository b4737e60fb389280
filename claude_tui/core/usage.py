"""What the usage ledger holds: one record per API call, and sums of them.

Records are built where a call ends (the chat) and written by the tracker;
sums come back from SQL over the ledger, so a summary can never drift from
the rows it adds up.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal

from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge

# Below this, an amount is shown as "<$0.00000001" rather than in ever more places.
SMALLEST = Decimal("0.00000001")


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One API call as billed: its tokens, its cost, and whether the counts are estimates.

    ``key`` is unique per call so a write retried after a busy database cannot
    count the call twice.
    """

    key: str
    at: float
    day: str
    session_id: str | None
    message_seq: int | None
    model: str
    request_id: str | None
    usage: Usage
    charge: Charge
    estimated: bool = False
    kind: str = "chat"


@dataclass(frozen=True, slots=True)
class Totals:
    """Usage and money summed over some set of calls.

    ``cost`` and ``cache_saving`` exclude the ``unpriced_calls``, whose models
    have no known price; ``estimated_calls`` had their output counted by us.
    """

    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost: Decimal = Decimal(0)
    cache_saving: Decimal = Decimal(0)
    unpriced_calls: int = 0
    estimated_calls: int = 0

    def __add__(self, other: Totals) -> Totals:
        return self._combine(other, 1)

    def __sub__(self, other: Totals) -> Totals:
        """What is left without ``other``, e.g. the sessions beyond a listing's limit."""
        return self._combine(other, -1)

    def _combine(self, other: Totals, sign: int) -> Totals:
        mine, theirs = self.usage, other.usage
        usage = Usage(
            *(getattr(mine, f.name) + sign * getattr(theirs, f.name) for f in fields(Usage))
        )
        return Totals(
            self.calls + sign * other.calls,
            usage,
            self.cost + sign * other.cost,
            self.cache_saving + sign * other.cache_saving,
            self.unpriced_calls + sign * other.unpriced_calls,
            self.estimated_calls + sign * other.estimated_calls,
        )

    @property
    def cache_hit_share(self) -> float:
        """The share of prompt tokens read from the cache, 0.0 to 1.0."""
        total = self.usage.total_input
        return self.usage.cache_read / total if total else 0.0


def format_usd(amount: Decimal | None) -> str:
    """Money for people: cents from a dollar up, four places below, two figures for crumbs.

    A single short turn costs a few hundredths of a cent; it shows as $0.000084,
    never as $0.00, so a person can still compare one turn with another.
    """
    if amount is None:
        return "unknown"
    sign, size = ("-" if amount < 0 else ""), abs(amount)
    if size == 0:
        return "$0.00"
    if size >= 1:
        return f"{sign}${size:,.2f}"
    if size < SMALLEST:
        return f"{sign}<${SMALLEST:f}"
    places = max(4, 1 - size.adjusted())
    return f"{sign}${size:.{places}f}"
