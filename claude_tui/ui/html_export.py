"""A session as one self-contained HTML page: inline CSS, code highlighted, thinking folded.

Answers are rendered by the same rich Markdown as in the terminal and exported as
HTML with inline styles, so the page needs no other file. Every piece of text, the
person's and the model's, is escaped (rich escapes what it exports; the rest goes
through ``html.escape``) after control characters are made visible, so a hostile
answer can neither run script in the page nor hide text in it.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping
from datetime import UTC, datetime

from rich.console import Console

from claude_tui.core.attachments import FILE_MARK
from claude_tui.core.conversation import Conversation, Message, attachments_of
from claude_tui.core.inert import inert
from claude_tui.core.usage import Totals, format_usd
from claude_tui.core.web import cited_text
from claude_tui.store import SessionInfo
from claude_tui.ui.look import Look
from claude_tui.ui.markdown_stream import markdown_of

WIDTH = 100
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 62rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d1f21; background: #fafafa; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
.meta, .cost, .file { color: #6a6f75; font-size: 0.85rem; }
section { margin: 1.2rem 0; padding: 0.6rem 0.9rem; border-radius: 6px; }
section.user { background: #e8f0fe; }
section.assistant { background: #fff; border: 1px solid #e2e4e7; }
pre { margin: 0; white-space: pre-wrap; font: 13px/1.4 ui-monospace, monospace; }
details { margin: 0.4rem 0; color: #6a6f75; }
.who { font-weight: 600; margin-bottom: 0.3rem; }
"""


def session_html(
    info: SessionInfo,
    conversation: Conversation,
    costs: Mapping[int, Totals],
    look: Look,
) -> str:
    """The whole page; ``costs`` maps an answer's position to what its call cost."""
    title = html.escape(inert(info.title or "Untitled session"))
    started = datetime.fromtimestamp(info.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = html.escape(f"{info.id} · {inert(info.model)} · {started}")
    parts = [f"<h1>{title}</h1>", f'<p class="meta">{meta}</p>']
    if conversation.system:
        parts.append(_section("system", "System prompt", _pre(conversation.system)))
    for seq, message in enumerate(conversation.messages):
        parts.append(_message(message, costs.get(seq), look))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _message(message: Message, cost: Totals | None, look: Look) -> str:
    if message.role == "user":
        files = "".join(
            f'<p class="file">{html.escape(FILE_MARK + inert(a.describe()))}</p>'
            for a in attachments_of(message)
        )
        return _section("user", "You", files + _pre(message.text))
    who = f"Claude ({inert(message.model or 'unknown model')})"
    if message.status != "complete":
        who += f" — {message.status}"
    folded = [
        f"<details><summary>Thinking</summary>{_pre(block.get('thinking', ''))}</details>"
        for block in message.content
        if block.get("type") == "thinking"
    ]
    footer = f'<p class="cost">{html.escape(_cost_line(cost))}</p>' if cost else ""
    answer = _rendered(cited_text(message.content), look)
    return _section("assistant", who, "".join(folded) + answer + footer)


def _section(kind: str, who: str, inner: str) -> str:
    return f'<section class="{kind}"><div class="who">{html.escape(who)}</div>{inner}</section>'


def _pre(text: str) -> str:
    return f"<pre>{html.escape(inert(text))}</pre>"


def _rendered(text: str, look: Look) -> str:
    """The answer as the terminal shows it, exported by rich with inline styles."""
    console = Console(
        file=io.StringIO(), record=True, width=WIDTH, force_terminal=True, color_system="truecolor"
    )
    console.print(markdown_of(inert(text), look))
    return console.export_html(inline_styles=True, code_format="<pre>{code}</pre>")


def _cost_line(cost: Totals) -> str:
    usage = cost.usage
    mark = "~" if cost.estimated_calls else ""
    return f"{mark}{format_usd(cost.cost)} · {usage.total_input:,} in · {usage.output_tokens:,} out"
