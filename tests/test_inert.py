"""The inert mapping: every terminal control becomes a visible stand-in, nothing else changes."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claude_tui.core.inert import inert, json_escaped

C0 = [chr(code) for code in range(0x20) if chr(code) not in "\n\t"]
C1 = [chr(code) for code in range(0x80, 0xA0)]
CONTROLS = [*C0, "\x7f", *C1]


def _controls_in(text: str) -> set[str]:
    return {char for char in text if unicodedata.category(char) == "Cc" and char not in "\n\t"}


@pytest.mark.parametrize("char", C0, ids=lambda c: f"U+{ord(c):04X}")
def test_every_c0_control_becomes_its_control_picture(char: str) -> None:
    """Each C0 control but newline and tab is shown as its one-cell Unicode picture."""
    shown = inert(char)
    assert shown == chr(0x2400 + ord(char))
    assert unicodedata.name(shown).startswith("SYMBOL FOR")


def test_del_becomes_the_delete_symbol() -> None:
    """DEL is shown as ␡."""
    assert inert("\x7f") == "␡"


@pytest.mark.parametrize("char", C1, ids=lambda c: f"U+{ord(c):04X}")
def test_every_c1_control_is_spelled_out(char: str) -> None:
    """C1 controls, which have no pictures, are shown as their code point."""
    assert inert(char) == f"<U+{ord(char):04X}>"


def test_newline_and_tab_are_kept() -> None:
    """Line breaks and tabs are layout, not attacks, and stay as they are."""
    assert inert("a\tb\nc\n") == "a\tb\nc\n"


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("\x1b[2J\x1b[H", "␛[2J␛[H"),
        ("\x1b]0;PWNED\x07", "␛]0;PWNED␇"),
        ("\x1b]2;PWNED\x1b\\", "␛]2;PWNED␛\\"),
        ("\x1b]52;c;UFdORUQ=\x07", "␛]52;c;UFdORUQ=␇"),
        (
            "\x1b]8;;https://evil.example\x1b\\safe\x1b]8;;\x1b\\",
            "␛]8;;https://evil.example␛\\safe␛]8;;␛\\",
        ),
        ("\x9b2J\x9d0;PWNED\x9c", "<U+009B>2J<U+009D>0;PWNED<U+009C>"),
        ("rm -rf /\rls\x08\x08", "rm -rf /␍ls␈␈"),
        ("ok\r\n", "ok␍\n"),
    ],
)
def test_escape_sequences_are_shown_not_obeyed(hostile: str, shown: str) -> None:
    """Whole escape sequences come out as readable text with no control left in them."""
    assert inert(hostile) == shown


@given(st.text())
def test_no_control_survives(text: str) -> None:
    """Whatever the input, the output holds no control character but newline and tab."""
    assert _controls_in(inert(text)) == set()


@given(st.text(alphabet=st.characters(exclude_categories=("Cc",))))
def test_text_without_controls_is_unchanged(text: str) -> None:
    """Ordinary text, any script or symbol, passes through untouched."""
    assert inert(text) == text


@given(st.lists(st.text(alphabet=st.sampled_from([*CONTROLS, "a", "[", "\n"]))))
def test_mapping_deltas_equals_mapping_their_join(deltas: list[str]) -> None:
    """Split anywhere, even inside an escape sequence, the mapped pieces join to the same text."""
    assert "".join(inert(delta) for delta in deltas) == inert("".join(deltas))


@given(st.text())
def test_json_escaped_parses_to_the_same_value_without_raw_controls(text: str) -> None:
    """JSON for scripts keeps its exact strings yet carries no raw control to a terminal."""
    document = json_escaped(json.dumps({"title": text}, ensure_ascii=False))
    assert json.loads(document) == {"title": text}
    assert _controls_in(document) == set()
