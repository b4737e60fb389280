"""The commands that choose the model and how it works: /model, /think and /effort.

Each checks the model's capabilities from the models list first, so a level or a
thinking type the model refuses is one line here, never a 400 at the next send.
"""

from __future__ import annotations

import time

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from claude_tui.app.models import Listing
from claude_tui.core.inert import inert
from claude_tui.core.models import (
    EFFORT_LEVELS,
    ModelInfo,
    effort_refusal,
    plan_thinking,
    thinking_refusal,
)
from claude_tui.core.web import WebSettings
from claude_tui.errors import UsageError
from claude_tui.ui.commands import CommandContext

THINKING_CHOICES = ("off", "adaptive")
MIN_BUDGET = 1024


def model(repl: CommandContext, arg: str) -> None:
    """List the models with what each takes (asking the API afresh), or switch to one."""
    if arg:
        _switch(repl, arg)
        return
    listing = repl.chat.catalog.listing(refresh=True)
    repl.console.print(models_table(listing.models, repl.chat.settings.model))
    repl.console.print(_provenance(listing, repl.chat.catalog.problem), highlight=False)


def _switch(repl: CommandContext, arg: str) -> None:
    force = arg.split(" ", 1)[0] == "--force"
    chosen = arg.removeprefix("--force").strip() if force else arg
    if not chosen:
        raise UsageError("/model --force needs a model id")
    repl.chat.switch_model(chosen, force=force)
    repl.console.print(f"Model: [bold]{escape(inert(chosen))}[/]")


def models_table(models: list[ModelInfo], current: str) -> Table:
    """One row per model: window, longest answer, and which inputs and features it takes."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("", "model", "window", "max output", "images", "PDFs", "web"):
        table.add_column(column, justify="right" if column in ("window", "max output") else "left")
    table.add_column("thinking")
    table.add_column("effort")
    for info in models:
        caps = info.capabilities
        marks = (
            ["?"] * 5
            if caps is None
            else [
                _yes(caps.image_input),
                _yes(caps.pdf_input),
                _yes(caps.web_search),
                _thinking(caps.thinking),
                ", ".join(caps.effort) or "-",
            ]
        )
        table.add_row(
            "[green]●[/]" if info.id == current else "",
            escape(inert(info.id)),
            _tokens(info.max_input_tokens),
            _tokens(info.max_tokens),
            *marks,
        )
    return table


def _yes(flag: bool) -> str:
    return "yes" if flag else "[dim]no[/]"


def _thinking(types: frozenset[str]) -> str:
    kinds = [name for name in ("adaptive", "enabled") if name in types]
    shown = ", ".join("budget" if name == "enabled" else name for name in kinds) or "-"
    return shown if "disabled" in types or not kinds else f"{shown} (always)"


def _tokens(count: int | None) -> str:
    return "?" if count is None else f"{count:,}"


def _provenance(listing: Listing, problem: str | None) -> str:
    if listing.source == "api":
        return "[dim]as the API lists them now; /model ID switches, --force for an unlisted id[/]"
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(listing.fetched_at))
    why = f" ({escape(inert(problem))})" if problem else ""
    return f"[yellow]the list kept on {when}: the API could not be asked{why}[/]"


def think(repl: CommandContext, arg: str) -> None:
    """Show or set thinking: off, adaptive, or a budget of tokens."""
    chat = repl.chat
    if not arg:
        repl.console.print(f"Thinking: {_thinking_text(chat.settings.thinking)}")
        return
    asked = parse_thinking(arg)
    refusal = thinking_refusal(asked, chat.model_info())
    if refusal is None and isinstance(asked, int) and asked >= chat.answer_room():
        refusal = f"a budget must be below the {chat.answer_room():,} tokens an answer may take"
    if refusal is not None:
        raise UsageError(inert(refusal))
    chat.change(thinking=asked)
    sent = plan_thinking(asked, chat.model_info())
    how = f" ({sent.notice})" if sent.notice else ""
    if asked == "off" and sent.send == "adaptive":
        how = f" ({chat.settings.model} cannot turn it off: it thinks adaptively)"
    line = Text(f"Thinking: {_thinking_text(asked)}{inert(how)}")
    repl.console.print(line, highlight=False)


def parse_thinking(arg: str) -> str | int:
    word = arg.strip().lower().replace(",", "").replace("_", "")
    if word in THINKING_CHOICES:
        return word
    if word.isascii() and word.isdigit() and int(word) >= MIN_BUDGET:
        return int(word)
    raise UsageError(f"/think takes off, adaptive or a budget of at least {MIN_BUDGET} tokens")


def _thinking_text(setting: str | int) -> str:
    return f"a budget of {setting:,} tokens" if isinstance(setting, int) else str(setting)


def effort(repl: CommandContext, arg: str) -> None:
    """Show or set the effort level; ``default`` sends none again."""
    chat = repl.chat
    level = arg.strip().lower()
    if not level:
        repl.console.print(_effort_text(chat.settings.effort))
        return
    if level == "default":
        chat.change(effort=None)
    elif level not in EFFORT_LEVELS:
        raise UsageError(f"/effort takes {', '.join(EFFORT_LEVELS)} or default")
    elif (refusal := effort_refusal(level, chat.model_info())) is not None:
        raise UsageError(refusal)
    else:
        chat.change(effort=level)
    repl.console.print(_effort_text(chat.settings.effort))


def _effort_text(level: str | None) -> str:
    return f"Effort: {level}" if level else "Effort: none sent (the model's default)"


def web(repl: CommandContext, arg: str) -> None:
    """Turn the web tools on or off; alone, say which."""
    chat = repl.chat
    word = arg.strip().lower()
    if word in ("on", "off"):
        chat.set_web(word == "on")
    elif word:
        raise UsageError("/web takes on or off")
    repl.console.print(web_state(chat.settings.web))


def web_state(web: WebSettings | None) -> str:
    """``Web: on (search, fetch; 5 uses a request)`` or ``Web: off``."""
    if web is None:
        return "Web: off"
    tools = ", ".join(name for name, on in (("search", web.search), ("fetch", web.fetch)) if on)
    return f"Web: on ({tools or 'no tools'}; {web.max_uses} uses a request)"
