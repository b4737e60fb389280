"""The server tools' versions, chosen in one place: the newest the installed SDK knows."""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

from claude_tui.core.web import WebSettings

_VERSIONED = re.compile(r"^(WebSearch|WebFetch)Tool(\d{8})Param$")
# Used when the SDK names none (never with anthropic>=2.17, which knows these).
KNOWN = {"web_search": "web_search_20250305", "web_fetch": "web_fetch_20250910"}


@functools.cache
def newest_versions() -> dict[str, str]:
    """``{"web_search": "web_search_YYYYMMDD", "web_fetch": ...}`` from the SDK's types."""
    types = importlib.import_module("anthropic.types")
    dates: dict[str, str] = {}
    for name in dir(types):
        found = _VERSIONED.match(name)
        if found:
            tool = "web_search" if found[1] == "WebSearch" else "web_fetch"
            dates[tool] = max(dates.get(tool, ""), found[2])
    return {tool: f"{tool}_{dates[tool]}" if tool in dates else KNOWN[tool] for tool in KNOWN}


def web_tools(web: WebSettings) -> list[dict[str, Any]]:
    """The tools array for a request with the web on."""
    versions = newest_versions()
    shared: dict[str, Any] = {"max_uses": web.max_uses}
    if web.allowed_domains:
        shared["allowed_domains"] = list(web.allowed_domains)
    elif web.blocked_domains:
        shared["blocked_domains"] = list(web.blocked_domains)
    tools = []
    if web.search:
        search = {"type": versions["web_search"], "name": "web_search", **shared}
        if web.user_location:
            search["user_location"] = {"type": "approximate", **web.user_location}
        tools.append(search)
    if web.fetch:
        fetch = {"type": versions["web_fetch"], "name": "web_fetch", **shared}
        tools.append({**fetch, "citations": {"enabled": True}})
    return tools
