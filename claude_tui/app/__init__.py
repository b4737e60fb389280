"""Wires the pieces for one chat: conversation, API client, clock."""

from claude_tui.app.chat import Chat, ChatSettings, StreamingApi, Turn, TurnResult, paused
from claude_tui.app.wiring import build_chat, open_store, open_tracker

__all__ = [
    "Chat",
    "ChatSettings",
    "StreamingApi",
    "Turn",
    "TurnResult",
    "build_chat",
    "open_store",
    "open_tracker",
    "paused",
]
