"""Build a ready chat from the effective configuration and the environment."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from claude_tui import paths
from claude_tui.api import ApiClient
from claude_tui.app.attachments import Attachments
from claude_tui.app.budget import BudgetWatch
from claude_tui.app.chat import Chat, ChatSettings
from claude_tui.app.meter import Meter
from claude_tui.app.models import ModelCatalog
from claude_tui.app.recorder import SessionRecorder
from claude_tui.app.tokenizer import Tokenizer
from claude_tui.config import SEARCH_PRICE, Config
from claude_tui.core.conversation import Conversation
from claude_tui.core.pricing import PriceTable, parse_price_table
from claude_tui.store import SessionInfo, Store, Tracker

DATABASE_NAME = "sessions.sqlite3"
ATTACHMENTS_FOLDER = "attachments"


def database_path(env: Mapping[str, str]) -> Path:
    """One database holds sessions and the usage ledger, so a session's cost joins its rows."""
    return paths.data_dir(env) / DATABASE_NAME


def open_store(env: Mapping[str, str]) -> Store:
    """The session database in the data directory (created private on first use)."""
    return Store.open(database_path(env))


def attachments_folder(env: Mapping[str, str]) -> Path:
    """Where attached files are kept, each once, named by its sha256."""
    return paths.data_dir(env) / ATTACHMENTS_FOLDER


def open_tracker(env: Mapping[str, str]) -> Tracker:
    """The background writer of usage rows; open the store first so the schema exists."""
    return Tracker(database_path(env))


def price_table(config: Config) -> PriceTable:
    """The shipped prices with the person's own ``[pricing]`` entries on top."""
    text = resources.files("claude_tui.data").joinpath("prices.toml").read_text("utf-8")
    models = {k: v for k, v in config.pricing.items() if k != SEARCH_PRICE}
    return parse_price_table(text).with_overrides(models, config.pricing.get(SEARCH_PRICE))


def build_chat(
    config: Config,
    env: Mapping[str, str],
    store: Store | None = None,
    session: SessionInfo | None = None,
    tracker: Tracker | None = None,
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
        effort=config.effort,
        thinking_display=config.thinking_display,
        prompt_cache=config.prompt_cache if isinstance(config.prompt_cache, str) else None,
        web=config.web if config.web.enabled else None,
    )
    conversation = Conversation(system=config.system)
    if store is not None and session is not None:
        conversation = store.load(session.id)
    recorder = SessionRecorder(store, session) if store is not None else None
    tokenizer = Tokenizer()
    meter = watch = None
    if tracker is not None:
        # An interrupted answer is billed by estimate rather than wait for the table.
        meter = Meter(price_table(config), tracker, tokenizer.count)
        tracker.adopt_with(meter.adopt)
    if tracker is not None and store is not None and config.budget.watched:
        watch = BudgetWatch(config.budget, store.ledger)
        if session is not None:
            watch.follow(session.id)
    catalog = ModelCatalog(client, store.model_lists if store is not None else None)
    chat = Chat(
        client,
        settings,
        conversation,
        recorder=recorder,
        meter=meter,
        tokenizer=tokenizer,
        budget_watch=watch,
        catalog=catalog,
        web_config=config.web,
    )
    if store is not None and session is not None:
        chat.calibrate(store.ledger.session_by_message(session.id))
    chat.attachments = Attachments(
        attachments_folder(env),
        client,
        store.uploads if store is not None else None,
        config.attachments,
        notify=chat.notify,
    )
    return chat
