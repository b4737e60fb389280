"""A saved session as Markdown to read or JSON to keep; both are pure functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from claude_tui.core.conversation import Conversation, Message

JSON_FORMAT = "claude-tui-session"
JSON_VERSION = 1


def to_markdown(meta: dict[str, Any], conversation: Conversation) -> str:
    """Headings per turn, answers verbatim so their code blocks survive intact."""
    lines = [f"# {meta.get('title') or 'Untitled session'}", ""]
    lines += [f"- Session: `{meta['id']}`", f"- Model: {meta['model']}"]
    lines += [f"- Started: {_iso(meta['created_at'])}", ""]
    if conversation.system:
        lines += ["## System prompt", "", conversation.system, ""]
    for message in conversation.messages:
        lines += [_heading(message), "", message.text.rstrip("\n"), ""]
    return "\n".join(lines)


def _heading(message: Message) -> str:
    who = "You" if message.role == "user" else f"Claude ({message.model or 'unknown model'})"
    note = "" if message.status == "complete" else f" — {message.status}"
    return f"## {who}{note}"


def to_json(meta: dict[str, Any], conversation: Conversation) -> str:
    """Every field of the session and its messages, content blocks included."""
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "session": {**meta, "system": conversation.system},
        "messages": [
            {
                "role": m.role,
                "content": m.content,
                "status": m.status,
                "model": m.model,
                "stop_reason": m.stop_reason,
            }
            for m in conversation.messages
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
