"""How answers are drawn: dark or light, the code theme, whether links are OSC 8 hyperlinks.

OSC 8 makes link text clickable, but a terminal that does not know it (tmux
before 3.4, screen, many others) shows the text and hides the URL entirely.
With ``hyperlinks = "auto"`` links are hyperlinks only in terminals known to
support them; elsewhere the URL is written after the text, inert like all of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.theme import Theme

from claude_tui.ui.background import terminal_background

if TYPE_CHECKING:
    from rich.console import Console

    from claude_tui.config import Config

# TERM_PROGRAM values of terminals that draw OSC 8 hyperlinks.
OSC8_PROGRAMS = frozenset({"iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby", "rio"})
OSC8_TERMS = ("xterm-kitty", "foot", "alacritty", "xterm-ghostty", "wezterm")
# VTE (GNOME Terminal, Tilix, ...) draws them from 0.50 on, which reports 5000.
VTE_WITH_OSC8 = 5000


CODE_THEMES = {"dark": "monokai", "light": "friendly"}
# rich's markdown styles that are cyan, black or bright: faint or harsh on white.
LIGHT_STYLES = Theme(
    {
        "markdown.code": "bold dark_magenta on grey93",
        "markdown.code_block": "dark_magenta on grey93",
        "markdown.list": "blue",
        "markdown.item.number": "blue",
        "markdown.link": "blue",
        "markdown.table.border": "blue",
        "markdown.table.header": "blue",
        "markdown.kbd": "bold dark_orange3",
    }
)
PROMPT_STYLES = {"dark": "ansicyan bold", "light": "ansiblue bold"}


@dataclass(frozen=True)
class Look:
    """Passed to everything that renders markdown, so a replay looks like the stream."""

    code_theme: str = "monokai"
    hyperlinks: bool = True
    dark: bool = True

    @property
    def prompt_style(self) -> str:
        """The prompt mark's colour, readable on this background."""
        return PROMPT_STYLES["dark" if self.dark else "light"]

    def styled(self, console: Console) -> Console:
        """``console`` with the markdown styles of this background."""
        if not self.dark:
            console.push_theme(LIGHT_STYLES)
        return console


def look_for(
    config: Config,
    env: Mapping[str, str] = os.environ,
    background: Callable[[], str | None] = terminal_background,
) -> Look:
    """The look from the config: ``theme`` ("auto" asks the terminal), ``code_theme``,
    ``hyperlinks`` ("auto", "on", "off")."""
    links = config.hyperlinks == "on" or (config.hyperlinks == "auto" and draws_hyperlinks(env))
    shade = config.theme if config.theme != "auto" else (background() or "dark")
    return Look(config.code_theme or CODE_THEMES[shade], links, shade == "dark")


def draws_hyperlinks(env: Mapping[str, str]) -> bool:
    """Whether the terminal is known to draw OSC 8 links; unknown means no."""
    term = env.get("TERM", "")
    if env.get("TMUX") or term.startswith(("screen", "tmux")):
        return False  # a multiplexer passes OSC 8 on only when configured to
    if env.get("TERM_PROGRAM") in OSC8_PROGRAMS or term.startswith(OSC8_TERMS):
        return True
    if env.get("KITTY_WINDOW_ID") or env.get("WT_SESSION") or env.get("KONSOLE_VERSION"):
        return True
    vte = env.get("VTE_VERSION", "")
    return vte.isdigit() and int(vte) >= VTE_WITH_OSC8


# The default look: rich's own theme and hyperlinks, as tests and one-shot renders use.
PLAIN = Look()
