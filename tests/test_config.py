"""Configuration: precedence, one-line errors, and an example file that never drifts."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claude_tui.config import Config, config_to_toml, example_config_text, load_config
from claude_tui.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_missing_default_file_gives_defaults(tmp_path: Path) -> None:
    """With no config file at the default place, every key has its default."""
    assert load_config(None, {"CLAUDE_TUI_HOME": str(tmp_path)}, {}) == Config()


def test_flags_beat_environment_beat_file(tmp_path: Path) -> None:
    """Precedence is flags, then CLAUDE_TUI_* variables, then the file, then defaults."""
    path = _file(tmp_path, 'model = "from-file"\nmax_tokens = 100\ntimeout = 5\n')
    env = {"CLAUDE_TUI_MODEL": "from-env", "CLAUDE_TUI_MAX_TOKENS": "200"}
    config = load_config(path, env, {"model": "from-flag", "system": None})
    assert (config.model, config.max_tokens, config.timeout) == ("from-flag", 200, 5.0)
    assert config.system is None


@pytest.mark.parametrize(("value", "ttl"), [("true", "5m"), ('"1h"', "1h"), ("false", False)])
def test_prompt_cache_takes_a_lifetime_or_false(tmp_path: Path, value: str, ttl: object) -> None:
    """true is the API's 5-minute cache; "1h" the hour-long one; false sends no marker."""
    assert load_config(_file(tmp_path, f"prompt_cache = {value}\n"), {}, {}).prompt_cache == ttl


def test_anthropic_base_url_is_a_fallback(tmp_path: Path) -> None:
    """ANTHROPIC_BASE_URL is used when CLAUDE_TUI_BASE_URL is not set."""
    env = {"CLAUDE_TUI_HOME": str(tmp_path), "ANTHROPIC_BASE_URL": "http://127.0.0.1:1"}
    assert load_config(None, env, {}).base_url == "http://127.0.0.1:1"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("max_tokens = \n", ":1:"),
        ('modle = "x"\n', "unknown key 'modle' (did you mean 'model'?)"),
        ('\n\nmax_tokens = "lots"\n', ":3: max_tokens must be an integer from 1 to 1000000"),
        ("max_tokens = -5\n", "max_tokens must be an integer"),
        ("max_tokens = true\n", "max_tokens must be an integer"),
        ("temperature = 1.5\n", "temperature must be a number from 0 to 1"),
        ("thinking = 10\n", "thinking must be"),
        ("thinking = 9000\nmax_tokens = 8192\n", "must be below max_tokens"),
        ('effort = "huge"\n', "effort must be 'low' or 'medium' or 'high' or 'xhigh' or 'max'"),
        ('prompt_cache = "2h"\n', "prompt_cache must be '5m', '1h' or false, got '2h'"),
        ('base_url = "ftp://x"\n', "http:// or https://"),
        ('thinking_display = "loud"\n', "'full' or 'summarized' or 'omitted' or 'summary'"),
    ],
)
def test_file_errors_are_one_precise_line(tmp_path: Path, text: str, words: str) -> None:
    """Each bad file names the file (and line where known) and what was expected."""
    path = _file(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, {}, {})
    message = str(caught.value)
    assert words in message and "\n" not in message
    assert caught.value.exit_code == 2


def test_environment_errors_name_the_variable(tmp_path: Path) -> None:
    """A bad environment value names the variable and the value."""
    env = {"CLAUDE_TUI_HOME": str(tmp_path), "CLAUDE_TUI_MAX_TOKENS": "abc"}
    with pytest.raises(ConfigError, match=r"CLAUDE_TUI_MAX_TOKENS: max_tokens must be .*'abc'"):
        load_config(None, env, {})


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    """--config pointing nowhere is reported rather than silently ignored."""
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml", {}, {})


def test_example_file_matches_the_declarations_and_loads_as_defaults(tmp_path: Path) -> None:
    """config.example.toml is generated from the keys and, used as is, changes nothing."""
    text = (REPO / "config.example.toml").read_text()
    assert text == example_config_text()
    assert load_config(_file(tmp_path, text), {}, {}) == Config()


def test_show_round_trips(tmp_path: Path) -> None:
    """`config show` output is valid config that loads back to the same settings."""
    config = Config(model="m", temperature=0.5, thinking=2048, system='say "hi"')
    assert load_config(_file(tmp_path, config_to_toml(config)), {}, {}) == config


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_arbitrary_files_only_raise_config_errors(data: bytes | str) -> None:
    """Whatever is in the file, loading either works or raises ConfigError."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        with contextlib.suppress(ConfigError):
            load_config(path, {}, {})


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["model", "max_tokens", "temperature", "thinking", "timeout", "x"]),
        st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=5), st.booleans()),
    )
)
def test_arbitrary_values_only_raise_config_errors(values: dict[str, object]) -> None:
    """Any mix of keys and typed values either loads or raises ConfigError."""
    with contextlib.suppress(ConfigError):
        load_config(None, {"CLAUDE_TUI_HOME": "/nonexistent"}, values)


@settings(max_examples=60, deadline=None)
@given(
    system=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80),
    model=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30).filter(
        str.strip
    ),
    daily=st.decimals(min_value="0.01", max_value="1000", places=4),
)
def test_show_round_trips_any_text(system: str, model: str, daily: object) -> None:
    """Any system prompt (newlines, quotes, controls, emoji), model id and budget load back."""
    text = f"system = {_basic(system)}\nmodel = {_basic(model)}\n[budget]\ndaily_usd = {daily}\n"
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(_file(Path(folder), text), {}, {})
        assert load_config(_file(Path(folder), config_to_toml(config)), {}, {}) == config


def test_show_round_trips_prices_with_tiers(tmp_path: Path) -> None:
    """Custom [pricing] tables, tiers included, come back from `config show` unchanged."""
    rates = "input = 3\noutput = 15\ncache_write_5m = 3.75\ncache_write_1h = 6\ncache_read = 0.3"
    text = f'[pricing."my-model"]\n{rates}\n[[pricing."my-model".tiers]]\nabove = 200000\n{rates}\n'
    config = load_config(_file(tmp_path, text), {}, {})
    assert config.pricing
    assert load_config(_file(tmp_path, config_to_toml(config)), {}, {}) == config


def _basic(value: str) -> str:
    """A TOML basic string for any text, written by hand so the test does not trust tomli-w."""
    escaped = "".join(
        ch if ch.isprintable() and ch not in '"\\' else f"\\U{ord(ch):08X}" for ch in value
    )
    return f'"{escaped}"'
