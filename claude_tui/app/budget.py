"""Spending limits that warn, never stop: a line when a turn takes the total past one.

The totals are read back from the ledger (after the tracker has written the
turn's row), so another claude-tui running today counts toward the daily limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from claude_tui.app.meter import local_day
from claude_tui.config import Budget
from claude_tui.core.usage import Totals, UsageRecord, format_usd
from claude_tui.errors import StoreError
from claude_tui.store import Ledger, Tracker

# How long a budget check waits for the tracker to write the turn's row.
FLUSH_WAIT_S = 1.0


class BudgetWatch:
    """Compares session and daily spending with the configured limits after each call."""

    def __init__(
        self,
        budget: Budget,
        ledger: Ledger,
        tracker: Tracker,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._budget = budget
        self._ledger = ledger
        self._tracker = tracker
        self._clock = clock

    def check(self, record: UsageRecord) -> list[str]:
        """Warnings for each limit this call crossed; an unpriced call crosses none."""
        cost = record.charge.cost
        budget = self._budget
        if cost is None or (budget.session_usd is None and budget.daily_usd is None):
            return []
        self._tracker.flush(FLUSH_WAIT_S)
        try:
            return self._crossings(record, cost)
        except StoreError as exc:
            return [f"budget not checked: {exc}"]

    def _crossings(self, record: UsageRecord, cost: Decimal) -> list[str]:
        budget = self._budget
        warnings = []
        session = record.session_id
        if budget.session_usd is not None and session is not None:
            spent = self._ledger.session_totals([session]).get(session, Totals()).cost
            warnings += _crossed("this session", budget.session_usd, spent, cost)
        if budget.daily_usd is not None:
            spent = self._ledger.since(local_day(self._clock())).cost
            warnings += _crossed("today", budget.daily_usd, spent, cost)
        return warnings


def _crossed(what: str, limit: Decimal, spent: Decimal, last: Decimal) -> list[str]:
    if spent - last < limit <= spent:
        return [f"budget: {what} has now cost {format_usd(spent)}, past your {format_usd(limit)}"]
    return []
