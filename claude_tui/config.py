"""Settings from flags, environment, the TOML file and defaults, in that order.

Every key is declared once, with its default, type check and one-line doc, so
validation, ``config show`` and ``config.example.toml`` can never disagree.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
import shlex
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from claude_tui import paths
from claude_tui.core.models import EFFORT_LEVELS
from claude_tui.core.pricing import RATE_KEYS, ModelPrice, PriceError, Rates, parse_model_price
from claude_tui.core.redact import looks_like_key, redact
from claude_tui.core.utf8 import is_utf8
from claude_tui.core.web import WebSettings
from claude_tui.errors import ConfigError

Check = Callable[[Any], Any]
Warn = Callable[[str], None]


def _doc(text: str, check: Check) -> dict[str, Any]:
    return {"doc": text, "check": check}


# Finds the line of an entry path inside a key's value: () is the key itself.
Locate = Callable[[tuple[str, ...]], str]


class _Invalid(Exception):
    """A value failed its check; the message says what was expected."""


class _InvalidEntry(_Invalid):
    """An entry inside a table failed; the message names it and what it was.

    ``entry`` is the key's path below the table, so the error can point at its line.
    """

    def __init__(self, message: str, entry: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.entry = entry


def _integer(low: int, high: int, *, optional: bool = False) -> Check:
    def check(value: Any) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _Invalid(f"an integer from {low} to {high}")
        return value

    return check


def _number(low: float, high: float | None, *, optional: bool = False) -> Check:
    def check(value: Any) -> float | None:
        if value is None and optional:
            return None
        number = _finite(value)
        if number is None or number < low or (high is not None and number > high):
            raise _Invalid(_range_text(low, high))
        if high is None and number <= 0:
            raise _Invalid(_range_text(low, high))
        return number

    return check


def _finite(value: Any) -> float | None:
    """``value`` as a float if it is a real, finite number (TOML has nan, inf and huge ints)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _range_text(low: float, high: float | None) -> str:
    return f"a number from {low:g} to {high:g}" if high is not None else "a number above 0"


def _text(
    *, optional: bool = False, choices: tuple[str, ...] = (), url: bool = False, blank: bool = True
) -> Check:
    def check(value: Any) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or (choices and value not in choices):
            raise _Invalid(" or ".join(repr(c) for c in choices) if choices else "a string")
        if not blank and not value.strip():
            raise _Invalid("a non-empty string")
        if not is_utf8(value):
            raise _Invalid("valid UTF-8 text")
        if url and not value.startswith(("http://", "https://")):
            raise _Invalid("a URL starting with http:// or https://")
        return value

    return check


def _variable_name(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise _Invalid("the name of an environment variable, such as ANTHROPIC_API_KEY")
    return value


def _thinking(value: Any) -> str | int:
    if value in ("off", "adaptive"):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1024:
        return value
    raise _Invalid("'off', 'adaptive' or a token budget of at least 1024")


def _cache_ttl(value: Any) -> str | bool:
    """``true`` is the 5-minute cache the API defaults to; ``false`` sends no cache marker."""
    if value is True:
        return "5m"
    if value is False or value in ("5m", "1h"):
        return value
    raise _Invalid("'5m', '1h' or false")


@dataclass(frozen=True)
class Budget:
    """Spending that earns a warning line when crossed, or with ``hard`` stops sending."""

    session_usd: Decimal | None = None
    daily_usd: Decimal | None = None
    hard: bool = False

    @property
    def watched(self) -> bool:
        """Whether any limit is set, so spending needs watching at all."""
        return self.session_usd is not None or self.daily_usd is not None


def _budget(value: Any) -> Budget:
    if isinstance(value, Budget):
        return value
    if not isinstance(value, dict):
        raise _Invalid("a table with session_usd and/or daily_usd")
    names = [f.name for f in fields(Budget)]
    amounts: dict[str, Any] = {}
    for name, amount in value.items():
        if name not in names:
            message = _unknown(f"budget.{name}", [f"budget.{n}" for n in names])
            raise _InvalidEntry(message, (name,))
        if name == "hard":
            if not isinstance(amount, bool):
                raise _InvalidEntry(f"budget.hard must be true or false, got {amount!r}", (name,))
            amounts[name] = amount
            continue
        number = _finite(amount)
        if number is None or number <= 0:
            message = f"budget.{name} must be an amount in USD above 0, got {amount!r}"
            raise _InvalidEntry(message, (name,))
        amounts[name] = Decimal(str(amount))
    return Budget(**amounts)


def _web(value: Any) -> WebSettings:
    if isinstance(value, WebSettings):
        return value
    if not isinstance(value, dict):
        raise _Invalid("a table with search, fetch, max_uses and the domain lists")
    names = [f"web.{f.name}" for f in fields(WebSettings)]
    settings: dict[str, Any] = {}
    for key, entry in value.items():
        if f"web.{key}" not in names:
            raise _InvalidEntry(_unknown(f"web.{key}", names), (key,))
        settings[key] = _web_entry(key, entry)
    if settings.get("allowed_domains") and settings.get("blocked_domains"):
        raise _InvalidEntry(
            "web.allowed_domains and web.blocked_domains cannot both be set (the API takes one)",
            ("blocked_domains",),
        )
    return WebSettings(**settings)


def _web_entry(key: str, entry: Any) -> Any:
    if key in ("enabled", "search", "fetch"):
        if not isinstance(entry, bool):
            raise _InvalidEntry(f"web.{key} must be true or false, got {entry!r}", (key,))
        return entry
    if key == "max_uses":
        if isinstance(entry, bool) or not isinstance(entry, int) or not 1 <= entry <= 50:
            raise _InvalidEntry(
                f"web.max_uses must be an integer from 1 to 50, got {entry!r}", (key,)
            )
        return entry
    if key == "user_location":
        known = {"city", "region", "country", "timezone"}
        if not isinstance(entry, dict) or not set(entry) <= known:
            raise _InvalidEntry(
                "web.user_location takes city, region, country and timezone", (key,)
            )
        return {k: str(v) for k, v in entry.items()}
    if not isinstance(entry, list) or not all(isinstance(d, str) and d.strip() for d in entry):
        raise _InvalidEntry(f"web.{key} must be a list of domains", (key,))
    return tuple(entry)


@dataclass(frozen=True)
class Role:
    """A saved prompt: a system prompt and perhaps a model and an effort level, by name.

    A system prompt holding ``{{input}}`` is a template for ``ask``: the question
    goes in its place and the whole is sent as the message.
    """

    system: str | None = None
    model: str | None = None
    effort: str | None = None
    web: bool | None = None

    @property
    def template(self) -> bool:
        """Whether this role wraps the question rather than framing a conversation."""
        return self.system is not None and INPUT_SLOT in self.system


INPUT_SLOT = "{{input}}"


def role_settings(config: Config, name: str) -> dict[str, Any]:
    """What role ``name`` sets (its system prompt unless it is a template, model, effort)."""
    role = config.roles.get(name)
    if role is None:
        known = ", ".join(sorted(config.roles)) or "none is configured"
        raise ConfigError(f"unknown role '{name}' ({known}); [roles.NAME] in the config adds one")
    settings = {
        "system": None if role.template else role.system,
        "model": role.model,
        "effort": role.effort,
        "web": None if role.web is None else replace(config.web, enabled=role.web),
    }
    return {key: value for key, value in settings.items() if value is not None}


def _roles(value: Any) -> dict[str, Role]:
    if not isinstance(value, dict):
        raise _Invalid("tables like [roles.NAME] with system and/or model")
    return {name: _role(name, entry) for name, entry in value.items()}


def _role(name: str, entry: Any) -> Role:
    if not isinstance(entry, dict):
        raise _InvalidEntry(f"roles.{name} must be a table with system and/or model", (name,))
    allowed = [f"roles.{name}.{f.name}" for f in fields(Role)]
    for key, text in entry.items():
        if f"roles.{name}.{key}" not in allowed:
            raise _InvalidEntry(_unknown(f"roles.{name}.{key}", allowed), (name, key))
        if key == "web":
            if not isinstance(text, bool):
                raise _InvalidEntry(f"roles.{name}.web must be true or false", (name, key))
            continue
        if not isinstance(text, str) or not text.strip() or not is_utf8(text):
            raise _InvalidEntry(f"roles.{name}.{key} must be non-empty text", (name, key))
        if key == "effort" and text not in EFFORT_LEVELS:
            levels = ", ".join(EFFORT_LEVELS)
            raise _InvalidEntry(f"roles.{name}.effort must be one of {levels}", (name, key))
    return Role(**entry)


SEARCH_PRICE = "web_search_per_1000"


def _pricing(value: Any) -> dict[str, Any]:
    """Model prices by id, and perhaps ``web_search_per_1000`` (USD for 1,000 searches)."""
    if not isinstance(value, dict):
        raise _Invalid('tables like [pricing."MODEL-ID"]')
    prices: dict[str, Any] = {}
    for model, entry in value.items():
        if model == SEARCH_PRICE:
            number = _finite(entry)
            if number is None or number < 0:
                raise _InvalidEntry(f"pricing.{SEARCH_PRICE} must be an amount in USD", (model,))
            prices[model] = Decimal(str(entry))
            continue
        try:
            prices[model] = parse_model_price(model, entry)
        except PriceError as exc:
            raise _InvalidEntry(str(exc), (model,)) from None
    return prices


@dataclass(frozen=True)
class Config:
    """The effective settings for one run."""

    model: str = field(default="claude-sonnet-5-5", metadata=_doc("Model id.", _text(blank=False)))
    max_tokens: int | None = field(
        default=None,
        metadata=_doc(
            "Most tokens in one answer; unset sends the model's own maximum.",
            _integer(1, 1_000_000, optional=True),
        ),
    )
    system: str | None = field(
        default=None, metadata=_doc("System prompt for new chats.", _text(optional=True))
    )
    temperature: float | None = field(
        default=None,
        metadata=_doc(
            "0.0 to 1.0; unset means not sent (some models reject it).",
            _number(0.0, 1.0, optional=True),
        ),
    )
    thinking: str | int = field(
        default="off",
        metadata=_doc('"off", "adaptive", or a budget of tokens (at least 1024).', _thinking),
    )
    effort: str | None = field(
        default=None,
        metadata=_doc(
            'How hard the model works: "low", "medium", "high", "xhigh" or "max", where the '
            "model takes it; unset sends none (the model's default).",
            _text(optional=True, choices=EFFORT_LEVELS),
        ),
    )
    thinking_display: str = field(
        default="full",
        metadata=_doc(
            '"full" shows thinking dimmed as the model sends it; "summarized" asks for a '
            'summary of it; "omitted" asks for none and shows a one-line count ("summary": '
            "the count, with thinking still sent).",
            _text(choices=("full", "summarized", "omitted", "summary")),
        ),
    )
    base_url: str | None = field(
        default=None,
        metadata=_doc("API base URL; unset means Anthropic's.", _text(optional=True, url=True)),
    )
    timeout: float = field(
        default=600.0, metadata=_doc("Seconds to wait for data from the API.", _number(0, None))
    )
    max_retries: int = field(
        default=2,
        metadata=_doc(
            "Retries after a rate limit, overload or server error, before the answer starts.",
            _integer(0, 10),
        ),
    )
    api_key_env: str = field(
        default="ANTHROPIC_API_KEY",
        metadata=_doc("Environment variable holding the API key.", _variable_name),
    )
    theme: str = field(
        default="auto",
        metadata=_doc(
            'Colours for a "dark" or "light" background; "auto" asks the terminal (OSC 11) '
            "and takes dark when it does not say.",
            _text(choices=("auto", "dark", "light")),
        ),
    )
    code_theme: str | None = field(
        default=None,
        metadata=_doc(
            "Pygments theme for code blocks; unset: monokai on dark, friendly on light.",
            _text(optional=True),
        ),
    )
    resume_show: int = field(
        default=3,
        metadata=_doc(
            "Exchanges shown when a session is resumed (each cut to its first 40 lines).",
            _integer(1, 1000),
        ),
    )
    editing_mode: str = field(
        default="emacs",
        metadata=_doc(
            'Keys at the prompt: "emacs" or "vi" (the vi mode is shown in the toolbar).',
            _text(choices=("emacs", "vi")),
        ),
    )
    hyperlinks: str = field(
        default="auto",
        metadata=_doc(
            'Links as OSC 8 hyperlinks ("on"), as text with the URL after it ("off"), '
            'or hyperlinks only where the terminal is known to draw them ("auto").',
            _text(choices=("auto", "on", "off")),
        ),
    )
    prompt_cache: str | bool = field(
        default="5m",
        metadata=_doc(
            'Cache the conversation so far for "5m" or "1h" (written at a higher price, '
            "for long pauses), or false: later turns read it at the cache price.",
            _cache_ttl,
        ),
    )
    attachments: str = field(
        default="upload",
        metadata=_doc(
            'How files go to the API: "upload" once with the Files API and by id after, '
            'or "inline" in every request (for gateways without the Files API).',
            _text(choices=("upload", "inline")),
        ),
    )
    web: WebSettings = field(
        default_factory=WebSettings,
        metadata=_doc(
            "What /web on and ask --web offer: web search and fetch (server tools), "
            "searches per request, and allowed or blocked domains.",
            _web,
        ),
    )
    budget: Budget = field(
        default_factory=Budget,
        metadata=_doc("Warn (never stop) when spending crosses these amounts in USD.", _budget),
    )
    pricing: dict[str, Any] = field(
        default_factory=dict,
        metadata=_doc(
            "Your own prices, USD per million tokens, replacing or adding models.", _pricing
        ),
    )
    roles: dict[str, Role] = field(
        default_factory=dict,
        metadata=_doc(
            "Saved prompts, used with --role NAME or /role NAME; {{input}} makes one a "
            "template for ask.",
            _roles,
        ),
    )


KEYS = {f.name: f for f in fields(Config)}
ENV_PREFIX = "CLAUDE_TUI_"
ENV_KEYS = ("model", "max_tokens", "system", "temperature", "thinking", "base_url", "timeout")
ENV_KEYS += ("max_retries",)
# Names a person might give the key itself; it is never read from the file.
SECRET_NAMES = frozenset({"apikey", "anthropicapikey", "xapikey", "authtoken"})


def load_config(
    path: Path | None,
    env: Mapping[str, str],
    overrides: Mapping[str, object],
    warn: Warn | None = None,
) -> Config:
    """Defaults, then the file, then the environment, then flags (None flags are skipped).

    ``warn`` hears about a config file that holds a key where others can read it.
    """
    values = _from_file(path, env, warn)
    values.update(_from_env(env))
    for key, value in overrides.items():
        if value is not None:
            values[key] = _checked(key, value, "command line")
    if values.get("thinking") not in (None, "off", "adaptive") and values.get("max_tokens"):
        budget, limit = values["thinking"], values["max_tokens"]
        if budget >= limit:
            raise ConfigError(f"thinking budget {budget} must be below max_tokens ({limit})")
    return Config(**values)


def _from_file(path: Path | None, env: Mapping[str, str], warn: Warn | None) -> dict[str, Any]:
    target = path or paths.config_path(env)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        if path is None:
            return {}
        raise ConfigError(f"{target}: no such config file") from None
    except NotADirectoryError:
        raise ConfigError(
            f"{target}: cannot read config file ({_file_in_the_way(target)})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{target}: cannot read config file ({exc})") from None
    if warn is not None and looks_like_key(text) and _others_can_read(target):
        warn(
            f"{target} contains an API key and other users can read it: "
            f"run chmod 600 {shlex.quote(str(target))}"
        )
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(target, exc)) from None
    return {
        key: _checked(key, value, lambda entry, key=key: _where(target, text, key, *entry))
        for key, value in document.items()
    }


def _file_in_the_way(target: Path) -> str:
    """Which file stands where a folder on the way to ``target`` should be."""
    folder = next((p for p in target.parents if p.exists() and not p.is_dir()), target.parent)
    return f"{folder} is a file, not a folder"


def _toml_error(target: Path, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    found = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", message)
    if found is None:
        return f"{target}: invalid TOML: {message}"
    return f"{target}:{found[2]}:{found[3]}: invalid TOML: {found[1]}"


def _others_can_read(target: Path) -> bool:
    try:
        return bool(target.stat().st_mode & 0o077)
    except OSError:
        return False


def _where(target: Path, text: str, key: str, *entry: str) -> str:
    """The file and the line that sets ``key`` (``key = ...`` or ``[key]``).

    With an ``entry`` path, the line of that key inside the table, found after its
    header: an error in ``daily_usd`` points at that line, not at ``[budget]``.
    """
    lines = text.splitlines()
    found = _line_of(key, lines, 0, dotted=True)
    for name in entry if found is not None else ():
        found = _line_of(name, lines, found, dotted=False) or found
    return str(target) if found is None else f"{target}:{found + 1}"


def _line_of(key: str, lines: list[str], start: int, *, dotted: bool) -> int | None:
    quoted = rf"[\"']?{re.escape(key)}[\"']?"
    table = r"\[\[?\s*" + (rf"{quoted}\s*[\].]" if dotted else rf"(?:[^\]]*\.)?{quoted}\s*\]")
    pattern = re.compile(rf"^\s*(?:{quoted}\s*=|{table})")
    return next((n for n in range(start, len(lines)) if pattern.match(lines[n])), None)


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    base_url = env.get(ENV_PREFIX + "BASE_URL") or env.get("ANTHROPIC_BASE_URL")
    for key in ENV_KEYS:
        raw = base_url if key == "base_url" else env.get(ENV_PREFIX + key.upper())
        if raw:
            source = f"environment variable {ENV_PREFIX}{key.upper()}"
            values[key] = _checked(key, _parse_env(key, raw), source, shown=raw)
    return values


def _parse_env(key: str, raw: str) -> Any:
    """Environment values are strings; read them as the key's type where they look it."""
    kind = KEYS[key].type
    if "int" in str(kind) and re.fullmatch(r"-?\d+", raw.strip()):
        return int(raw)
    if "float" in str(kind):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def _checked(key: str, value: Any, place: str | Locate, shown: Any = None) -> Any:
    """The value checked; errors name ``place`` (a file's line, a variable, a flag)."""
    where = place if isinstance(place, str) else place(())
    if re.sub(r"[-_]", "", key.lower()) in SECRET_NAMES:
        raise _error(
            f"{where}: {key} is not allowed here, so the key never sits on disk: "
            f"export it as {Config.api_key_env} (or the variable api_key_env names) "
            "and delete this line"
        )
    if key not in KEYS:
        raise _error(f"{where}: {_unknown(key, list(KEYS))}")
    try:
        return KEYS[key].metadata["check"](value)
    except _InvalidEntry as exc:
        where = where if isinstance(place, str) else place(exc.entry)
        raise _error(f"{where}: {exc}") from None
    except _Invalid as exc:
        got = _shown(shown if shown is not None else value)
        raise _error(f"{where}: {key} must be {exc}, got {got}") from None


def _error(message: str) -> ConfigError:
    """One line that repeats nothing shaped like an API key and no control characters."""
    escaped = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda found: repr(found[0])[1:-1], message)
    return ConfigError(redact(escaped))


def _unknown(key: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
    return f"unknown key '{key}'{hint}"


def _shown(value: Any) -> str:
    """A value as the person wrote it, short: tables and arrays by their kind."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return repr(value)


TABLES = ("budget", "pricing", "roles", "web")
EXAMPLE_TABLES = {
    "budget": [
        "[budget]",
        "session_usd = 2.0",
        "daily_usd = 10.0",
        "hard = false  # true: refuse to send once a limit is reached",
    ],
    "roles": [
        "[roles.reviewer]",
        'system = "You review code: terse, concrete, most important first."',
        'model = "claude-opus-5-5"',
        'effort = "high"',
        "[roles.fr]",
        'system = "Translate into French, keeping the formatting: {{input}}"',
    ],
    "web": [
        "[web]",
        "enabled = false  # true: chats start with the web on (/web off turns it off)",
        "search = true",
        "fetch = true",
        "max_uses = 5",
        '# allowed_domains = ["docs.python.org"]   # or blocked_domains, not both',
        '# user_location = { city = "Lyon", country = "FR" }',
    ],
    "pricing": ['[pricing."claude-sonnet-5-5"]']
    + [f"{key} = {value}" for key, value in zip(RATE_KEYS, (2, 2.5, 4, 0.1, 10), strict=True)],
}


def config_to_toml(config: Config) -> str:
    """The effective settings as TOML that loads back the same; unset keys commented out."""
    lines = []
    for name in KEYS:
        if name in TABLES:
            continue
        value = getattr(config, name)
        lines.append(f"# {name} =" if value is None else _toml_line(name, value))
    lines += ["", "[budget]"]
    for f in fields(Budget):
        value = getattr(config.budget, f.name)
        lines.append(f"# {f.name} =" if value is None else _toml_line(f.name, value))
    if config.pricing:
        lines += ["", _toml({"pricing": _price_tables(config.pricing)}).rstrip("\n")]
    web = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config.web).items()}
    lines += [
        "",
        _toml({"web": {k: v for k, v in web.items() if v not in ((), [], {})}}).rstrip("\n"),
    ]
    if config.roles:
        roles = {
            name: {k: v for k, v in asdict(r).items() if v is not None}
            for name, r in config.roles.items()
        }
        lines += ["", _toml({"roles": roles}).rstrip("\n")]
    return "\n".join(lines) + "\n"


def _price_tables(pricing: Mapping[str, Any]) -> dict[str, Any]:
    def rates(values: Rates) -> dict[str, Decimal]:
        return {key: getattr(values, key) for key in RATE_KEYS}

    return {
        model: price
        if not isinstance(price, ModelPrice)
        else {
            **rates(price.base),
            **(
                {"tiers": [{"above": t.above, **rates(t.rates)} for t in price.tiers]}
                if price.tiers
                else {}
            ),
        }
        for model, price in pricing.items()
    }


def example_config_text() -> str:
    """Every key, documented and commented out at its default, so the file changes nothing."""
    lines = [
        "# claude-tui configuration. Every key is optional; shown here at its default.",
        "# Precedence: command-line flags > CLAUDE_TUI_* environment > this file > defaults.",
        "# The API key is never read from this file: see api_key_env.",
    ]
    for f in fields(Config):
        lines += ["", f"# {f.metadata['doc']}"]
        if f.name in EXAMPLE_TABLES:
            lines += [f"# {line}" for line in EXAMPLE_TABLES[f.name]]
            continue
        default = None if f.default is MISSING else f.default
        lines.append(
            f"# {f.name} = (unset)" if default is None else f"# {_toml_line(f.name, default)}"
        )
    return "\n".join(lines) + "\n"


def _toml_line(name: str, value: Any) -> str:
    """``name = value`` as TOML writes it: any string, newlines and controls included."""
    return _toml({name: value}).rstrip("\n")


def _toml(document: dict[str, Any]) -> str:
    """tomli-w, imported here: only `config show` and `config init` write TOML."""
    import tomli_w

    return tomli_w.dumps(document)


__all__ = ["Config", "config_to_toml", "example_config_text", "load_config"]
