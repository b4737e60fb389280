"""Keep Anthropic API keys out of anything claude-tui prints.

The key lives only in an environment variable, but a person may paste it into
the config file or a flag by mistake; every message built from what they gave
passes through :func:`redact`, so an error never repeats the secret.
"""

from __future__ import annotations

import re

KEY_PREFIX = "sk-ant-"
_KEY = re.compile(re.escape(KEY_PREFIX) + r"[^\s'\"]*")
HIDDEN = KEY_PREFIX + "…(hidden)"


def looks_like_key(text: str) -> bool:
    """True when ``text`` holds something shaped like an Anthropic API key."""
    return KEY_PREFIX in text


def redact(text: str) -> str:
    """``text`` with every key-shaped word replaced by a marker that keeps only its prefix."""
    return _KEY.sub(HIDDEN, text)
