"""SQLite storage for sessions, messages and the usage ledger; ``_schema`` has the migrations."""

from claude_tui.store.ledger import Ledger
from claude_tui.store.sessions import SearchHit, SessionInfo, Store
from claude_tui.store.tracker import Tracker

__all__ = ["Ledger", "SearchHit", "SessionInfo", "Store", "Tracker"]
