"""How answers are drawn: the code theme, and whether links are OSC 8 hyperlinks.

OSC 8 makes link text clickable, but a terminal that does not know it (tmux
before 3.4, screen, many others) shows the text and hides the URL entirely.
With ``hyperlinks = "auto"`` links are hyperlinks only in terminals known to
support them; elsewhere the URL is written after the text, inert like all of it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# TERM_PROGRAM values of terminals that draw OSC 8 hyperlinks.
OSC8_PROGRAMS = frozenset({"iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby", "rio"})
OSC8_TERMS = ("xterm-kitty", "foot", "alacritty", "xterm-ghostty", "wezterm")
# VTE (GNOME Terminal, Tilix, ...) draws them from 0.50 on, which reports 5000.
VTE_WITH_OSC8 = 5000


@dataclass(frozen=True)
class Look:
    """Passed to everything that renders markdown, so a replay looks like the stream."""

    code_theme: str = "monokai"
    hyperlinks: bool = True


def look_for(code_theme: str, hyperlinks: str, env: Mapping[str, str] = os.environ) -> Look:
    """The look from the config's ``code_theme`` and ``hyperlinks`` ("auto", "on", "off")."""
    links = hyperlinks == "on" or (hyperlinks == "auto" and draws_hyperlinks(env))
    return Look(code_theme, links)


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
