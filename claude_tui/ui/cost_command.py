"""The ``claude-tui cost`` command: spend by day, model or session, as a table or as JSON."""

from __future__ import annotations

import functools
import json
import operator
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from rich.console import Console
from rich.text import Text

from claude_tui.core.usage import Totals
from claude_tui.errors import UsageError
from claude_tui.store import Store
from claude_tui.ui.cost_view import CHART_DAYS, DayChart, cost_unknown, notes, totals_table

GROUPINGS = ("day", "model", "session")
NO_SESSION = "-"
_LAST_DAYS = re.compile(r"([1-9][0-9]{0,4})d")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Rows = list[tuple[str, Totals]]


@dataclass(frozen=True)
class CostQuery:
    """What the person asked for: a grouping, a first day (None: all time), a row limit."""

    by: str
    since: str | None = None
    limit: int | None = None


def parse_since(text: str | None, today: date) -> str | None:
    """The first day counted: a date, ``today``, or ``7d`` for the last 7 days, today included."""
    if text is None:
        return None
    word = text.strip().lower()
    if word == "today":
        return today.isoformat()
    if days := _LAST_DAYS.fullmatch(word):
        return (today - timedelta(days=int(days[1]) - 1)).isoformat()
    if _DATE.fullmatch(word):
        try:
            return date.fromisoformat(word).isoformat()
        except ValueError:
            pass
    raise UsageError(f"--since takes YYYY-MM-DD, today, or days like 7d; not {text!r}")


def cost_query(by: str, since: str | None, limit: int, today: date) -> CostQuery:
    """Check the flags; ``limit`` caps only the sessions, of which there can be thousands."""
    if by not in GROUPINGS:
        raise UsageError(f"--by takes day, model or session; not {by!r}")
    return CostQuery(by, parse_since(since, today), limit if by == "session" and limit else None)


def show_cost(
    store: Store,
    console: Console,
    query: CostQuery,
    prices_checked: str,
    today: date,
    as_json: bool = False,
) -> None:
    """The grouped table with a total and notes (by day, a chart too), or JSON for scripts."""
    if as_json:
        console.file.write(cost_json(store, query, prices_checked) + "\n")
        return
    ledger = store.ledger
    total = ledger.since(query.since)
    if not total.calls:
        console.print(f"No API calls recorded {f'since {query.since}' if query.since else 'yet'}.")
        return
    rows = ledger.grouped(query.by, query.since, query.limit)
    labelled = _labels(store, query.by, rows)
    rest = functools.reduce(operator.sub, (totals for _, totals in rows), total)
    if rest.calls:
        labelled.append((Text("other sessions", style="dim"), rest))
    since = f"since {query.since}" if query.since else "all time"
    console.print(Text(f"Usage by {query.by}, {since}", style="bold"))
    console.print(totals_table(labelled, query.by, total))
    chart_days = _chart_days(query.since, today)
    if query.by == "day" and chart_days:
        console.print()
        console.print(DayChart(dict(rows), today, chart_days))
    console.print(notes(total, prices_checked))


def _chart_days(since: str | None, today: date) -> int:
    """The last 30 days, or fewer when the person asked to start later."""
    if since is None:
        return CHART_DAYS
    return max(0, min(CHART_DAYS, (today - date.fromisoformat(since)).days + 1))


def cost_json(store: Store, query: CostQuery, prices_checked: str) -> str:
    """Machine output: token counts as integers, money as exact decimal strings."""
    ledger = store.ledger
    rows = ledger.grouped(query.by, query.since, query.limit)
    titles = store.titles([label for label, _ in rows]) if query.by == "session" else {}
    document = {
        "by": query.by,
        "since": query.since,
        "prices_checked": prices_checked,
        "rows": [
            {**_key(query.by, label, titles), **totals_json(totals)} for label, totals in rows
        ],
        "total": totals_json(ledger.since(query.since)),
    }
    return json.dumps(document, ensure_ascii=False)


def totals_json(totals: Totals) -> dict[str, object]:
    """One group's figures; unknown money is null, never 0."""
    unknown = cost_unknown(totals)
    usage = totals.usage
    return {
        "calls": totals.calls,
        "input_tokens": usage.input_tokens,
        "cache_write_5m": usage.cache_write_5m,
        "cache_write_1h": usage.cache_write_1h,
        "cache_read": usage.cache_read,
        "total_input_tokens": usage.total_input,
        "output_tokens": usage.output_tokens,
        "web_search_requests": usage.web_search_requests,
        "web_fetch_requests": usage.web_fetch_requests,
        "cost_usd": None if unknown else _exact(totals.cost),
        "cache_saving_usd": None if unknown else _exact(totals.cache_saving),
        "unpriced_calls": totals.unpriced_calls,
        "estimated_calls": totals.estimated_calls,
    }


def _exact(amount: Decimal) -> str:
    """Plain notation, every digit kept: ``0.000000000001``, never ``1E-12``."""
    return f"{amount:f}"


def _key(by: str, label: str, titles: dict[str, str]) -> dict[str, object]:
    if by != "session":
        return {by: label}
    session = None if label == NO_SESSION else label
    return {
        "session": session,
        "title": titles.get(label),
        "deleted": bool(session) and session not in titles,
    }


def _labels(store: Store, by: str, rows: Rows) -> list[tuple[str | Text, Totals]]:
    """Sessions by id and title; the ledger keeps the rows of sessions deleted since."""
    if by != "session":
        return [(label, totals) for label, totals in rows]
    titles = store.titles([label for label, _ in rows])
    return [(_session_label(label, titles), totals) for label, totals in rows]


def _session_label(session: str, titles: dict[str, str]) -> Text:
    if session == NO_SESSION:
        return Text("(no session)", style="dim")
    label = Text(session, style="cyan")
    if session not in titles:
        return label.append(" (deleted)", style="dim")
    return label.append(" " + (titles[session] or "(untitled)"))
