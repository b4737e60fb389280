"""Stream markdown to the terminal: a stable prefix printed once, a live tail redrawn.

Re-rendering a whole answer on every token costs O(n²) and flickers. Instead,
each top-level block that is known to be finished (a later block has begun)
is printed to the scrollback once, exactly as rich would print it inside the
whole document, and only the last, unfinished block lives in a transient
``Live`` region. A long open code fence commits its finished lines as they
arrive, so the live region never outgrows the screen. The test of all this:
the final screen equals a one-shot render of the same text.

The live tail is drawn by rich's refresh thread at a bounded rate, from the
text as it stands when the frame is drawn: feeding costs no rendering, and
when the model pauses the screen still shows every character that arrived.

The model's text is untrusted: both ways in (:meth:`MarkdownStream.feed` and
:func:`render_markdown`) pass it through :func:`~claude_tui.core.inert.inert`
first, so an escape sequence in it is shown, never obeyed, in the live tail,
the committed blocks, code blocks and tables alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markdown import Markdown, UnknownElement
from rich.syntax import Syntax
from rich.text import Text

from claude_tui.core.inert import inert
from claude_tui.interrupts import deferred
from claude_tui.ui.look import PLAIN, Look
from claude_tui.ui.markdown_lists import (
    LIST_OPENS,
    Bottom,
    Continued,
    OpenList,
    content_column,
    items,
    list_start,
    may_restructure,
    numbered_from,
    printable,
)

CONTAINERS = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"})


def render_markdown(console: Console, text: str, look: Look = PLAIN) -> None:
    """Print a whole document at once; saved messages are shown through this same path."""
    console.print(markdown_of(inert(text), look))


def markdown_of(text: str, look: Look) -> Markdown:
    """Rich's Markdown as ``look`` says: one place, so the stream and a replay agree."""
    return Markdown(text, code_theme=look.code_theme, hyperlinks=look.hyperlinks)


def _parser() -> MarkdownIt:
    """The same parser configuration rich's Markdown uses, so block boundaries agree."""
    return MarkdownIt("commonmark").enable("strikethrough").enable("table")


def _top_level(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.level == 0 and t.nesting in (0, 1) and t.map is not None]


def _separates(token: Token) -> bool:
    """Whether rich puts a blank line after this top-level element."""
    return (Markdown.elements.get(token.type) or UnknownElement).new_line


def _container(token: Token) -> bool:
    """Whether rich decides the blank line before this block by itself.

    Rich yields a blank line before a block when the element closed last asked
    for one. For lists, quotes and tables that is an element inside them, so a
    standalone render already starts with the right blank line; for leaf blocks
    it is the previous block, which a standalone render cannot see.
    """
    return token.type in CONTAINERS


def _is_closed(fence: Token, source: str) -> bool:
    """Whether the fence's last line is its closing marker (an open one runs to the end)."""
    start, end = fence.map  # type: ignore[misc]
    lines = source.splitlines()
    if end - start < 2 or end > len(lines):
        return False
    closing = lines[end - 1].strip()
    return closing.startswith(fence.markup) and set(closing) == {fence.markup[0]}


def _line_offset(text: str, line: int) -> int:
    """Where line number ``line`` (from 0) starts in ``text``."""
    return len("".join(text.splitlines(keepends=True)[:line]))


def _numbered(text: str) -> bool:
    head = text.lstrip(" ")
    digits = len(head) - len(head.lstrip("0123456789"))
    return 0 < digits < 10 and head[digits : digits + 1] in (".", ")")


def _dedent(line: str, spaces: int) -> str:
    """Up to ``spaces`` leading spaces removed, as a fence indented that far does."""
    return line[min(spaces, len(line) - len(line.lstrip(" "))) :]


@dataclass
class _OpenFence:
    """A top-level code fence still being written, some of whose lines may be printed."""

    marker: str
    lexer: str
    body_start: int
    indent: int  # spaces before the opening marker, taken off each code line as CommonMark does
    scanned: int = 0
    printed: int = 0
    closed: bool = False

    def body(self, tail: str) -> list[str]:
        """The code lines so far, the fence's indentation taken off."""
        lines = tail[self.body_start :].split("\n")
        return [_dedent(line, self.indent) for line in lines] if self.indent else lines


class MarkdownStream:
    """Feed deltas in; finished blocks go to the scrollback once, the rest stays live."""

    def __init__(
        self,
        console: Console,
        *,
        look: Look = PLAIN,
        max_refresh_per_second: float = 10.0,
    ) -> None:
        self._console = console
        self._look = look
        self._refresh_rate = max_refresh_per_second
        self._parser = _parser()
        self._parts: list[str] = []
        self._tail: list[str] = []
        self._blank_before = False
        self._fence: _OpenFence | None = None
        self._list: OpenList | None = None
        # Where unread lines begin while the tail is one block quote, else None.
        self._quote_scanned: int | None = None
        self._live: Live | None = None
        self._hiding = False
        self._finished = False
        self.parsed_chars = 0

    @property
    def text(self) -> str:
        """Everything fed so far, with its control characters made visible."""
        return "".join(self._parts)

    def __enter__(self) -> MarkdownStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish()

    def feed(self, text: str) -> None:
        """Add a delta; block boundaries can only appear at a newline, so parse only then."""
        if not text or self._finished:
            return
        text = inert(text)
        self._parts.append(text)
        self._tail.append(text)
        if "\n" in text:
            with deferred():  # a block printed must also be marked printed, or finish repeats it
                self._settle()
        self._draw()

    def finish(self) -> None:
        """Print whatever is still live, once, and stop the live region; idempotent."""
        if self._finished:
            return
        self._finished = True
        self._stop_live()
        tail = "".join(self._tail)
        self._print_done(tail, _top_level(self._parse(tail)))
        self._tail = []

    def _settle(self) -> None:
        tail = "".join(self._tail)
        fence = self._fence
        if fence is not None and not fence.closed and not self._may_close_fence(tail):
            self._commit_fence_lines(tail)
            return
        if self._list is not None and not self._list_may_change(tail):
            return
        if self._quote_scanned is not None and not self._quote_may_end(tail):
            return
        complete = tail[: tail.rfind("\n") + 1]  # a partial line may yet join the block above
        parsed = self._parse(complete)
        tokens = _top_level(parsed)
        if len(tokens) >= 2:
            split = _line_offset(tail, tokens[-1].map[0])  # type: ignore[index]
            self._print_done(tail[:split], tokens)
            tail, complete = tail[split:], complete[split:]
            self._tail = [tail]
            parsed = self._parse(complete)
            tokens = _top_level(parsed)
        self._track_fence(tokens[-1] if tokens else None, complete)
        if self._fence is not None and tokens:
            self._fence.closed = _is_closed(tokens[-1], complete)
        if len(tokens) == 1 and tokens[0].type in LIST_OPENS:
            self._print_list_items(tail, complete, parsed)
        quoted = len(tokens) == 1 and tokens[0].type == "blockquote_open"
        self._quote_scanned = len(complete) if quoted else None

    def _quote_may_end(self, tail: str) -> bool:
        """Lines that start with '>' only add to a quote; anything else may end it."""
        assert self._quote_scanned is not None
        end = tail.rfind("\n") + 1
        fresh = tail[self._quote_scanned : end].split("\n")[:-1]
        self._quote_scanned = max(self._quote_scanned, end)
        return not all(line.lstrip(" ").startswith(">") for line in fresh)

    def _list_may_change(self, tail: str) -> bool:
        """Whether the lines completed since the last look may start an item or end the list."""
        listed = self._list
        assert listed is not None
        end = tail.rfind("\n") + 1
        fresh = tail[listed.scanned : end].split("\n")
        listed.scanned = max(listed.scanned, end)
        return may_restructure(fresh, listed.content_column)

    def _print_list_items(self, tail: str, complete: str, parsed: list[Token]) -> None:
        """Print the list's finished items; the last one stays live, as it may grow."""
        listed = self._list
        first = listed.next_number if listed else list_start(parsed[0])
        ready = printable(parsed, first)
        found = items(parsed)
        if ready and found[ready].map[0] < self._console.height // 4:  # type: ignore[index]
            ready = 0  # batches of a quarter screen: fewer prints, a small live region
        if ready:
            split = _line_offset(complete, found[ready].map[0])  # type: ignore[index]
            self._print_list_chunk(complete[:split], parsed[0], ready)
            tail, complete = tail[split:], complete[split:]
            self._tail = [tail]
        if self._list is not None:
            self._list.content_column = content_column(found[-1])
            self._list.scanned = len(complete)

    def _print_list_chunk(self, text: str, opening: Token, count: int) -> None:
        """Print finished items: the first chunk as a list, later ones as its continuation."""
        if self._list is None:
            start = list_start(opening)
            ordered = opening.type == "ordered_list_open"
            self._list = OpenList(ordered, start, content_column=2, scanned=0)
            self._print_blocks(text)
        else:
            self._emit(Continued(self._continued(text)), leaf=False)
        self._list.next_number += count
        self._blank_before = True

    def _continued(self, text: str, listed: OpenList | None = None) -> Markdown:
        """Later items of the open list, numbered on from the items printed before."""
        listed = listed or self._list
        markdown = self._markdown(text)
        return (
            numbered_from(markdown, listed.next_number) if listed and listed.ordered else markdown
        )

    def _print_done(self, done: str, tokens: list[Token]) -> None:
        """Print finished text; an open fence's or list's rest goes first."""
        first_end = _line_offset(done, tokens[1].map[0]) if len(tokens) > 1 else len(done)  # type: ignore[index]
        if self._fence is not None:
            self._print_fence_rest(done[:first_end])
            done = done[first_end:]
        elif self._list is not None:
            if done[:first_end].strip():
                self._emit(Continued(self._continued(done[:first_end])), leaf=False)
                self._blank_before = True
            self._list = None
            done = done[first_end:]
        if done.strip():
            self._print_blocks(done)

    def _parse(self, text: str) -> list[Token]:
        self.parsed_chars += len(text)
        return self._parser.parse(text)

    def _track_fence(self, last: Token | None, tail: str) -> None:
        """Note an open top-level fence so its long body can be printed as it grows."""
        if last is None or last.type != "fence" or self._fence is not None or "\n" not in tail:
            return
        if _is_closed(last, tail):  # whole already: it is printed once the next block begins
            return
        opening = last.map[0]  # type: ignore[index]
        body_start = _line_offset(tail, opening + 1)
        first = tail[_line_offset(tail, opening) : body_start]
        indent = len(first) - len(first.lstrip(" "))
        lexer = (last.info or "").partition(" ")[0] or "text"
        self._fence = _OpenFence(last.markup, lexer, body_start, indent, scanned=body_start)
        self._commit_fence_lines(tail)

    def _may_close_fence(self, tail: str) -> bool:
        """Only a line starting with the fence's marker can end it; anything else is code.

        Just the lines completed since the last look are checked, so a long fence
        costs O(1) per token rather than a re-parse per line.
        """
        fence = self._fence
        assert fence is not None
        end = tail.rfind("\n") + 1
        fresh = tail[fence.scanned : end].split("\n")
        fence.scanned = max(fence.scanned, end)
        marker = fence.marker[0] * 3
        return any(line.lstrip(" ").startswith(marker) for line in fresh)

    def _fence_body(self, tail: str) -> list[str]:
        assert self._fence is not None
        return self._fence.body(tail)

    def _commit_fence_lines(self, tail: str) -> None:
        """Print finished code lines once enough wait that the live region would grow tall."""
        fence = self._fence
        assert fence is not None
        complete = self._fence_body(tail)[:-1]
        waiting = complete[fence.printed :]
        if len(waiting) < max(4, self._console.height // 2):
            return
        keep = len(waiting)
        while keep and not waiting[keep - 1].strip():
            keep -= 1
        if keep:
            self._print_code(waiting[:keep], top=fence.printed == 0, bottom=False)
            fence.printed += keep

    def _print_fence_rest(self, text: str) -> None:
        """Print the fence's remaining lines with its bottom padding; the block is done."""
        fence = self._fence
        assert fence is not None
        if fence.printed == 0:
            self._fence = None
            self._print_blocks(text)
            return
        tokens = _top_level(self._parse(text))
        code = tokens[0].content if tokens else "\n".join(self._fence_body(text))
        rest = code.split("\n")[fence.printed :]
        self._print_code(rest, top=False, bottom=True)
        self._fence = None
        self._blank_before = True

    def _print_code(self, lines: list[str], *, top: bool, bottom: bool) -> None:
        code = "\n".join(lines).rstrip() if bottom else "\n".join(lines)
        self._emit(self._code(code, top=top, bottom=bottom) if code else self._pad_line())

    def _code(
        self, code: str, *, top: bool, bottom: bool, fence: _OpenFence | None = None
    ) -> Syntax:
        fence = fence or self._fence
        assert fence is not None
        padding = (int(top), 1, int(bottom), 1)
        return Syntax(
            code, fence.lexer, theme=self._look.code_theme, word_wrap=True, padding=padding
        )

    def _pad_line(self) -> Syntax:
        assert self._fence is not None
        return Syntax("", self._fence.lexer, theme=self._look.code_theme, padding=(0, 1, 0, 1))

    def _print_blocks(self, text: str) -> None:
        tokens = _top_level(self._parse(text))
        if not tokens:
            return
        self._emit(self._markdown(text), leaf=not _container(tokens[0]))
        self._blank_before = _separates(tokens[-1])

    def _markdown(self, text: str) -> Markdown:
        return markdown_of(text, self._look)

    def _emit(self, renderable: RenderableType, *, leaf: bool = True) -> None:
        """Print to the scrollback above the live region, which is blank meanwhile.

        The region stays up (one Live, one refresh thread per answer): an empty
        frame erases it, the print lands where it was, and the thread's next
        refresh draws the tail below.
        """
        live = self._live
        if live is not None:
            self._hiding = True
            live.refresh()
        try:
            if self._blank_before and leaf:
                self._console.print()
            self._blank_before = False
            self._console.print(renderable)
        finally:
            self._hiding = False

    def _stop_live(self) -> None:
        """Erase and stop the live region, on an empty frame: rich redraws the last on stop."""
        if self._live is not None:
            self._hiding = True
            self._live.stop()
            self._live = None

    def _draw(self) -> None:
        """Make sure a live region shows the tail; rich's thread redraws it from then on."""
        if self._live is None:
            self._live = Live(
                console=self._console,
                get_renderable=self._frame,
                refresh_per_second=self._refresh_rate,
                transient=True,
                vertical_overflow="crop",
            )
            self._live.start(refresh=True)

    def _frame(self) -> RenderableType:
        """The tail as it stands now; called under the live region's lock, by either thread.

        Only its last rows are drawn: a region taller than the screen could not be
        erased, and the newest text is what the person is reading.
        """
        if self._hiding:
            return Text("")
        return Bottom(self._tail_view(), max(self._console.height - 1, 1))

    def _tail_view(self) -> RenderableType:
        """Built from one reading of each field: the main thread may change them meanwhile."""
        tail, fence, listed = "".join(self._tail), self._fence, self._list
        if fence is not None and fence.printed:
            rest = fence.body(tail)[fence.printed :]
            return self._code("\n".join(rest), top=False, bottom=True, fence=fence)
        if listed is not None:
            return Continued(self._continued(tail, listed))
        view = self._markdown(tail)
        leaf = not tail.lstrip(" ").startswith(("-", "*", "+", ">", "|")) and not _numbered(tail)
        return Group(Text(""), view) if self._blank_before and leaf else view
