"""Text that arrived as bytes which are not UTF-8.

Python decodes such bytes in command-line arguments, environment variables and
terminal input as lone surrogates (``surrogateescape``). Nothing downstream can
store or send those, so each way in either refuses them or repairs them here.
"""

from __future__ import annotations


def is_utf8(text: str) -> bool:
    """True when ``text`` holds no undecodable bytes and can be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def repaired(text: str) -> str:
    """``text`` with each undecodable byte replaced by U+FFFD, as ``errors='replace'`` would."""
    raw = text.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "replace")
