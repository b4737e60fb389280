"""Money in the chat: the API's usage figures reach the footer and /cost exactly."""

from __future__ import annotations

from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal
from tests.test_repl import READY


def _send(terminal: Terminal, text: str) -> None:
    terminal.type(text)
    terminal.press("enter")


def test_usage_flows_from_the_api_to_the_footer_and_cost(
    terminal: Terminal, api: ApiDouble
) -> None:
    """Cache writes and reads are shown and priced once each, per turn and in /cost."""
    api.script(
        Reply(text="first", input_tokens=1000, output_tokens=500, cache_write_5m=2000,
              cache_read=10_000),
        Reply(text="second", input_tokens=100, output_tokens=50, cache_read=12_000),
    )  # fmt: skip
    terminal.wait_for(READY)
    _send(terminal, "one")
    # 1000x2 + 2000x2.50 + 10000x0.10 + 500x10 = 13,000 per million
    terminal.wait_for("13,000 in · 500 out · 10,000 cache read · 2,000 cache write · $0.0130")
    _send(terminal, "two")
    terminal.wait_for("12,100 in · 50 out · 12,000 cache read · $0.0019")
    _send(terminal, "/cost")
    screen = terminal.wait_for("prices as checked on 2026-11-24")
    lines = [line.split() for line in screen.splitlines()]
    rows = {row[0]: row[1:7] for row in lines if row and row[1:2] != ["·"]}
    assert rows["claude-sonnet-5-5"] == ["2", "25,100", "550", "2,000", "22,000", "$0.0149"]
    assert rows["today"][5] == "$0.0149"
    assert "cache reads were 88% of input tokens" in screen


def test_an_interrupted_answer_shows_its_estimated_cost(terminal: Terminal, api: ApiDouble) -> None:
    """Ctrl-C mid-answer still shows what the call cost, marked estimated, and /cost counts it."""
    api.script(Reply(text="word " * 400, chunk=5, delay=0.05, input_tokens=1000))
    terminal.wait_for(READY)
    _send(terminal, "talk")
    terminal.wait_for("word word word")
    terminal.press("ctrl-c")
    terminal.wait_for("(estimated)")
    _send(terminal, "/cost")
    screen = terminal.wait_for("prices as checked on")
    assert "~ includes 1 call cut short, whose output was estimated" in screen
