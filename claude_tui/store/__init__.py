"""SQLite storage for sessions, messages and the usage ledger; ``_schema`` has the migrations."""

from claude_tui.store.ledger import Ledger
from claude_tui.store.model_lists import ModelList, ModelLists
from claude_tui.store.sessions import SearchHit, SessionInfo, Store
from claude_tui.store.tracker import Tracker
from claude_tui.store.uploads import Uploads

__all__ = [
    "Ledger",
    "ModelList",
    "ModelLists",
    "SearchHit",
    "SessionInfo",
    "Store",
    "Tracker",
    "Uploads",
]
