"""Build a ready chat from the effective configuration and the environment."""

from __future__ import annotations

from collections.abc import Mapping

from claude_tui import paths
from claude_tui.api import ApiClient
from claude_tui.app.chat import Chat, ChatSettings
from claude_tui.app.recorder import SessionRecorder
from claude_tui.config import Config
from claude_tui.core.conversation import Conversation
from claude_tui.store import SessionInfo, Store

DATABASE_NAME = "sessions.sqlite3"


def open_store(env: Mapping[str, str]) -> Store:
    """The session database in the data directory (created private on first use)."""
    return Store.open(paths.data_dir(env) / DATABASE_NAME)


def build_chat(
    config: Config,
    env: Mapping[str, str],
    store: Store | None = None,
    session: SessionInfo | None = None,
) -> Chat:
    """A chat with the key read from the configured variable, never from the config file.

    With a ``session`` the chat continues it: its history, model and system prompt,
    unless the person named another model on the command line.
    """
    client = ApiClient(
        api_key=env.get(config.api_key_env) or None,
        key_env=config.api_key_env,
        base_url=config.base_url,
        timeout=config.timeout,
        max_retries=config.max_retries,
    )
    settings = ChatSettings(
        model=config.model,
        max_tokens=config.max_tokens,
        temperature=config.temperature,
        thinking=config.thinking,
    )
    conversation = Conversation(system=config.system)
    if store is not None and session is not None:
        conversation = store.load(session.id)
    recorder = SessionRecorder(store, session) if store is not None else None
    return Chat(client, settings, conversation, recorder=recorder)
