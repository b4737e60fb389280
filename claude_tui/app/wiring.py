"""Build a ready chat from the effective configuration and the environment."""

from __future__ import annotations

from collections.abc import Mapping

from claude_tui.api import ApiClient
from claude_tui.app.chat import Chat, ChatSettings
from claude_tui.config import Config
from claude_tui.core.conversation import Conversation


def build_chat(config: Config, env: Mapping[str, str]) -> Chat:
    """A chat with the key read from the configured variable, never from the config file."""
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
    return Chat(client, settings, Conversation(system=config.system))
