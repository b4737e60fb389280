"""The web as server tools: what to ask for, and how their blocks read in a transcript.

Search and fetch run on Anthropic's side; the answer carries ``server_tool_use``
and ``*_tool_result`` blocks and text blocks with ``citations``. These pure
functions give the lines a person sees for them and number the cited sources,
the same way while streaming, on replay and in exports. Everything here comes
from the model or the web: callers make it inert before it reaches a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

Block = dict[str, Any]
RESULT_TYPES = ("web_search_tool_result", "web_fetch_tool_result")
# How many pause_turn continuations one message may take before it stops.
PAUSE_LIMIT = 5
ERROR_TEXT = {
    "max_uses_exceeded": "the search limit for this request was reached",
    "too_many_requests": "too many searches at once; the API asked to slow down",
    "query_too_long": "the query was too long",
    "unavailable": "web search is unavailable right now",
    "invalid_tool_input": "the search was malformed",
    "request_too_large": "the request was too large to search with",
}


@dataclass(frozen=True)
class WebSettings:
    """Which server tools go with a request, and their limits (one of the domain lists).

    ``enabled`` is whether chats start with the web on (``/web`` toggles it).
    """

    enabled: bool = False
    search: bool = True
    fetch: bool = True
    max_uses: int = 5
    allowed_domains: tuple[str, ...] = ()
    blocked_domains: tuple[str, ...] = ()
    user_location: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """A cited page: the number its markers show, its title and URL."""

    number: int
    title: str
    url: str


def has_web(blocks: list[Block]) -> bool:
    """Whether an answer holds server tool blocks or citations (else it is plain text)."""
    return any(
        b.get("type") in ("server_tool_use", *RESULT_TYPES) or b.get("citations") for b in blocks
    )


def cited_text(blocks: list[Block]) -> str:
    """The answer's text with footnote markers, and its sources as footnotes after it."""
    numbered = sources(blocks)
    text = "".join(
        b.get("text", "") + markers(b, numbered, footnote=True)
        for b in blocks
        if b.get("type") == "text"
    )
    return f"{text}\n\n{footnotes(numbered)}" if numbered else text


def call_line(block: Block) -> str | None:
    """``searching: <query>`` or ``fetching: <url>`` for a server tool call."""
    if block.get("type") != "server_tool_use":
        return None
    given = block.get("input") or {}
    if block.get("name") == "web_fetch":
        return f"fetching: {given.get('url', '')}"
    if block.get("name") == "web_search":
        return f"searching: {given.get('query', '')}"
    return f"{block.get('name', 'tool')}: {given}"


def result_lines(block: Block, most: int = 5) -> list[str]:
    """A tool result as a few short lines: title · domain · age, or what went wrong."""
    content = block.get("content")
    if block.get("type") == "web_fetch_tool_result" and isinstance(content, dict):
        if content.get("type") == "web_fetch_result":
            document = content.get("content") or {}
            return [f"fetched {document.get('title') or content.get('url', '')}"]
        return [f"fetch failed: {content.get('error_code', 'error')}"]
    if block.get("type") != "web_search_tool_result":
        return []
    if isinstance(content, dict):
        code = str(content.get("error_code", "error"))
        return [f"search failed: {ERROR_TEXT.get(code, code)}"]
    results = [r for r in content or [] if isinstance(r, dict)]
    lines = [_result_line(r) for r in results[:most]]
    if len(results) > most:
        lines.append(f"… {len(results) - most} more")
    return lines or ["no results"]


def _result_line(result: Block) -> str:
    parts = [str(result.get("title") or "untitled"), domain(str(result.get("url", "")))]
    if result.get("page_age"):
        parts.append(str(result["page_age"]))
    return " · ".join(parts)


def domain(url: str) -> str:
    """The host of a URL, without ``www.``; a URL that does not parse is shown whole."""
    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        return url
    return host.removeprefix("www.")


def sources(blocks: list[Block]) -> list[Source]:
    """Every distinct cited URL, numbered in the order the answer first cites it."""
    found: dict[str, Source] = {}
    for block in blocks:
        for citation in block.get("citations") or []:
            url = str(citation.get("url", ""))
            if url and url not in found:
                title = str(citation.get("title") or url)
                found[url] = Source(len(found) + 1, title, url)
    return list(found.values())


def markers(block: Block, numbered: list[Source], footnote: bool = False) -> str:
    """`` [1][2]`` after a cited text block: one number per distinct source it cites
    (``[^1]`` markdown footnotes with ``footnote``, for files)."""
    numbers = {s.url: s.number for s in numbered}
    cited = []
    for citation in block.get("citations") or []:
        number = numbers.get(str(citation.get("url", "")))
        if number is not None and number not in cited:
            cited.append(number)
    mark = "[^{}]" if footnote else "[{}]"
    return " " + "".join(mark.format(n) for n in cited) if cited else ""


def is_web_link(url: str) -> bool:
    """Only printable http and https URLs become hyperlinks; anything else stays text."""
    if not url.isprintable() or " " in url:
        return False
    try:
        return urlsplit(url).scheme in ("http", "https")
    except ValueError:
        return False


def footnotes(numbered: list[Source]) -> str:
    """The sources as markdown footnotes, shown by renderers that know them and read as
    plain lines by those that do not."""
    return "\n".join(f"[^{s.number}]: {s.title} <{s.url}>" for s in numbered)
