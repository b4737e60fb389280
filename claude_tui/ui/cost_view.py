"""Money on screen: usage totals as a table, daily spend as bars, and what the figures leave out.

Shared by ``claude-tui cost`` and the chat's ``/cost`` so both mark the same
things the same way: ``~`` where some output was estimated, ``+?`` where calls
to models with no price are left out, and "unknown", never $0, when none of a
row's calls has a price.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from claude_tui.core.usage import Totals, format_usd

ESTIMATED = "~"
UNPRICED = "+?"
CHART_DAYS = 30
MAX_BAR = 60
# A bar's last cell in eighths, so small differences between days still show.
EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"


def cost_unknown(totals: Totals) -> bool:
    """True when none of the calls has a price: the sum is unknown, not zero."""
    return totals.calls > 0 and totals.unpriced_calls == totals.calls


def money(amount: Decimal, totals: Totals, *, uses_output: bool = True) -> str:
    """An amount summed over ``totals``' calls, marked with what it includes or leaves out.

    Only output tokens are ever estimated, so an amount that does not count them
    (the cache saving) is exact even when some calls were cut short.
    """
    if cost_unknown(totals):
        return "unknown"
    marks = ESTIMATED if totals.estimated_calls and uses_output else ""
    return marks + format_usd(amount) + (UNPRICED if totals.unpriced_calls else "")


def totals_table(
    rows: Sequence[tuple[str | Text, Totals]], label: str, total: Totals | None = None
) -> Table:
    """One row per group: calls, tokens (input includes cache traffic), cost and cache saving.

    ``total``, when given, closes the table as a bold last row.
    """
    table = Table(box=None, header_style="bold", pad_edge=False, collapse_padding=True)
    # Only the label column may narrow (its cells cut themselves short); figures never do.
    table.add_column(label)
    searched = any(t.usage.web_search_requests for _, t in rows) or bool(
        total and total.usage.web_search_requests
    )
    names = ("calls", "in", "out", "cache write", "cache read", "searches", "cost", "saved")
    for name in names if searched else [n for n in names if n != "searches"]:
        table.add_column(name, justify="right", no_wrap=True)
    for name, totals in rows:
        table.add_row(_one_line(name), *_cells(totals, searched))
    if total is not None:
        if rows:
            table.add_section()
        table.add_row("total", *_cells(total, searched), style="bold")
    return table


def _one_line(label: str | Text) -> Text:
    text = Text(label) if isinstance(label, str) else label.copy()
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def _cells(totals: Totals, searched: bool = False) -> list[str]:
    usage = totals.usage
    searches = [f"{usage.web_search_requests:,}"] if searched else []
    return [
        f"{totals.calls:,}",
        tokens(usage.total_input),
        tokens(usage.output_tokens),
        tokens(usage.cache_write_5m + usage.cache_write_1h),
        tokens(usage.cache_read),
        *searches,
        money(totals.cost, totals),
        money(totals.cache_saving, totals, uses_output=False),
    ]


def tokens(count: int) -> str:
    """A token count that fits a column: exact below 100,000, then three digits and k, M or B."""
    if count < 100_000:
        return f"{count:,}"
    for size, unit in ((10**3, "k"), (10**6, "M"), (10**9, "B")):
        short = f"{count / size:.3g}"
        if float(short) < 1000:
            return short + unit
    return f"{count / 10**9:,.0f}B"


def notes(total: Totals, prices_checked: str) -> Text:
    """The lines under a table: what is estimated or left out, cache use, the prices' date."""
    lines = []
    if total.estimated_calls:
        lines.append(
            f"{ESTIMATED} includes {_calls(total.estimated_calls)} cut short, "
            "whose output was estimated"
        )
    if total.unpriced_calls:
        lines.append(f"{UNPRICED} excludes {_calls(total.unpriced_calls)} to models with no price")
    if total.usage.total_input:
        lines.append(f"cache reads were {total.cache_hit_share:.0%} of input tokens")
    lines.append(f"prices as checked on {prices_checked}")
    return Text("\n".join(lines), style="dim")


def _calls(count: int) -> str:
    return f"{count:,} call" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class DayChart:
    """Spend per day as horizontal bars, one line per day ending ``last``, scaled to the widest.

    Days with no calls show their date and nothing else.
    """

    days: Mapping[str, Totals]
    last: date
    count: int = CHART_DAYS

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Lines sized to the space rich offers, bars capped so a wide terminal stays readable."""
        span = [(self.last - timedelta(days=n)).isoformat() for n in range(self.count - 1, -1, -1)]
        spent = {day: self.days[day] for day in span if day in self.days}
        amounts = {day: money(totals.cost, totals) for day, totals in spent.items()}
        amount_width = max(map(len, amounts.values()), default=0)
        width = max(1, min(MAX_BAR, options.max_width - len("YYYY-MM-DD") - amount_width - 2))
        widest = max((totals.cost for totals in spent.values()), default=Decimal(0))
        for day in span:
            if day not in spent:
                yield Text(day)
                continue
            line = Text(f"{day} ")
            line.append(bar(spent[day].cost, widest, width).ljust(width), style="green")
            line.append(" " + amounts[day].rjust(amount_width))
            yield line


def bar(amount: Decimal, widest: Decimal, width: int) -> str:
    """A bar of ``width`` cells for the widest amount; any spend at all shows an eighth."""
    if widest <= 0 or amount <= 0:
        return ""
    eighths = max(1, int((amount * width * 8 / widest).to_integral_value()))
    full, part = divmod(eighths, 8)
    return FULL * full + (EIGHTHS[part] if part else "")
