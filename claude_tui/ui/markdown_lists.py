"""Long lists printed item by item, exactly as rich prints them inside the whole list.

A list is one top-level block, so a 1,000-item answer would otherwise stay live
(re-parsed at every newline, redrawn whole at every frame) until it ends. Rich
renders each item on its own, so finished items can be printed in chunks: a
later chunk is the same list with its leading blank line dropped and, for an
ordered list, its first number set to where the earlier chunks stopped.

The number gutter is the catch: rich sizes it from ``start + len(items)``, so
an ordered list's items are printed early only once that is two digits or
more. When ``start + count`` later reaches 100 (or 1,000) the items already
printed keep their narrower gutter; the first nine stay live until it is known.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it.token import Token
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.segment import Segment

LIST_OPENS = ("bullet_list_open", "ordered_list_open")


@dataclass
class OpenList:
    """A top-level list some of whose items are printed; what continuing it needs."""

    ordered: bool
    next_number: int  # the number the next printed item has (ordered lists)
    content_column: int  # item text starts here; a line indented less may start an item
    scanned: int  # where the lines not yet looked at begin in the tail


def items(tokens: list[Token]) -> list[Token]:
    """The top-level list's own items (not those of lists nested in them)."""
    return [t for t in tokens if t.type == "list_item_open" and t.level == 1]


def printable(tokens: list[Token], first_number: int) -> int:
    """How many of the list's items may be printed now: all but the last, if rich agrees.

    The last item may still grow. For an ordered list a chunk ending before the
    item numbered 9 would get a one-digit gutter that the whole list may outgrow.
    """
    found = items(tokens)
    ready = len(found) - 1
    if ready < 1 or tokens[0].type == "bullet_list_open":
        return max(ready, 0)
    return ready if first_number + ready >= 10 else 0


def content_column(item: Token) -> int:
    """Where an item's text starts: its marker's width plus the space after it."""
    return len(item.markup) + 1 + (len(item.info) if item.info else 0)


def numbered_from(markdown: Markdown, number: int) -> Markdown:
    """``markdown`` with its top-level ordered list starting at ``number``.

    Set on the parsed list, not written into the text: a wider number would move
    the item's content column, and what is nested under the item would fall out.
    """
    for token in markdown.parsed:
        if token.type == "ordered_list_open" and token.level == 0:
            token.attrs["start"] = number
            break
    return markdown


def list_start(opening: Token) -> int:
    """Where an ordered list's numbering starts (0 is a start like any other)."""
    start = opening.attrGet("start")
    return 1 if start is None else int(start)


def may_restructure(lines: list[str], column: int) -> bool:
    """Whether any of these complete lines can start an item or end the list.

    Lines indented to the item's text, and blank lines, only add to the item.
    """
    return any(line.strip() and len(line) - len(line.lstrip(" ")) < column for line in lines)


class Continued:
    """A later chunk of a list printed under the earlier ones: no blank line between."""

    def __init__(self, renderable: RenderableType) -> None:
        self._renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self._renderable, options, pad=False)
        if lines and not "".join(segment.text for segment in lines[0]).strip():
            lines = lines[1:]
        for line in lines:
            yield from line
            yield Segment.line()


class Bottom:
    """The last ``height`` rows of a renderable: a live region shows the newest text."""

    def __init__(self, renderable: RenderableType, height: int) -> None:
        self._renderable = renderable
        self._height = height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self._renderable, options, pad=False)
        for number, line in enumerate(lines[-self._height :]):
            if number:
                yield Segment.line()
            yield from line
