"""Spending limits: a line when a turn takes the total past one, and with ``hard = true``
no further request once a limit is reached.

Totals are kept in memory: what the ledger held when the chat started (today's
spend, and the resumed session's) plus every call this chat has billed since.
Reading them back from the ledger after each turn would mean waiting for the
tracker to write, on the thread that draws the screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from claude_tui.app.meter import local_day
from claude_tui.config import Budget
from claude_tui.core.usage import Totals, UsageRecord, format_usd
from claude_tui.errors import StoreError
from claude_tui.store import Ledger


class BudgetWatch:
    """Compares session and daily spending with the configured limits after each call."""

    def __init__(
        self, budget: Budget, ledger: Ledger, clock: Callable[[], float] = time.time
    ) -> None:
        self._budget = budget
        self._ledger = ledger
        self._clock = clock
        self._day = local_day(clock())
        self._today = _spent(lambda: ledger.since(self._day).cost)
        self._sessions: dict[str, Decimal] = {}

    def follow(self, session_id: str) -> None:
        """Count what a resumed session cost before, once, before this chat adds to it."""
        if session_id not in self._sessions:
            totals = self._ledger.session_totals
            self._sessions[session_id] = _spent(
                lambda: totals([session_id]).get(session_id, Totals()).cost
            )

    def refusal(self, session_id: str | None) -> str | None:
        """With a hard budget, why the next request may not go; None while it may."""
        budget = self._budget
        if not budget.hard:
            return None
        self._roll_to(local_day(self._clock()))
        spent = self._sessions.get(session_id or "", Decimal(0))
        for what, limit, total, key in (
            ("this session", budget.session_usd, spent, "session_usd"),
            ("today", budget.daily_usd, self._today, "daily_usd"),
        ):
            if limit is not None and total >= limit:
                return (
                    f"budget: {what} has cost {format_usd(total)}, your hard limit is "
                    f"{format_usd(limit)}; raise budget.{key} (or set budget.hard = false) "
                    "to send more"
                )
        return None

    def check(self, record: UsageRecord) -> list[str]:
        """Warnings for each limit this call crossed; an unpriced call crosses none."""
        cost = record.charge.cost
        if cost is None:
            return []
        warnings = self._add_today(record.day, cost)
        session = record.session_id
        if session is not None:
            before = self._sessions.get(session, Decimal(0))
            self._sessions[session] = before + cost
            warnings += _crossed("this session", self._budget.session_usd, before, cost)
        return warnings

    def _roll_to(self, day: str) -> None:
        """A new day starts from nothing spent."""
        if day != self._day:
            self._day, self._today = day, Decimal(0)

    def _add_today(self, day: str, cost: Decimal) -> list[str]:
        self._roll_to(day)
        before = self._today
        self._today += cost
        return _crossed("today", self._budget.daily_usd, before, cost)


def _spent(read: Callable[[], Decimal]) -> Decimal:
    """A total from the ledger; one that cannot be read counts as nothing spent yet."""
    try:
        return read()
    except StoreError:
        return Decimal(0)


def _crossed(what: str, limit: Decimal | None, before: Decimal, cost: Decimal) -> list[str]:
    spent = before + cost
    if limit is not None and before < limit <= spent:
        return [f"budget: {what} has now cost {format_usd(spent)}, past your {format_usd(limit)}"]
    return []
