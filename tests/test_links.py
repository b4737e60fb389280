"""Links stay visible: OSC 8 where the terminal draws it, the URL after the text elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_tui.ui.look import draws_hyperlinks
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal

ANSWER = "Read [the guide](https://example.com/guide) first."
OSC8 = b"\x1b]8;"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TERM": "xterm-256color"}, False),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, True),
        ({"TERM": "xterm-kitty"}, True),
        ({"TERM": "xterm-256color", "VTE_VERSION": "7600"}, True),
        ({"TERM": "xterm-256color", "VTE_VERSION": "4800"}, False),
        ({"TERM": "screen-256color", "TERM_PROGRAM": "WezTerm"}, False),
        ({"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"}, False),
    ],
)
def test_known_terminals_get_hyperlinks_and_others_do_not(
    env: dict[str, str], expected: bool
) -> None:
    """Only terminals known to draw OSC 8 get it; a multiplexer or an unknown one does not."""
    assert draws_hyperlinks(env) is expected


def _answer(app_env: dict[str, str], api: ApiDouble, **extra: str) -> Terminal:
    api.script(Reply(text=ANSWER))
    terminal = Terminal(["ask", "where?"], {**app_env, **extra})
    terminal.wait_exit()
    return terminal


def test_an_unknown_terminal_shows_the_url(app_env: dict[str, str], api: ApiDouble) -> None:
    """Without OSC 8 support the URL is printed after the link text, so it can be seen."""
    terminal = _answer(app_env, api)
    assert "the guide (https://example.com/guide)" in terminal.text
    assert OSC8 not in terminal.raw


def test_a_terminal_that_draws_links_gets_a_hyperlink(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """In a terminal known to draw OSC 8 the text is the link and the URL is not repeated."""
    terminal = _answer(app_env, api, TERM_PROGRAM="WezTerm")
    assert OSC8 in terminal.raw and b"https://example.com/guide" in terminal.raw
    assert "(https://example.com/guide)" not in terminal.text


@pytest.mark.parametrize(("setting", "osc8"), [("on", True), ("off", False)])
def test_the_config_can_force_either_way(
    setting: str, osc8: bool, app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """hyperlinks = "on" or "off" overrides the guess."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'hyperlinks = "{setting}"\n')
    terminal = _answer(app_env, api, TERM_PROGRAM="WezTerm" if not osc8 else "")
    assert (OSC8 in terminal.raw) is osc8
