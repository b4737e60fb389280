"""SQLite storage for sessions and messages; see ``_schema`` for the migrations."""

from claude_tui.store.sessions import SearchHit, SessionInfo, Store

__all__ = ["SearchHit", "SessionInfo", "Store"]
