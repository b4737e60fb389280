"""`claude-tui cost` from outside: a real process over a ledger filled through the real Ledger."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from rich.console import Console

from claude_tui.app import open_store
from claude_tui.app.wiring import price_table
from claude_tui.config import load_config
from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge
from claude_tui.core.usage import Totals, UsageRecord
from claude_tui.store import Store
from claude_tui.ui.cost_view import DayChart, bar, tokens
from tests.test_cli import _run

TODAY = date.today()
WIDTH = 100
# Input 1,000 after the cache, 300 written to it, 5,000 read: 6,300 in all.
USAGE = Usage(1000, 200, 300, 0, 5000)


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _append(
    store: Store,
    key: str,
    *,
    days_ago: int = 0,
    session: str | None = None,
    model: str = "claude-sonnet-5-5",
    usage: Usage = USAGE,
    cost: str | None = "1.25",
    saving: str = "0.5",
    estimated: bool = False,
) -> None:
    charge = Charge(Decimal(cost), Decimal(saving)) if cost is not None else Charge(None, None)
    record = UsageRecord(
        key, 0.0, _day(days_ago), session, 0, model, None, usage, charge, estimated
    )
    assert store.ledger.append(record)


@pytest.fixture
def env(home: object) -> dict[str, str]:
    """The environment of a claude-tui process using the test's home, 100 columns wide."""
    return {**os.environ, "COLUMNS": str(WIDTH), "LINES": "40"}


@pytest.fixture
def store(env: dict[str, str]) -> Iterator[Store]:
    """The database the claude-tui process will read."""
    opened = open_store(env)
    yield opened
    opened.close()


@pytest.fixture
def mixed(store: Store) -> Store:
    """Two priced calls (one cut short) and one to a model with no price, all today."""
    _append(store, "a")
    _append(store, "b", cost="0.500123456789", saving="-0.25", estimated=True)
    _append(store, "c", model="claude-mythos-preview", usage=Usage(40, 2), cost=None)
    return store


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def _row(text: str, label: str) -> list[str]:
    """The cells of the table row that starts with ``label``."""
    return next(line.split() for line in _lines(text) if line.startswith(label))


def test_by_model_table_has_exact_money_and_marks(env: dict[str, str], mixed: Store) -> None:
    """Rows and total carry the right sums; estimates get ~, unpriced calls +? and a note."""
    result = _run(env, "cost")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert _row(out, "claude-sonnet-5-5") == [
        "claude-sonnet-5-5", "2", "12,600", "400", "600", "10,000", "~$1.75", "$0.2500",
    ]  # fmt: skip
    assert _row(out, "claude-mythos-preview")[-2:] == ["unknown", "unknown"]
    assert _row(out, "total") == [
        "total", "3", "12,640", "402", "600", "10,000", "~$1.75+?", "$0.2500+?",
    ]  # fmt: skip
    assert "~ includes 1 call cut short, whose output was estimated" in out
    assert "+? excludes 1 call to models with no price" in out
    checked = price_table(load_config(None, env, {})).checked
    assert f"prices as checked on {checked}" in out


def test_json_money_is_exact_and_unknown_is_null(env: dict[str, str], mixed: Store) -> None:
    """--json keeps every digit of the money as a string, tokens as ints, no price as null."""
    result = _run(env, "cost", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    rows = {row["model"]: row for row in document["rows"]}
    sonnet = rows["claude-sonnet-5-5"]
    assert sonnet["cost_usd"] == "1.750123456789" and sonnet["cache_saving_usd"] == "0.25"
    assert sonnet["total_input_tokens"] == 12_600 and sonnet["cache_read"] == 10_000
    assert sonnet["estimated_calls"] == 1
    assert rows["claude-mythos-preview"]["cost_usd"] is None
    total = document["total"]
    assert total["cost_usd"] == "1.750123456789" and total["unpriced_calls"] == 1
    assert total["calls"] == 3 and document["since"] is None


def test_by_day_charts_the_last_30_days(env: dict[str, str], store: Store) -> None:
    """One line per day ending today, bars scaled to the costliest day, quiet days bare."""
    _append(store, "today", cost="0.40")
    _append(store, "two", days_ago=2, cost="0.10")
    _append(store, "old", days_ago=40, cost="9")
    result = _run(env, "cost", "--by", "day")
    assert result.returncode == 0, result.stderr
    lines = _lines(result.stdout)
    chart = lines[lines.index(_day(29)) : lines.index(_day(29)) + 30]
    assert [line[:10] for line in chart] == [_day(n) for n in range(29, -1, -1)]
    assert chart[-1] == f"{_day(0)} {'█' * 60} $0.4000"
    assert chart[-3] == f"{_day(2)} {'█' * 15}{' ' * 45} $0.1000"
    assert chart[-2] == _day(1)
    assert _row(result.stdout, _day(40))[-2] == "$9.00"
    assert _row(result.stdout, "total")[-2] == "$9.50"


def test_since_limits_rows_totals_and_chart(env: dict[str, str], store: Store) -> None:
    """--since as a date, 'today' or '7d' counts only the calls from that day on."""
    _append(store, "today", cost="0.40")
    _append(store, "week", days_ago=6, cost="0.10")
    _append(store, "older", days_ago=7, cost="2", model="claude-opus-5-5")
    for since, total in ((_day(6), "$0.5000"), ("7d", "$0.5000"), ("today", "$0.4000")):
        result = _run(env, "cost", "--since", since)
        assert result.returncode == 0, result.stderr
        assert _row(result.stdout, "total")[-2] == total
        assert "claude-opus-5-5" not in result.stdout
    chart = _lines(_run(env, "cost", "--by", "day", "--since", "today").stdout)
    assert _day(1) not in chart and chart.count(f"{_day(0)} {'█' * 60} $0.4000") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "yesterday"), "--since takes YYYY-MM-DD, today, or days like 7d"),
        (("--since", "2026-02-30"), "not '2026-02-30'"),
        (("--since", "0d"), "not '0d'"),
        (("--by", "week"), "--by takes day, model or session; not 'week'"),
    ],
)
def test_bad_flags_are_one_line_exit_2(
    env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    """A --since or --by it cannot read is one error line, exit 2, no traceback."""
    result = _run(env, "cost", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("claude-tui: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_empty_ledger_is_a_friendly_line(env: dict[str, str]) -> None:
    """No calls yet: one plain sentence and exit 0; JSON still parses, with zero totals."""
    result = _run(env, "cost")
    assert (result.returncode, result.stdout) == (0, "No API calls recorded yet.\n")
    since = _run(env, "cost", "--since", "2026-01-01")
    assert since.stdout == "No API calls recorded since 2026-01-01.\n"
    document = json.loads(_run(env, "cost", "--json").stdout)
    assert document["rows"] == [] and document["total"]["cost_usd"] == "0"


def test_by_session_names_sessions_even_deleted_ones(env: dict[str, str], store: Store) -> None:
    """Sessions show their titles; deleted ones and calls outside any session still count."""
    kept = store.create_session("claude-sonnet-5-5", None, "Borrow checker woes")
    gone = store.create_session("claude-sonnet-5-5", None, "Gone")
    store.delete(gone.id)
    _append(store, "a", session=kept.id, cost="3")
    _append(store, "b", session=gone.id, cost="2")
    _append(store, "c", cost="1")
    out = _run(env, "cost", "--by", "session").stdout
    assert _row(out, kept.id)[1:5] == ["Borrow", "checker", "woes", "1"]
    assert _row(out, gone.id)[1:3] == ["(deleted)", "1"]
    assert _row(out, "(no session)")[-2] == "$1.00"
    document = json.loads(_run(env, "cost", "--by", "session", "--json").stdout)
    assert [(r["session"], r["title"], r["deleted"]) for r in document["rows"]] == [
        (kept.id, "Borrow checker woes", False),
        (gone.id, None, True),
        (None, None, False),
    ]


def test_session_limit_sums_the_rest_in_one_row(env: dict[str, str], store: Store) -> None:
    """--limit shows the costliest sessions and adds up the others, so the total still adds."""
    for n, cost in enumerate(("4", "3", "2", "1")):
        _append(store, f"k{n}", session=f"s{n}", cost=cost)
    out = _run(env, "cost", "--by", "session", "--limit", "2").stdout
    assert [_row(out, label)[0] for label in ("s0", "s1")] == ["s0", "s1"]
    assert "s2" not in out
    assert _row(out, "other sessions")[2:4] == ["2", "12,600"]
    assert _row(out, "other sessions")[-2] == "$3.00" and _row(out, "total")[-2] == "$10.00"


def test_chart_bars_use_eighths_and_never_hide_a_small_day() -> None:
    """A bar is whole cells plus an eighth-step tip; any spend at all shows."""
    assert bar(Decimal("1"), Decimal("1"), 4) == "████"
    assert bar(Decimal("0.5625"), Decimal("1"), 4) == "██▎"
    assert bar(Decimal("0.000001"), Decimal("1"), 4) == "▏"
    assert bar(Decimal("0"), Decimal("1"), 4) == ""


def test_chart_fits_a_narrow_console() -> None:
    """On a narrow terminal the bars shrink; the amounts stay whole."""
    console = Console(file=io.StringIO(), width=30)
    day = TODAY.isoformat()
    console.print(DayChart({day: Totals(1, Usage(), Decimal("12.5"))}, TODAY, 2))
    assert _lines(console.file.getvalue()) == [_day(1), f"{day} {'█' * 12} $12.50"]


def test_token_counts_stay_short() -> None:
    """Counts are exact below 100,000, then three digits with k, M or B."""
    assert [tokens(n) for n in (99_999, 123_456, 999_999, 1_234_567, 2_500_000_000)] == [
        "99,999", "123k", "1M", "1.23M", "2.5B",
    ]  # fmt: skip
