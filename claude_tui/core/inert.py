"""Make untrusted text safe to show on a terminal: every control character made visible.

Model output, saved titles and the API's error messages are untrusted. An
escape sequence in them (``ESC [ 2 J`` clears the screen, ``ESC ] 0 ;`` sets
the window title, ``ESC ] 52 ;`` writes the clipboard, ``ESC ] 8 ;`` plants a
hyperlink) would be obeyed by the terminal. Rich is no guard: it passes ESC,
DEL and the C1 controls through untouched, in markdown, code blocks and tables
alike, and silently drops BEL, backspace and CR. So untrusted text is mapped
before rich sees it, with one convention wherever it reaches the screen:

- C0 controls U+0000-U+001F become their Unicode Control Pictures, one cell
  wide: ESC → ``␛``, BEL → ``␇``, backspace → ``␈``, CR → ``␍`` (also the CR of
  a CRLF), NUL → ``␀``. Newline and tab are kept.
- DEL U+007F becomes ``␡``.
- C1 controls U+0080-U+009F, which have no pictures, are spelled out as
  ``<U+009B>``.

JSON for scripts must keep its exact strings, so :func:`json_escaped` instead
writes the controls ``json.dumps`` leaves raw (DEL and C1) as ``\\u`` escapes:
the same data to a parser, nothing to a terminal.

Each character maps on its own, so the mapping is split-invariant: mapping
streamed deltas one by one gives the same text as mapping their join. The
replacements are plain text to markdown (``<U+…>`` is neither an HTML tag nor
an autolink), so mapping cannot turn prose into a link or hide any of it.
"""

from __future__ import annotations

KEPT = frozenset("\n\t")
CONTROL_PICTURES = 0x2400
DEL = 0x7F

_TABLE: dict[int, str] = {
    **{code: chr(CONTROL_PICTURES + code) for code in range(0x20) if chr(code) not in KEPT},
    DEL: "\N{SYMBOL FOR DELETE}",
    **{code: f"<U+{code:04X}>" for code in range(0x80, 0xA0)},
}
_JSON_TABLE: dict[int, str] = {code: f"\\u{code:04x}" for code in (DEL, *range(0x80, 0xA0))}


def inert(text: str) -> str:
    """``text`` with every terminal control character replaced by a visible stand-in."""
    return text.translate(_TABLE)


def json_escaped(document: str) -> str:
    """JSON text from ``json.dumps`` with its remaining raw controls written as escapes.

    Outside strings JSON has no such characters, and inside one ``\\u009b`` means
    exactly U+009B, so the document parses to the same value.
    """
    return document.translate(_JSON_TABLE)
