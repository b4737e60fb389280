"""The conversation as the API sees it, kept valid through every failure.

The API demands strictly alternating user/assistant turns, non-empty text
blocks, and thinking blocks passed back unchanged with their signatures. A
person, meanwhile, interrupts answers, hits errors, retries and undoes. This
module absorbs all of that so :meth:`Conversation.for_api` is always a payload
the API accepts.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from claude_tui.core.attachments import Attachment, from_block, is_attachment
from claude_tui.core.events import (
    BlockStart,
    CitationDelta,
    InputJsonDelta,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)

Role = Literal["user", "assistant"]
Status = Literal["complete", "interrupted", "error"]
Block = dict[str, Any]


@dataclass
class Message:
    """One turn; ``content`` holds API content blocks exactly as sent or received."""

    role: Role
    content: list[Block]
    status: Status = "complete"
    model: str | None = None
    stop_reason: str | None = None

    @property
    def text(self) -> str:
        """The visible text, joining text blocks the way a reader sees them."""
        return "".join(b.get("text", "") for b in self.content if b.get("type") == "text")


SUMMARY_HEADING = "Summary of our conversation so far:"
Resolve = Callable[[Block], Block]


def refuse_files(block: Block) -> Block:
    """The resolver of a conversation that cannot send files: none may be in it."""
    raise ValueError(f"no way to send the attachment {block.get('name')!r} was given")


def attachments_of(message: Message) -> list[Attachment]:
    """The files a message carries, in order."""
    return [from_block(b) for b in message.content if is_attachment(b)]


@dataclass
class Conversation:
    """An ordered list of turns plus the system prompt that frames them.

    Messages before ``start`` are kept (on screen, on disk) but no longer sent:
    the window outgrew them, or ``/compact`` replaced them with ``summary``,
    which then rides at the front of the first user turn that is sent.
    """

    system: str | None = None
    messages: list[Message] = field(default_factory=list)
    start: int = 0
    summary: str | None = None

    def add_user(self, text: str, attachments: Sequence[Attachment] = ()) -> Message:
        """Record what the person sent, files first; kept even if the request then fails."""
        blocks = [a.block() for a in attachments]
        message = Message("user", [*blocks, {"type": "text", "text": text}])
        self.messages.append(message)
        return message

    def add_assistant(self, message: Message) -> None:
        """Record an answer, complete or partial, right after its user turn."""
        self.messages.append(message)

    def continue_answer(self, message: Message) -> None:
        """Put ``message``, the last answer and its continuation joined, in its place."""
        if not self.messages or self.messages[-1].role != "assistant":
            raise ValueError("only the last answer can be continued")
        self.messages[-1] = message

    def paused_answer(self) -> Message | None:
        """The last answer if the API paused it (``pause_turn``) and nothing came after it."""
        last = self.messages[-1] if self.messages else None
        paused = last is not None and last.role == "assistant" and last.stop_reason == "pause_turn"
        return last if paused else None

    def cut_answer(self) -> Message | None:
        """The last answer if it stopped at ``max_tokens`` and nothing came after it."""
        last = self.messages[-1] if self.messages else None
        cut = last is not None and last.role == "assistant" and last.stop_reason == "max_tokens"
        return last if cut else None

    def last_user_index(self) -> int | None:
        """Where the final exchange starts: the most recent user turn."""
        for index in range(len(self.messages) - 1, -1, -1):
            if self.messages[index].role == "user":
                return index
        return None

    def last_user_text(self) -> str | None:
        """The most recent user message, which /retry resends."""
        index = self.last_user_index()
        return None if index is None else self.messages[index].text

    def last_answer(self) -> Message | None:
        """The most recent assistant turn, for /copy and the footer."""
        for message in reversed(self.messages):
            if message.role == "assistant":
                return message
        return None

    def pop_exchange(self) -> bool:
        """Drop the last user turn and anything after it; False if there is none."""
        index = self.last_user_index()
        if index is None:
            return False
        del self.messages[index:]
        if index < self.start:
            # The summary spoke for what was just removed: send what is left in full
            # again, and let the next send's fit trim it if the window needs that.
            self.start, self.summary = 0, None
        return True

    def sent(self) -> list[Message]:
        """The messages the next request carries: answered exchanges and the final user turn.

        A user turn whose answer failed before any content arrived is left out,
        so the payload never holds two user turns in a row.
        """
        kept: list[Message] = []
        pending: Message | None = None
        for message in self.messages[self.start :]:
            if message.role == "user":
                pending = message
                continue
            if pending is not None and sendable_blocks(message.content, _paused(message)):
                kept += [pending, message]
            pending = None
        if pending is not None:
            kept.append(pending)
        return kept

    def for_api(self, resolve: Resolve = refuse_files) -> list[dict[str, Any]]:
        """The messages of :meth:`sent` as the API takes them, the summary in the first.

        ``resolve`` turns each attachment block into the block the API takes (a file
        id or the data inline); the default refuses, for callers that send no files.
        """
        payload: list[dict[str, Any]] = []
        for message in self.sent():
            if message.role == "user":
                content = [
                    resolve(b) if is_attachment(b) else b
                    for b in self._user_content(message, payload)
                ]
                payload.append({"role": "user", "content": content})
            else:
                last = message is self.messages[-1]
                content = sendable_blocks(message.content, last and _paused(message))
                payload.append({"role": "assistant", "content": content})
        return payload

    def _user_content(self, message: Message, payload: list[dict[str, Any]]) -> list[Block]:
        """A user turn's blocks; the first one sent carries the summary of what came before."""
        content = copy.deepcopy(message.content)
        if self.summary and not payload:
            content.insert(0, {"type": "text", "text": f"{SUMMARY_HEADING}\n\n{self.summary}"})
        return content


def joined(first: Message, more: Message, whole: bool = False) -> Message:
    """An answer and its continuation, as the one answer they make.

    After a max_tokens cut the continuation's text runs on from the last text block
    and its thinking is left out, as it belongs to no text of the joined answer.
    After a pause (``whole``) every block is kept, as the API sent them. How it
    ended is the continuation's.
    """
    blocks = copy.deepcopy(first.content)
    if whole:
        content = blocks + copy.deepcopy(more.content)
        return Message("assistant", content, more.status, more.model, more.stop_reason)
    for block in more.content:
        if block.get("type") != "text":
            continue
        if blocks and blocks[-1].get("type") == "text":
            blocks[-1]["text"] += block.get("text", "")
        else:
            blocks.append(copy.deepcopy(block))
    return Message("assistant", blocks, more.status, more.model, more.stop_reason)


def _paused(message: Message) -> bool:
    return message.stop_reason == "pause_turn"


def _answered_calls(blocks: list[Block]) -> set[str]:
    return {str(b.get("tool_use_id")) for b in blocks if b.get("tool_use_id")}


def sendable_blocks(blocks: list[Block], paused: bool = False) -> list[Block]:
    """The blocks of an answer that the API will accept back.

    Empty text is rejected by the API, and a thinking block cut off before its
    signature cannot be verified, so both are dropped, as is a server tool call
    interrupted before its result (a ``paused`` turn goes back whole, as the API
    asks); everything else is passed back unchanged, as the API requires.
    """
    answered = None if paused else _answered_calls(blocks)
    return [
        copy.deepcopy(block)
        for block in blocks
        if _sendable(block)
        and (
            answered is None
            or block.get("type") != "server_tool_use"
            or str(block.get("id")) in answered
        )
    ]


def _sendable(block: Block) -> bool:
    kind = block.get("type")
    if kind == "text":
        return bool(block.get("text", "").strip())
    return kind != "thinking" or bool(block.get("signature"))


# Which block kind and field each delta event extends.
_DELTA_FIELDS: dict[type, tuple[str, str]] = {
    TextDelta: ("text", "text"),
    ThinkingDelta: ("thinking", "thinking"),
    SignatureDelta: ("thinking", "signature"),
    InputJsonDelta: ("server_tool_use", "partial_json"),
}


class AnswerBuilder:
    """Folds stream events into content blocks, so a partial answer is always at hand.

    Text arrives in thousands of small deltas; pieces are kept in lists and
    joined only when the blocks are read, so building stays linear. A server
    tool call's input arrives as JSON text and is parsed once it is whole.
    """

    def __init__(self) -> None:
        self._blocks: dict[int, Block] = {}
        self._pieces: dict[tuple[int, str], list[str]] = {}

    def apply(self, event: StreamEvent) -> None:
        """Update the blocks with one event; events that carry no content are ignored."""
        if isinstance(event, BlockStart):
            self._blocks[event.index] = copy.deepcopy(event.block)
            return
        if isinstance(event, CitationDelta):
            block = self._blocks.setdefault(event.index, {"type": "text"})
            block.setdefault("citations", []).append(copy.deepcopy(event.citation))
            return
        fields = _DELTA_FIELDS.get(type(event))
        if fields is None:
            return
        kind, name = fields
        index: int = event.index  # type: ignore[union-attr]
        self._blocks.setdefault(index, {"type": kind})
        self._pieces.setdefault((index, name), []).append(getattr(event, name))

    @property
    def generated_text(self) -> str:
        """Every piece of text and thinking the model produced, to estimate its tokens."""
        return "".join(
            "".join(pieces) for (_, name), pieces in self._pieces.items() if name != "signature"
        )

    @property
    def blocks(self) -> list[Block]:
        """The content so far, in the order the API numbered it."""
        return [self.block(index) for index in sorted(self._blocks)]

    def block(self, index: int) -> Block:
        """One block as it stands (empty if none has that index)."""
        block = copy.deepcopy(self._blocks.get(index, {}))
        for name in ("text", "thinking", "signature", "partial_json"):
            pieces = self._pieces.get((index, name))
            if pieces is None:
                continue
            if name == "partial_json":
                block["input"] = _tool_input("".join(pieces), block.get("input"))
            else:
                block[name] = block.get(name, "") + "".join(pieces)
        return block


def _tool_input(text: str, started: Any) -> Any:
    """A tool call's input from its JSON text; cut short, what the block began with."""
    try:
        return json.loads(text) if text else started
    except ValueError:
        return started if started is not None else {}
