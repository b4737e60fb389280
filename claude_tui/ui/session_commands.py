"""The ``claude-tui sessions …`` commands: list, show, export, import, search."""

from __future__ import annotations

import json
import stat
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from claude_tui import paths
from claude_tui.core.conversation import Conversation
from claude_tui.core.export import (
    Branch,
    Imported,
    branch_markdown,
    from_json,
    to_json,
    to_markdown,
)
from claude_tui.core.inert import inert, json_escaped
from claude_tui.errors import UsageError
from claude_tui.store import Store
from claude_tui.ui.look import PLAIN, Look
from claude_tui.ui.sessions_view import print_hits, replay, sessions_table, snippet_text, title

FORMATS = ("md", "json", "html")
# The format an export file's name asks for; anything else is Markdown.
SUFFIX_FORMATS = {".json": "json", ".html": "html", ".htm": "html"}
# A session export this large is no export of ours; refuse before reading it.
IMPORT_LIMIT = 512 * 1024 * 1024


def list_sessions(store: Store, console: Console, limit: int, as_json: bool) -> None:
    """Recent sessions as a table, or as JSON lines for scripts."""
    sessions = store.sessions(limit)
    if as_json:
        _write_json(console, [asdict(s) for s in sessions])
    elif sessions:
        costs = store.ledger.session_totals([s.id for s in sessions])
        console.print(sessions_table(sessions, costs))
    else:
        console.print("No saved sessions yet.")


def show_session(
    store: Store,
    console: Console,
    ref: str,
    look: Look,
    branch: int | None = None,
    all_branches: bool = False,
) -> None:
    """A branch (the active one by default) rendered as it looked in the chat; with
    ``all_branches``, every branch, each after the messages it shares with its parent."""
    info = store.resolve(ref)
    console.print(
        Text.assemble((title(info), "bold"), (f" {info.id} · {inert(info.model)}", "dim"))
    )
    console.print()
    if not all_branches:
        replay(console, store.load(info.id, _known_branch(store, info.id, branch)), look)
        return
    for found in store.branches(info.id):
        if found.parent is not None:
            console.print(
                f"[bold]Branch {found.number}[/] [dim]from branch {found.parent} after "
                f"{found.fork} messages[/]"
            )
        own = store.own_messages(info.id, found.number)
        replay(console, Conversation(messages=own), look)


def _known_branch(store: Store, session_id: str, branch: int | None) -> int | None:
    if branch is not None and branch not in {b.number for b in store.branches(session_id)}:
        raise UsageError(f"session {session_id} has no branch {branch}")
    return branch


def export_session(
    store: Store,
    out: TextIO,
    ref: str,
    fmt: str,
    target: Path | None,
    look: Look = PLAIN,
    all_branches: bool = False,
) -> str:
    """Markdown, JSON or HTML of one session, to ``target`` or ``out``; the session id.

    Written to a terminal, the text is made inert; to a file or a pipe it stays
    byte-exact, since scripts and later imports want exactly what was said (HTML
    is escaped whatever the destination).
    """
    if fmt not in FORMATS:
        raise UsageError(f"--format must be md, json or html, not {fmt!r}")
    info = store.resolve(ref)
    conversation = store.load(info.id, 0 if all_branches else None)
    others = _other_branches(store, info.id) if all_branches else []
    meta = asdict(info)
    del meta["system"]
    if fmt == "html":
        from claude_tui.ui.html_export import session_html

        text = session_html(info, conversation, store.ledger.session_by_message(info.id), look)
    elif fmt == "json":
        text = to_json(meta, conversation, branches=others)
    else:
        text = to_markdown(meta, conversation) + "".join(branch_markdown(b) for b in others)
    if target is None:
        out.write(inert(text) if out.isatty() else text)
    else:
        try:
            paths.write_private(target, text)
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror}") from None
    return info.id


def _other_branches(store: Store, session_id: str) -> list[Branch]:
    """Every branch but 0, with the messages of its own, for an export."""
    return [
        Branch(b.number, b.parent, b.fork, store.own_messages(session_id, b.number))
        for b in store.branches(session_id)
        if b.parent is not None
    ]


def import_file(store: Store, path: Path) -> str:
    """Load an export or recovery file; one line saying what it added."""
    imported = _parse(path, _read_document(path))
    parts = []
    if imported.conversation.messages:
        session_id, how = store.import_session(imported.meta, imported.conversation)
        count = len(imported.conversation.messages)
        if imported.branches and how in ("created", "copied"):
            made = store.import_branches(session_id, imported.branches)
            parts.append(f"session {session_id} {how} ({count} messages, {made} more branches)")
        else:
            parts.append(f"session {session_id} {how} ({count} messages)")
    if imported.usage:
        added = sum(store.ledger.append(record) for record in imported.usage)
        parts.append(f"{added} of {len(imported.usage)} usage row(s) added")
    return f"imported {path}: " + ("; ".join(parts) or "nothing to add")


def _read_document(path: Path) -> str:
    """The file's text, refusing devices, pipes, folders and anything absurdly large."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"cannot import {path}: not a regular file")
        if info.st_size > IMPORT_LIMIT:
            raise UsageError(
                f"cannot import {path}: {info.st_size:,} bytes, over the {IMPORT_LIMIT:,} limit"
            )
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot import {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot import {path}: not UTF-8 text") from None


def _parse(path: Path, text: str) -> Imported:
    try:
        return from_json(text)
    except ValueError as exc:
        raise UsageError(f"cannot import {path}: {exc}") from None


def search_sessions(store: Store, console: Console, query: str, as_json: bool) -> None:
    """Matching sessions, newest first, with the matched words highlighted."""
    hits = store.search(query)
    if as_json:
        rows = [
            {
                **asdict(hit.session),
                "snippet": snippet_text(hit.snippet).plain,
                "branch": hit.branch,
            }
            for hit in hits
        ]
        _write_json(console, rows)
    elif hits:
        print_hits(console, hits, time.time)
    else:
        console.print(f"Nothing matches {query!r}.")


def _write_json(console: Console, rows: list[dict[str, Any]]) -> None:
    """One JSON document for scripts, exact, yet harmless if it lands on a terminal."""
    console.file.write(json_escaped(json.dumps(rows, ensure_ascii=False)) + "\n")
