"""A saved session as Markdown to read or JSON to keep; both are pure functions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from claude_tui.core.attachments import (
    FILE_MARK,
    KIND_NAMES,
    from_block,
    is_attachment,
    is_sha256,
)
from claude_tui.core.conversation import Conversation, Message, attachments_of
from claude_tui.core.events import Usage
from claude_tui.core.pricing import Charge
from claude_tui.core.usage import UsageRecord
from claude_tui.core.web import cited_text

JSON_FORMAT = "claude-tui-session"
JSON_VERSION = 1
# Bounds a file's branch numbers and positions must keep (SQLite holds 64-bit integers).
MAX_BRANCHES = 1_000_000
MAX_MESSAGES = 10_000_000


def to_markdown(meta: dict[str, Any], conversation: Conversation) -> str:
    """Headings per turn, answers verbatim so their code blocks survive intact."""
    lines = [f"# {meta.get('title') or 'Untitled session'}", ""]
    lines += [f"- Session: `{meta['id']}`", f"- Model: {meta['model']}"]
    lines += [f"- Started: {_iso(meta['created_at'])}", ""]
    if conversation.system:
        lines += ["## System prompt", "", conversation.system, ""]
    return "\n".join(lines + _messages_markdown(conversation.messages))


def branch_markdown(branch: Branch) -> str:
    """A branch's own messages under a heading saying where it split."""
    heading = f"# Branch {branch.number}, from branch {branch.parent} after {branch.fork} messages"
    return "\n".join(["", heading, "", *_messages_markdown(branch.messages)])


def _messages_markdown(messages: list[Message]) -> list[str]:
    lines: list[str] = []
    for message in messages:
        files = [f"- {FILE_MARK}{a.describe()}" for a in attachments_of(message)]
        lines += [_heading(message), "", *files, *([""] if files else [])]
        lines += [cited_text(message.content).rstrip("\n"), ""]
    return lines


def _heading(message: Message) -> str:
    who = "You" if message.role == "user" else f"Claude ({message.model or 'unknown model'})"
    note = "" if message.status == "complete" else f" — {message.status}"
    return f"## {who}{note}"


@dataclass(frozen=True)
class Branch:
    """A branch in an export: its parent, how many of the parent's messages it shares,
    and its own messages after them."""

    number: int
    parent: int
    fork: int
    messages: list[Message]


def to_json(
    meta: dict[str, Any],
    conversation: Conversation,
    usage: Sequence[UsageRecord] = (),
    branches: Sequence[Branch] = (),
) -> str:
    """Every field of the session and its messages, content blocks included.

    A recovery file also carries ledger rows that could not be written; an import
    adds each once, however often it is loaded.
    """
    document: dict[str, Any] = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "session": {
            **meta,
            "system": conversation.system,
            "context_start": conversation.start,
            "summary": conversation.summary,
        },
        "messages": [_message_json(m) for m in conversation.messages],
    }
    if branches:
        document["branches"] = [
            {
                "branch": b.number,
                "parent": b.parent,
                "fork": b.fork,
                "messages": [_message_json(m) for m in b.messages],
            }
            for b in branches
        ]
    if usage:
        document["usage"] = [_record_json(record) for record in usage]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _message_json(message: Message) -> dict[str, Any]:
    return {
        "role": message.role,
        "content": message.content,
        "status": message.status,
        "model": message.model,
        "stop_reason": message.stop_reason,
    }


@dataclass(frozen=True)
class Imported:
    """A session document read back: its metadata, conversation (branch 0 when the file
    holds every branch), any ledger rows, and the other branches."""

    meta: dict[str, Any]
    conversation: Conversation
    usage: list[UsageRecord]
    branches: list[Branch] = field(default_factory=list)


def from_json(text: str) -> Imported:
    """Read what :func:`to_json` wrote; ValueError says what is wrong with anything else."""
    try:
        document = json.loads(text)
        if document.get("format") != JSON_FORMAT or document.get("version") != JSON_VERSION:
            raise ValueError(f"not a {JSON_FORMAT} version {JSON_VERSION} document")
        meta = dict(document["session"])
        if not isinstance(meta.get("model"), str) or not meta["model"]:
            raise ValueError("the session has no model id")
        messages = [_message(m) for m in document["messages"]]
        usage = [_record(r) for r in document.get("usage", [])]
        branches = [_branch(b) for b in document.get("branches", [])]
    except (AttributeError, KeyError, TypeError, ArithmeticError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a {JSON_FORMAT} document ({type(exc).__name__}: {exc})") from None
    start = min(int(meta.get("context_start") or 0), len(messages))
    conversation = Conversation(meta.get("system"), messages, start, meta.get("summary"))
    return Imported(meta, conversation, usage, branches)


def _branch(data: dict[str, Any]) -> Branch:
    number, parent, fork = int(data["branch"]), int(data["parent"]), int(data["fork"])
    if not 0 <= parent < number <= MAX_BRANCHES or not 0 <= fork <= MAX_MESSAGES:
        raise ValueError(f"branch {number} has parent {parent} and fork {fork}")
    return Branch(number, parent, fork, [_message(m) for m in data["messages"]])


def _message(data: dict[str, Any]) -> Message:
    content = data["content"]
    if data["role"] not in ("user", "assistant") or not isinstance(content, list) or not content:
        raise ValueError(f"a message has role {data['role']!r} or no content blocks")
    if not all(isinstance(block, dict) and isinstance(block.get("type"), str) for block in content):
        raise ValueError("a message has a content block without a type")
    if data["status"] not in ("complete", "interrupted", "error"):
        raise ValueError(f"a message has status {data['status']!r}")
    for block in content:
        if is_attachment(block) and not _valid_attachment(block):
            raise ValueError("a message has an attachment without a valid sha256, name and kind")
    return Message(
        data["role"], data["content"], data["status"], data["model"], data["stop_reason"]
    )


def _valid_attachment(block: dict[str, Any]) -> bool:
    try:
        attachment = from_block(block)
    except TypeError:
        return False
    return is_sha256(attachment.sha256) and attachment.kind in KIND_NAMES


def _record_json(record: UsageRecord) -> dict[str, Any]:
    """A ledger row as JSON; amounts as strings, so no float ever touches money."""
    data = asdict(record)
    data["charge"] = {k: None if v is None else str(v) for k, v in data["charge"].items()}
    return data


def _record(data: dict[str, Any]) -> UsageRecord:
    charge = {k: None if v is None else Decimal(v) for k, v in data["charge"].items()}
    return UsageRecord(**{**data, "usage": Usage(**data["usage"]), "charge": Charge(**charge)})


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
