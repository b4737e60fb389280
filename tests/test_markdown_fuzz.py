"""A differential fuzzer: markdown shaped like models write it, streamed in any split, at any
width, must end on the screen a one-shot render gives.

``CLAUDE_TUI_FUZZ_EXAMPLES=5000 python -m pytest tests/test_markdown_fuzz.py`` runs a
long campaign; CI runs a fast profile. Every case it has found is kept as an explicit
example in ``test_markdown_stream.py`` (SHAPES) or below.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.render import one_shot
from tests.test_markdown_stream import CONTROLS, _stream

EXAMPLES = int(os.environ.get("CLAUDE_TUI_FUZZ_EXAMPLES", "25"))
WORDS = st.sampled_from(
    ["the", "model", "writes", "code", "a", "list", "of", "steps", "x", "42", "déjà", "日本", "🙂"]
)


@st.composite
def inline(draw: st.DrawFn, max_words: int = 12) -> str:
    """A line of words with the inline markup models use."""
    words = draw(st.lists(WORDS, min_size=1, max_size=max_words))
    marks = ["{}", "**{}**", "*{}*", "`{}`", "[{}](https://example.com/{})", "~~{}~~"]
    return " ".join(draw(st.sampled_from(marks)).format(w, w) for w in words)


@st.composite
def fence(draw: st.DrawFn, indent: str = "") -> str:
    marker = draw(st.sampled_from(["```", "~~~", "````"]))
    lang = draw(st.sampled_from(["", "python", "js", "text"]))
    body = draw(
        st.lists(st.sampled_from(["x = 1", "", "    deep()", "print('hi')", "}"]), max_size=50)
    )
    lines = [f"{marker}{lang}", *body, marker]
    return "\n".join(indent + line if line else line for line in lines)


@st.composite
def bullet_list(draw: st.DrawFn, depth: int = 0) -> str:
    marker = draw(st.sampled_from(["-", "*", "+"]))
    items = []
    for _ in range(draw(st.integers(1, 120 if depth == 0 else 4))):
        item = f"{marker} {draw(inline())}"
        extra = draw(st.sampled_from(["", "", "", "nested", "fence", "para"]))
        if extra == "nested" and depth < 2:
            item += "\n" + _indented(draw(bullet_list(depth + 1)), "  ")
        elif extra == "fence":
            item += "\n\n" + draw(fence(indent="  "))
        elif extra == "para":
            item += "\n\n  " + draw(inline())
        items.append(item)
    return draw(st.sampled_from(["\n", "\n\n"])).join(items)


@st.composite
def ordered_list(draw: st.DrawFn) -> str:
    """Up to 98 items: from the 99th rich widens the gutter (the documented trade)."""
    start = draw(st.sampled_from([1, 1, 1, 3]))
    count = draw(st.integers(1, 98 - start))
    delimiter = draw(st.sampled_from([".", ")"]))
    items = []
    for number in range(start, start + count):
        item = f"{number}{delimiter} {draw(inline())}"
        if draw(st.integers(0, 5)) == 0:
            item += "\n\n" + draw(fence(indent=" " * (len(str(number)) + 2)))
        items.append(item)
    return draw(st.sampled_from(["\n", "\n\n"])).join(items)


@st.composite
def quote(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(inline(), st.just(""), st.just("```\ncode\n```")), min_size=1))
    return "\n".join("> " + line.replace("\n", "\n> ") if line else ">" for line in lines)


@st.composite
def table(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 4))
    rows = [
        [draw(inline(max_words=3)) for _ in range(columns)] for _ in range(draw(st.integers(0, 8)))
    ]
    head = "| " + " | ".join(f"h{n}" for n in range(columns)) + " |"
    rule = "|" + "|".join("---" for _ in range(columns)) + "|"
    return "\n".join([head, rule, *("| " + " | ".join(row) + " |" for row in rows)])


def _indented(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


BLOCK = st.one_of(
    inline(max_words=40),
    st.builds(lambda h, t: f"{'#' * h} {t}", st.integers(1, 4), inline(max_words=6)),
    bullet_list(),
    ordered_list(),
    quote(),
    table(),
    fence(),
    st.integers(1, 3).flatmap(lambda n: fence(indent=" " * n)),
    st.just("---"),
)


@st.composite
def answer(draw: st.DrawFn) -> str:
    """A whole answer: blocks, maybe leading blank lines, maybe controls sprinkled in."""
    blocks = draw(st.lists(BLOCK, min_size=1, max_size=6))
    text = draw(st.sampled_from(["", "", "\n", "\n\n"])) + "\n\n".join(blocks)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(CONTROLS)) + text[at:]
    return text


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    text=answer(),
    sizes=st.lists(st.integers(1, 60), max_size=300),
    width=st.sampled_from([40, 80, 100, 160]),
)
@example(text="x " * 10_000, sizes=[7] * 100, width=80)  # a 20 KB paragraph
def test_streamed_answers_end_on_the_one_shot_screen(
    text: str, sizes: list[int], width: int
) -> None:
    """Any answer of these shapes, cut anywhere, at any width, ends like a one-shot render."""
    assert _stream(text, width, sizes, height=40)[0] == one_shot(text, width)
