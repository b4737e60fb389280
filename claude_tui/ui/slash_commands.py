"""The built-in slash commands; each is one decorated function.

Handlers get a :class:`~claude_tui.ui.commands.CommandContext` (the REPL) and the
text after the command name, and report problems by raising a ``ClaudeTuiError``.
"""

from __future__ import annotations

import functools
import operator
import time
from pathlib import Path

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from claude_tui.app.compact import compact
from claude_tui.app.meter import local_day
from claude_tui.core.conversation import attachments_of
from claude_tui.core.inert import inert
from claude_tui.core.models import effort_refusal
from claude_tui.core.tokens import estimate_text
from claude_tui.core.usage import Totals
from claude_tui.errors import UsageError
from claude_tui.store import Store
from claude_tui.ui import attach_commands, branch_commands, model_commands
from claude_tui.ui.clipboard import code_blocks, copy_to_clipboard, copy_with_tool
from claude_tui.ui.commands import CommandContext, Registry
from claude_tui.ui.cost_view import notes, totals_table
from claude_tui.ui.picker import pick_session
from claude_tui.ui.session_commands import SUFFIX_FORMATS, export_session
from claude_tui.ui.sessions_view import history_lines, replay, resuming_line, sessions_table

COMMANDS: Registry[CommandContext] = Registry()
RECENT_SESSIONS = 20
CONTEXT_BAR = 30


@COMMANDS.command("help", "list commands and keys")
def _help(repl: CommandContext, _: str) -> None:
    table = Table(box=None, show_header=False, pad_edge=False)
    for command in COMMANDS:
        table.add_row(f"/{command.name} {command.args}".rstrip(), command.summary, style=None)
    repl.console.print(table)
    repl.console.print(
        "[dim]Enter sends · Esc Enter new line · Up/Down history · Ctrl-R search history · "
        "Ctrl-X Ctrl-E edit in $EDITOR · Ctrl-C stops an answer · Ctrl-D quits · "
        "// sends a leading slash[/]"
    )


COMMANDS.command("model", "list models and what they take, or switch to ID", "[--force] [ID]")(
    model_commands.model
)
COMMANDS.command("attach", "queue files for the next message (alone: list them)", "[PATH…]")(
    attach_commands.attach
)
COMMANDS.command("detach", "drop queued file N, or all", "[N]")(attach_commands.detach)
COMMANDS.command("edit", "edit your message N (default: the last) on a new branch", "[N]")(
    branch_commands.edit
)
COMMANDS.command("branches", "list this session's branches")(branch_commands.branches)
COMMANDS.command("branch", "switch to branch K", "K")(branch_commands.branch)
COMMANDS.command("fork", "copy this branch into a new session and go on there", "[TITLE]")(
    branch_commands.fork
)
COMMANDS.command("web", "turn web search and fetch on or off (alone: say which)", "[on|off]")(
    model_commands.web
)
COMMANDS.command("think", "show or set thinking: off, adaptive or a token budget", "[MODE]")(
    model_commands.think
)
COMMANDS.command("effort", "show or set effort: low … max, or default", "[LEVEL]")(
    model_commands.effort
)


@COMMANDS.command("role", "list the saved prompts, or use role NAME from now on", "[NAME]")
def _role(repl: CommandContext, arg: str) -> None:
    if not arg:
        if not repl.roles:
            repl.console.print(
                "No roles yet: add [roles.NAME] with system (and model) to the config."
            )
        for name, role in sorted(repl.roles.items()):
            first = inert((role.system or "").strip().split("\n", 1)[0])
            extras = ", ".join(filter(None, (role.model, role.effort and f"effort {role.effort}")))
            model = f" [dim]({escape(inert(extras))})[/]" if extras else ""
            repl.console.print(f"[bold]{escape(inert(name))}[/]{model} {escape(first)}")
        return
    role = repl.roles.get(arg)
    if role is None:
        raise UsageError(f"unknown role '{inert(arg)}'; /role lists them")
    if role.template:
        raise UsageError(f"role '{inert(arg)}' is a template for ask (it holds {{{{input}}}})")
    model = role.model or repl.chat.settings.model
    if role.effort and (refused := effort_refusal(role.effort, repl.chat.catalog.info(model))):
        raise UsageError(refused)  # before any change: a role applies whole or not at all
    if role.model:
        repl.chat.switch_model(role.model)
    if role.effort:
        repl.chat.change(effort=role.effort)
    if role.web is not None:
        repl.chat.set_web(role.web)
    repl.chat.set_system(role.system)
    repl.console.print(f"Role: [bold]{escape(inert(arg))}[/] (system prompt set)", highlight=False)


@COMMANDS.command("system", "show the system prompt, or set it (/system none clears)", "[TEXT]")
def _system(repl: CommandContext, arg: str) -> None:
    conversation = repl.chat.conversation
    if not arg:
        shown = escape(inert(conversation.system)) if conversation.system else "[dim](none)[/]"
        repl.console.print(f"System prompt: {shown}", highlight=False)
        return
    repl.chat.set_system(None if arg.lower() == "none" else arg)
    repl.console.print("System prompt cleared." if arg.lower() == "none" else "System prompt set.")


@COMMANDS.command("clear", "start a new conversation (the old one stays saved)")
@COMMANDS.command("new", "start a new session (the old one stays saved)")
def _clear(repl: CommandContext, _: str) -> None:
    repl.chat.clear()
    repl.console.print("New conversation.")


@COMMANDS.command("sessions", "list recent saved sessions")
def _sessions(repl: CommandContext, _: str) -> None:
    sessions = _store(repl).sessions(RECENT_SESSIONS)
    if not sessions:
        repl.console.print("No saved sessions yet.")
        return
    costs = _store(repl).ledger.session_totals([s.id for s in sessions])
    repl.console.print(sessions_table(sessions, costs))


@COMMANDS.command("resume", "continue a saved session (id prefix or title; alone: pick)", "[ID]")
def _resume(repl: CommandContext, arg: str) -> None:
    store = _store(repl)
    recent = store.sessions(RECENT_SESSIONS * 10)
    session = store.resolve(arg) if arg else pick_session(recent, store.branch_counts())
    if session is None:
        return
    repl.chat.resume(session)
    repl.console.print(resuming_line(session), highlight=False)
    replay(repl.console, repl.chat.conversation, repl.look, repl.resume_show)


@COMMANDS.command("history", "list this branch's messages: yours numbered, answers with cost")
def _history(repl: CommandContext, _: str) -> None:
    chat = repl.chat
    session_id = chat.recorder.session_id if chat.recorder else None
    costs = chat.recorder.store.ledger.session_by_message(session_id) if session_id else {}
    lines = history_lines(chat.conversation, costs)
    if not lines:
        repl.console.print("Nothing said yet.")
    for line in lines:
        repl.console.print(line, highlight=False, no_wrap=True, overflow="ellipsis")


@COMMANDS.command("rename", "give this session a title", "TITLE")
def _rename(repl: CommandContext, arg: str) -> None:
    if not arg:
        raise UsageError("/rename needs a title")
    session_id = _session_id(repl)
    _store(repl).rename(session_id, arg)
    repl.console.print(f"Renamed to {escape(inert(arg))}.")


@COMMANDS.command(
    "export", "write this session as Markdown (.json: JSON, .html: a web page)", "[PATH]"
)
def _export(repl: CommandContext, arg: str) -> None:
    session_id = _session_id(repl)
    target = Path(arg).expanduser() if arg else Path(f"claude-tui-{session_id}.md")
    fmt = SUFFIX_FORMATS.get(target.suffix.lower(), "md")
    export_session(_store(repl), repl.console.file, session_id, fmt, target, repl.look)
    repl.console.print(f"Exported to {escape(str(target))}.")


def _store(repl: CommandContext) -> Store:
    if repl.chat.recorder is None:
        raise UsageError("sessions are not being saved in this chat")
    return repl.chat.recorder.store


def _session_id(repl: CommandContext) -> str:
    recorder = repl.chat.recorder
    if recorder is None or recorder.session_id is None:
        raise UsageError("nothing saved in this session yet")
    return recorder.session_id


@COMMANDS.command("retry", "resend the last message, replacing its answer")
def _retry(repl: CommandContext, _: str) -> None:
    repl.run_turn(repl.chat.retry)


@COMMANDS.command("continue", "go on with an answer cut at max_tokens, as one answer")
def _continue(repl: CommandContext, _: str) -> None:
    repl.run_turn(repl.chat.continue_answer)


@COMMANDS.command("undo", "drop the last exchange")
def _undo(repl: CommandContext, _: str) -> None:
    if not repl.chat.undo():
        raise UsageError("nothing to undo")
    repl.console.print("Dropped the last exchange.")


@COMMANDS.command("copy", "copy the last answer, or its Nth code block, to the clipboard", "[N]")
def _copy(repl: CommandContext, arg: str) -> None:
    answer = repl.chat.conversation.last_answer()
    if answer is None or not answer.text:
        raise UsageError("no answer to copy yet")
    text, what = answer.text, "the last answer"
    if arg:
        blocks = code_blocks(answer.text)
        if not arg.isdigit() or not 1 <= int(arg) <= len(blocks):
            raise UsageError(f"/copy N takes a code block number from 1 to {len(blocks)}")
        text, what = blocks[int(arg) - 1], f"code block {arg}"
    copy_to_clipboard(repl.console.file, text)
    tool = copy_with_tool(text)
    how = (
        f"with OSC 52 and {tool}"
        if tool
        else "with OSC 52; if nothing arrived, this terminal ignores it: "
        "install wl-copy, xclip or xsel"
    )
    repl.console.print(f"Copied {what} ({len(text):,} characters, {how}).")


@COMMANDS.command("cost", "what this session, today, this month and all time cost")
def _cost(repl: CommandContext, _: str) -> None:
    meter = repl.chat.meter
    if meter is None:
        raise UsageError("usage is not being recorded in this chat")
    meter.settle()
    ledger = _store(repl).ledger
    recorder = repl.chat.recorder
    session_id = recorder.session_id if recorder else None
    by_model = list(ledger.session_by_model(session_id).items()) if session_id else []
    session = functools.reduce(operator.add, (t for _, t in by_model), Totals())
    today = local_day(time.time())
    periods = [
        ("today", ledger.since(today)),
        ("this month", ledger.since(today[:8] + "01")),
        ("all time", ledger.since()),
    ]
    repl.console.print(totals_table(by_model, "this session", session))
    repl.console.print()
    repl.console.print(totals_table(periods, "period"))
    repl.console.print(notes(session if session.calls else periods[-1][1], meter.prices.checked))


@COMMANDS.command("context", "how full the model's context window is")
def _context(repl: CommandContext, _: str) -> None:
    chat = repl.chat
    counted = chat.counted_tokens()
    limit = chat.context_limit()
    used = counted if counted is not None else chat.context_tokens()
    share = min(used / limit, 1.0) if limit else 1.0
    filled = round(share * CONTEXT_BAR)
    bar = "█" * filled + "░" * (CONTEXT_BAR - filled)
    lines = [
        f"Context {'' if counted is not None else '≈ '}{used:,} of {limit:,} tokens "
        f"({share:.0%})  {bar}",
        f"[dim]window {chat.context_window():,} for {escape(inert(chat.settings.model))}, minus "
        f"{chat.context_window() - limit:,} kept for the answer "
        f"(answers may take up to {chat.answer_room():,})[/]",
    ]
    files = [a for m in chat.conversation.sent() for a in attachments_of(m)]
    if files:
        share = chat.budget.calibration.apply(sum(a.tokens for a in files))
        lines.append(f"[dim]{len(files)} attached file(s) ≈ {share:,} tokens of it[/]")
    held_back = chat.conversation.start
    if held_back:
        how = "summarised by /compact" if chat.conversation.summary else "no longer sent"
        lines.append(f"[dim]{held_back} earlier message(s) {how}; still saved and on screen[/]")
    if counted is not None:
        lines.append("[dim]counted by the API (count_tokens) for the next request[/]")
    else:
        table = "the cl100k table" if chat.exact_counts else "about 4 characters a token"
        ratio = chat.budget.calibration.ratio
        lines.append(
            f"[dim]estimated offline with {table}, scaled by {ratio:.2f} to match the API's "
            "counts[/]"
        )
    for line in lines:
        repl.console.print(line, highlight=False)


@COMMANDS.command("compact", "summarise older turns and send the summary instead", "[FOCUS]")
def _compact(repl: CommandContext, arg: str) -> None:
    with repl.console.status("Summarising the conversation…", spinner="dots"):
        try:
            done = compact(repl.chat, arg)
        except KeyboardInterrupt:
            repl.console.print("[yellow]compact interrupted[/]: nothing changed")
            return
    repl.console.print(
        f"Compacted {done.messages} message(s) into a summary of ≈ "
        f"{estimate_text(done.summary):,} tokens; they stay saved and on screen.",
        highlight=False,
    )
    repl.console.print(Text(inert(done.summary), style="dim"))


@COMMANDS.command("quit", "leave claude-tui (Ctrl-D works too)")
def _quit(repl: CommandContext, _: str) -> None:
    repl.quit()
