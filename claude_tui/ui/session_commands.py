"""The ``claude-tui sessions …`` commands: list, show, rename, delete, export, search."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from rich.console import Console

from claude_tui import paths
from claude_tui.core.export import to_json, to_markdown
from claude_tui.errors import UsageError
from claude_tui.store import Store
from claude_tui.ui.sessions_view import print_hits, replay, sessions_table, snippet_text


def list_sessions(store: Store, console: Console, limit: int, as_json: bool) -> None:
    """Recent sessions as a table, or as JSON lines for scripts."""
    sessions = store.sessions(limit)
    if as_json:
        console.file.write(json.dumps([asdict(s) for s in sessions], ensure_ascii=False) + "\n")
    elif sessions:
        console.print(sessions_table(sessions))
    else:
        console.print("No saved sessions yet.")


def show_session(store: Store, console: Console, ref: str, code_theme: str) -> None:
    """The whole conversation, rendered as it looked in the chat."""
    info = store.resolve(ref)
    console.print(f"[bold]{info.title or '(untitled)'}[/] [dim]{info.id} · {info.model}[/]")
    console.print()
    replay(console, store.load(info.id), code_theme, last=0)


def export_session(store: Store, out: TextIO, ref: str, fmt: str, target: Path | None) -> str:
    """Markdown or JSON of one session, to ``target`` or ``out``; returns the session id."""
    if fmt not in ("md", "json"):
        raise UsageError(f"--format must be md or json, not {fmt!r}")
    info = store.resolve(ref)
    conversation = store.load(info.id)
    meta = asdict(info)
    del meta["system"]
    text = to_markdown(meta, conversation) if fmt == "md" else to_json(meta, conversation)
    if target is None:
        out.write(text)
    else:
        try:
            paths.write_private(target, text)
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror}") from None
    return info.id


def search_sessions(store: Store, console: Console, query: str, as_json: bool) -> None:
    """Matching sessions, newest first, with the matched words highlighted."""
    hits = store.search(query)
    if as_json:
        rows = [{**asdict(hit.session), "snippet": snippet_text(hit.snippet).plain} for hit in hits]
        console.file.write(json.dumps(rows, ensure_ascii=False) + "\n")
    elif hits:
        print_hits(console, hits, time.time)
    else:
        console.print(f"Nothing matches {query!r}.")
