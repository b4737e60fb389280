"""The only door to the ``anthropic`` SDK.

Everything above this package speaks in :mod:`claude_tui.core.events` and
:mod:`claude_tui.errors`; the SDK itself is imported lazily (it takes over a
second) so the prompt can appear first.
"""

from claude_tui.api._client import ApiClient, preload_sdk

__all__ = ["ApiClient", "preload_sdk"]
