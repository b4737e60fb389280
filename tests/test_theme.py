"""Themes: the terminal's background decides the colours, unless the config does."""

from __future__ import annotations

import pytest

from claude_tui.config import Config
from claude_tui.ui.background import background_from, background_from_env
from claude_tui.ui.look import look_for
from claude_tui.ui.style import PROMPT
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal

WHITE, BLACK = "rgb:ffff/ffff/ffff", "rgb:0000/0000/0000"


@pytest.mark.parametrize(
    ("reply", "shade"),
    [
        (b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?62c", "light"),
        (b"\x1b]11;rgb:1e1e/1e1e/2e2e\x07", "dark"),
        (b"\x1b]11;rgb:fd/f6/e3\x1b\\", "light"),  # solarized light, two digits a channel
        (b"\x1b[?62;22c", None),  # only the device attributes: OSC 11 not answered
    ],
)
def test_an_osc_11_reply_reads_as_dark_or_light(reply: bytes, shade: str | None) -> None:
    """The reported colour's luminance decides; no colour in the reply means unknown."""
    assert background_from(reply) == shade


@pytest.mark.parametrize(("value", "shade"), [("15;0", "dark"), ("0;15", "light"), ("x", None)])
def test_colorfgbg_answers_when_the_terminal_cannot(value: str, shade: str | None) -> None:
    """rxvt-style COLORFGBG names the background colour last."""
    assert background_from_env({"COLORFGBG": value}) == shade


def test_the_theme_picks_the_code_theme_unless_one_is_set() -> None:
    """auto follows the background; dark or light set it; code_theme always wins."""
    light = look_for(Config(theme="auto"), {}, background=lambda: "light")
    assert (light.dark, light.code_theme, light.prompt_style) == (
        False,
        "friendly",
        "ansiblue bold",
    )
    unknown = look_for(Config(), {}, background=lambda: None)
    assert unknown.dark and unknown.code_theme == "monokai"
    fixed = look_for(Config(theme="dark", code_theme="nord"), {}, background=lambda: "light")
    assert fixed.dark and fixed.code_theme == "nord"


def _inline_code_colours(terminal: Terminal, word: str) -> tuple[str, str]:
    for row in terminal.screen.buffer.values():
        line = "".join(row[x].data for x in range(terminal.screen.columns))
        if word in line:
            cell = row[line.index(word)]
            return cell.fg, cell.bg
    raise AssertionError(f"{word!r} is not on the screen")


@pytest.mark.parametrize(
    ("background", "prompt", "code_bg"),
    [(WHITE, "blue", "eeeeee"), (BLACK, "cyan", "black"), (None, "cyan", "black")],
)
def test_the_chat_asks_the_terminal_and_follows_its_background(
    app_env: dict[str, str], api: ApiDouble, background: str | None, prompt: str, code_bg: str
) -> None:
    """A white terminal gets a blue prompt and light inline code; one that does not answer, dark."""
    api.script(Reply(text="Run `pytest` now."))
    terminal = Terminal([], app_env, background=background)
    try:
        terminal.wait_for("/help for commands")
        terminal.type("go")
        terminal.press("enter")
        terminal.wait_for("Run pytest now.")
        assert _inline_code_colours(terminal, "pytest")[1] == code_bg
        terminal.wait_for(lambda screen: screen.count(PROMPT.strip()) >= 2)  # the next prompt
        rows = terminal.screen.buffer
        last = max(y for y in range(terminal.screen.lines) if rows[y][0].data == PROMPT.strip())
        assert rows[last][0].fg == prompt
    finally:
        terminal.close()
