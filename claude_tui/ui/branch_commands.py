"""/edit, /branches, /branch and /fork: a conversation is a tree, and nothing is lost."""

from __future__ import annotations

import time

from rich.text import Text

from claude_tui.core.inert import inert
from claude_tui.errors import UsageError
from claude_tui.ui.commands import CommandContext
from claude_tui.ui.sessions_view import replay, resuming_line


def edit(repl: CommandContext, arg: str) -> None:
    """Put your message N (the last by default) in the prompt; sending it starts a branch."""
    if arg and not (arg.isascii() and arg.isdigit()):
        raise UsageError("/edit takes the number /history gives a message of yours")
    chat = repl.chat
    index = chat.user_index(int(arg) if arg else None)
    resend = chat.edit_estimate(index)
    number = sum(m.role == "user" for m in chat.conversation.messages[: index + 1])
    repl.console.print(
        Text(
            f"Editing message {number}: the new branch resends ≈ {resend:,} tokens of history "
            "before the first answer "
            "(cached only if unchanged within the cache's lifetime); what followed stays saved "
            "as a branch. Enter sends, an empty line cancels.",
            style="dim",
        )
    )
    repl.edit_next(chat.conversation.messages[index].text, lambda text: chat.edit(index, text))


def branches(repl: CommandContext, _: str) -> None:
    """The branches of this session: where each split, how long it is, how it ends."""
    chat = repl.chat
    recorder = chat.recorder
    if recorder is None or recorder.session_id is None:
        repl.console.print("One branch: nothing is saved yet.")
        return
    now = time.time()
    for info in recorder.store.branches(recorder.session_id):
        mark = "●" if info.number == recorder.branch else " "
        split = (
            "" if info.parent is None else f" from branch {info.parent} after {info.fork} messages"
        )
        last = inert(info.last_text.strip().split("\n", 1)[0])[:60] or "(empty)"
        when = f", {_ago(now - info.created_at)}" if info.parent is not None else ""
        line = Text(f"{mark} {info.number:>2}", style="bold")
        line.append(f"  {info.length} messages{split}{when}", style="dim")
        line.append(f"  {last}")
        repl.console.print(line, no_wrap=True, overflow="ellipsis")


def _ago(seconds: float) -> str:
    if seconds < 90:
        return "just now"
    if seconds < 5400:
        return f"{round(seconds / 60)} min ago"
    return f"{round(seconds / 3600)} h ago"


def branch(repl: CommandContext, arg: str) -> None:
    """Switch to branch K and show where it stands."""
    if not (arg.isascii() and arg.isdigit()):
        raise UsageError("/branch takes the number /branches gives a branch")
    chat = repl.chat
    chat.switch_branch(int(arg))
    repl.console.print(f"Branch {int(arg)}:", highlight=False)
    replay(repl.console, chat.conversation, repl.look, repl.resume_show)


def fork(repl: CommandContext, arg: str) -> None:
    """Copy this branch into a new session, titled ``arg``, and go on there."""
    session = repl.chat.fork(arg.strip())
    repl.console.print(Text("Forked: ").append(resuming_line(session)))
