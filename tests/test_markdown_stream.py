"""Streaming markdown ends on exactly the screen a one-shot render gives, at flat cost."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType
from rich.markdown import Markdown

from claude_tui.interrupts import to_the_end
from claude_tui.ui.markdown_lists import Bottom
from claude_tui.ui.markdown_stream import MarkdownStream
from tests.render import make_console, one_shot, screen_lines

BLOCKS = [
    "# A heading",
    "## Second *level*",
    "A paragraph with **bold**, `code` and a [link](https://example.com).\nIt wraps on.",
    "- one\n- two\n  more\n- three",
    "\n".join(f"{n}. item {n}" for n in range(1, 12)),
    "> quoted\n> text",
    "| a | b |\n|---|---|\n| 1 | 2 |\n| wider cell | x |",
    "---",
    "```python\ndef f(x):\n    return x * 2\n```",
    "```\n" + "\n".join(f"line {n}" for n in range(45)) + "\n\n```",
    "~~~js\nlet a = 1;\n~~~",
    "    indented code\n    block",
    "Text with trailing spaces  \nand a hard break.",
    "Hostile \x1b]0;PWNED\x07 text\x1b[2J with \x9b31m controls\r, bell\x07 and back\x08\x7f.",
    "```\n\x1b]52;c;UFdORUQ=\x07 in code\x00\n```",
    "| \x1b[7;77H | b |\n|---|---|\n| \x9d0;x\x9c | \x08 |",
]
# Controls the inert mapping replaces (newline and tab are kept), to sprinkle anywhere.
CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if chr(c) not in "\n\t"]


def _stream(text: str, width: int, sizes: list[int], height: int = 20) -> tuple[list[str], str]:
    console, buffer = make_console(width, height)
    with MarkdownStream(console) as stream:
        position = 0
        for size in sizes:
            stream.feed(text[position : position + size])
            position += size
        stream.feed(text[position:])
    return screen_lines(buffer.getvalue(), width), buffer.getvalue()


def _sprinkled(text: str, controls: list[tuple[int, str]]) -> str:
    """``text`` with control characters inserted at the given positions."""
    for position, char in sorted(controls, reverse=True):
        text = text[:position] + char + text[position:]
    return text


@settings(max_examples=40, deadline=None)
@given(
    blocks=st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=7),
    controls=st.lists(st.tuples(st.integers(0, 2000), st.sampled_from(CONTROLS)), max_size=20),
    sizes=st.lists(st.integers(min_value=1, max_value=40), max_size=400),
    width=st.sampled_from([40, 80, 120]),
)
def test_any_split_renders_like_one_shot(
    blocks: list[str], controls: list[tuple[int, str]], sizes: list[int], width: int
) -> None:
    """However an answer, controls and all, is cut into deltas, the final screen matches."""
    text = _sprinkled("\n\n".join(blocks), controls)
    assert _stream(text, width, sizes)[0] == one_shot(text, width)


def test_single_character_deltas_render_like_one_shot() -> None:
    """Feeding one character at a time, the hardest split, still matches."""
    text = "\n\n".join(BLOCKS)
    assert _stream(text, 80, [1] * len(text))[0] == one_shot(text, 80)


def test_finished_blocks_reach_the_scrollback_before_the_end() -> None:
    """A finished paragraph is printed once a later block starts, before finish()."""
    console, buffer = make_console(60)
    stream = MarkdownStream(console)
    stream.feed("First paragraph.\n\nSecond")
    assert "First paragraph." in buffer.getvalue()
    stream.finish()


def test_long_open_fence_commits_lines_while_open() -> None:
    """An open code block taller than the screen prints its finished lines as they come."""
    console, buffer = make_console(60, height=10)
    stream = MarkdownStream(console)
    stream.feed("```\n" + "".join(f"row {n}\n" for n in range(30)))
    printed = [line for line in screen_lines(buffer.getvalue(), 60) if "row" in line]
    assert len(printed) >= 20
    stream.finish()


def test_nothing_is_drawn_before_the_first_delta() -> None:
    """An answer that never arrives leaves no trace on screen."""
    console, buffer = make_console(60)
    with MarkdownStream(console):
        pass
    assert buffer.getvalue() == ""


def test_finish_is_idempotent_and_later_feeds_are_ignored() -> None:
    """Finishing twice prints nothing more, and text after finish is not drawn."""
    console, buffer = make_console(60)
    stream = MarkdownStream(console)
    stream.feed("done")
    stream.finish()
    after = buffer.getvalue()
    stream.finish()
    stream.feed("late")
    assert buffer.getvalue() == after


def test_interrupt_keeps_the_partial_answer_on_screen() -> None:
    """Ctrl-C inside the stream leaves what arrived rendered in the scrollback."""
    console, buffer = make_console(60)
    try:
        with MarkdownStream(console) as stream:
            stream.feed("Partial **answer** so far")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert screen_lines(buffer.getvalue(), 60) == ["Partial answer so far"]


def test_feeding_renders_nothing_itself_and_a_pause_shows_every_character() -> None:
    """Deltas cost no drawing; when the model pauses, the last characters are on screen."""
    console, buffer = make_console(60)
    stream = MarkdownStream(console, max_refresh_per_second=20)
    words = ["one "] + [f"w{n} " for n in range(100)] + ["last"]
    for word in words:
        stream.feed(word)
    frames_while_feeding = buffer.getvalue().count("one")
    deadline = time.monotonic() + 5
    while "last" not in screen_lines(buffer.getvalue(), 60)[-1]:
        assert time.monotonic() < deadline, "the paused tail was never drawn"
        time.sleep(0.02)
    stream.finish()
    assert frames_while_feeding < 10
    assert screen_lines(buffer.getvalue(), 60) == one_shot("".join(words), 60)


def test_parsing_work_grows_linearly_with_the_answer() -> None:
    """Characters handed to the parser stay proportional to the answer, not its square."""

    def parsed(paragraphs: int) -> int:
        console, _ = make_console(80)
        stream = MarkdownStream(console)
        text = "".join(f"Paragraph {n} has a few words.\n\n" for n in range(paragraphs))
        for index in range(0, len(text), 4):
            stream.feed(text[index : index + 4])
        stream.finish()
        return stream.parsed_chars

    small, large = parsed(50), parsed(500)
    assert large < 12 * small


def test_long_fence_is_not_reparsed_per_line() -> None:
    """Inside a long code block, new lines cost no parse of the whole block."""
    console, _ = make_console(80, height=40)
    stream = MarkdownStream(console)
    stream.feed("```\n")
    for n in range(2000):
        stream.feed(f"code line {n}\n")
    assert stream.parsed_chars < 3 * len(stream.text)
    stream.feed("```\n")
    stream.finish()


SHAPES = {
    "numbered steps with code inside": "\n\n".join(
        f"{n}. Step {n}: do this\n\n   ```python\n   x = {n}\n   print(x)\n   ```"
        for n in range(1, 26)
    ),
    "a blank line before a long fence": "\n```python\n"
    + "\n".join(f"print({n})" for n in range(60))
    + "\n```\n\nAfter.",
    "a fence indented two spaces": "Intro\n\n  ```python\n"
    + "\n".join(f"  print({n})" for n in range(60))
    + "\n  ```\n\nAfter.",
    "a list item number split from its dot": "1. one\n\n2. two\n\n" * 6 + "10. ten",
    "300 bullets": "\n".join(f"- item {n} " + "word " * (n % 9) for n in range(300)),
    "98 numbered items, some long": "\n".join(
        f"{n}. item {n} " + "word " * (n % 13) for n in range(1, 99)
    ),
    "nested lists": "\n".join(f"- item {n}\n  1. sub {n}a\n  2. sub {n}b" for n in range(40)),
    "a list, then a quote, then a list": "- a\n- b\n\n> q1\n> q2\n\n1. x\n2. y\n\nEnd.",
    "bullets with a different marker start a new list": "- a\n- b\n* c\n* d\n+ e",
    "numbered items starting at 7": "\n".join(f"{n}. item" for n in range(7, 40)),
    "ordered items all numbered 1": "\n".join("1. same number" for _ in range(30)),
    # Found by review: renumbering a later chunk moved what is nested under its first item.
    "items numbered 1 with nested bullets": "\n".join(
        "1. step\n   - detail a\n   - detail b" for _ in range(14)
    ),
    "items numbered 1 with code": "\n\n".join(
        "1. Step\n\n   ```py\n   x = 1\n   ```" for _ in range(12)
    ),
    "nested ordered lists three deep": "\n".join(
        f"{n}. item {n}\n   1. sub a\n      1. deep\n   2. sub b" for n in range(1, 25)
    ),
    "an ordered list starting at 0": "\n".join(f"{n}. item {n}" for n in range(0, 14)),
    "an ordered list with ) starting at 0": "\n".join(f"{n}) item {n}" for n in range(0, 14)),
}


@pytest.mark.parametrize("name", SHAPES)
@pytest.mark.parametrize(("width", "chunk"), [(40, 1), (80, 7), (100, 3), (160, 13)])
def test_shapes_models_write_render_like_one_shot(name: str, width: int, chunk: int) -> None:
    """Found by trying: steps with code, leading blank lines, indented fences, long lists."""
    text = SHAPES[name]
    sizes = [chunk] * (len(text) // chunk)
    assert _stream(text, width, sizes, height=40)[0] == one_shot(text, width)


def test_long_lists_and_quotes_are_not_reparsed_whole_per_line() -> None:
    """A 1,200-item list or a 400-line quote costs parsing in proportion to its length."""
    for text in (
        "\n".join(f"- item {n} with words" for n in range(1200)),
        "\n".join(f"> quoted line {n}" for n in range(400)),
    ):
        console, _ = make_console(100, 40)
        stream = MarkdownStream(console)
        for index in range(0, len(text), 4):
            stream.feed(text[index : index + 4])
        stream.finish()
        assert stream.parsed_chars < 10 * len(text)  # whole re-parses would be ~600x


def test_the_live_region_shows_the_newest_rows_and_fits_the_screen() -> None:
    """A live block taller than the screen is drawn by its last rows, never past the screen."""
    console, buffer = make_console(60, height=10)
    tall = Markdown("\n".join(f"{n}. row {n}" for n in range(1, 9)) + "\n\nnewest")
    console.print(Bottom(tall, 5))
    assert screen_lines(buffer.getvalue(), 60) == [
        " 6 row 6",
        " 7 row 7",
        " 8 row 8",
        "",
        "newest",
    ]


def test_a_whole_closed_fence_and_more_in_one_delta() -> None:
    """Found by the property test: a long closed fence arriving at once is not cut as code."""
    text = "```\n" + "\n".join(f"line {n}" for n in range(45)) + "\n\n```\n\n# A heading"
    assert _stream(text, 40, [])[0] == one_shot(text, 40)


class _PressedWhilePrinting(MarkdownStream):
    """Ctrl-C arrives while the Nth finished block is printed."""

    def __init__(self, console: Console, press_at: int) -> None:
        super().__init__(console)
        self.emits, self.press_at = 0, press_at

    def _emit(self, renderable: RenderableType, *, leaf: bool = True) -> None:
        self.emits += 1
        if self.emits == self.press_at:
            os.kill(os.getpid(), signal.SIGINT)
        super()._emit(renderable, leaf=leaf)


@pytest.mark.parametrize("press_at", [1, 2, 3, 4])
def test_ctrl_c_while_a_block_prints_shows_it_once(press_at: int) -> None:
    """Found by review: a press mid-print left the block unmarked, and finish printed it again."""
    console, buffer = make_console(60, 20)
    stream = _PressedWhilePrinting(console, press_at)
    list_text = "\n".join(f"- item {n}" for n in range(30)) + "\n"
    with contextlib.suppress(KeyboardInterrupt):
        stream.feed(list_text)
        stream.feed("\nA paragraph that ends the list.\n\n# Head\n")
    to_the_end(stream.finish)  # as TurnView ends an answer: a press there is dropped
    assert screen_lines(buffer.getvalue(), 60) == one_shot(stream.text, 60)
