"""Cheap token estimates for the toolbar, needing no tokenizer tables.

About four characters make a token in English prose and code; the estimate
only has to say "roughly how full", and it must never delay the prompt.
"""

from __future__ import annotations

import json

from claude_tui.core.conversation import Conversation

CHARS_PER_TOKEN = 4


def estimate_text(text: str) -> int:
    """Tokens in ``text``, rounded up so a non-empty text is never zero."""
    return -(-len(text) // CHARS_PER_TOKEN)


def estimate_conversation(conversation: Conversation) -> int:
    """Tokens the next request would carry: system prompt plus every sendable block."""
    total = estimate_text(conversation.system or "")
    for message in conversation.for_api():
        total += estimate_text(json.dumps(message["content"], ensure_ascii=False))
    return total
