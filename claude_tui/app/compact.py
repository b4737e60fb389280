"""/compact: ask the model to summarise older turns, then send the summary instead of them.

The originals stay in the conversation and the database (and on screen); only
what is sent changes: the summary rides at the front of the first user turn
still sent. The summary request is billed like any other call, as kind
"compact", and an interrupted or failed summary changes nothing.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, replace

from claude_tui.app.chat import Chat
from claude_tui.app.meter import new_key
from claude_tui.core.conversation import Conversation
from claude_tui.core.events import MessageStart, Stop, TextDelta
from claude_tui.errors import UsageError
from claude_tui.interrupts import to_the_end

INSTRUCTION = (
    "Summarise our conversation so far so that it can replace it: keep the facts, decisions, "
    "code, names and open questions later turns will need, as concise notes, not a reply."
)
SUMMARY_MAX_TOKENS = 4096


@dataclass(frozen=True)
class Compacted:
    """What /compact did: how many messages the summary now stands for, and the summary."""

    messages: int
    summary: str


def compact(chat: Chat, instructions: str = "") -> Compacted:
    """Summarise everything before the last exchange and send the summary from now on."""
    conversation = chat.conversation
    cut = conversation.last_user_index() or 0
    if cut <= conversation.start:
        raise UsageError("nothing to compact yet: the conversation is one exchange or less")
    messages = conversation.messages[:cut]
    older = Conversation(conversation.system, messages, conversation.start, conversation.summary)
    summary = _summarise(chat, older, instructions)
    compacted = cut - conversation.start
    conversation.start, conversation.summary = cut, summary
    chat.remember_context()
    return Compacted(compacted, summary)


def _summarise(chat: Chat, older: Conversation, instructions: str) -> str:
    messages = older.for_api(chat.resolve)
    if messages and messages[-1]["role"] == "user":
        messages.pop()  # an unanswered question has nothing to summarise yet
    if not messages:
        raise UsageError("nothing new to compact since the last summary")
    ask = f"{INSTRUCTION}\n\n{instructions}".strip()
    messages.append({"role": "user", "content": [{"type": "text", "text": ask}]})
    request = chat.request_for(messages, thinking_asked="off")
    # No web tools: a summary must not run paid searches.
    request = replace(request, max_tokens=min(request.max_tokens, SUMMARY_MAX_TOKENS), web=None)
    pieces: list[str] = []
    start: MessageStart | None = None
    stop: Stop | None = None
    key: str | None = None
    try:
        with closing(chat.api.stream(request)) as events:
            for event in events:
                if isinstance(event, MessageStart):
                    start, key = event, new_key()
                    chat.open_call(event, None, key, kind="compact")
                elif isinstance(event, Stop):
                    stop = event
                elif isinstance(event, TextDelta):
                    pieces.append(event.text)
    finally:  # billed however it ended; a second Ctrl-C cannot skip the row
        to_the_end(lambda: chat.bill(start, stop, "".join(pieces), None, "compact", key))
    summary = "".join(pieces).strip()
    if not summary:
        raise UsageError("the model returned an empty summary; nothing was compacted")
    return summary
