"""Money to the cent: the price table, the arithmetic, and what each call is billed."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.app.budget import BudgetWatch
from claude_tui.app.meter import Meter, local_day
from claude_tui.app.recorder import SessionRecorder
from claude_tui.app.wiring import price_table
from claude_tui.config import Budget, Config
from claude_tui.core.events import MessageStart, Stop, TextDelta, Usage
from claude_tui.core.pricing import Charge, PriceError, parse_model_price
from claude_tui.core.tokens import estimate_text
from claude_tui.core.usage import UsageRecord, format_usd
from claude_tui.errors import BudgetError, ClaudeTuiError
from claude_tui.store import Store, Tracker
from tests.api_double import ApiDouble, Reply
from tests.sinks import Collected
from tests.test_cli import _run

PRICES = price_table(Config())
NOW = 1_764_000_000.0


def test_every_token_kind_is_priced_at_its_own_rate() -> None:
    """Input, 5m and 1h cache writes, cache reads and output each use their own rate once."""
    usage = Usage(
        input_tokens=1000, output_tokens=500, cache_write_5m=2000, cache_write_1h=1000,
        cache_read=10_000,
    )  # fmt: skip
    charge = PRICES.charge("claude-sonnet-5-5", usage)
    # 1000x2 + 2000x2.50 + 1000x4 + 10000x0.10 + 500x10 = 17,000 per million tokens
    assert charge.cost == Decimal("0.017")
    # cache traffic at full input (13000x2) minus what it cost (5000+4000+1000)
    assert charge.cache_saving == Decimal("0.016")


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-sonnet-5-5", "0.0186"),
        ("claude-opus-5-5", "0.0372"),
        ("claude-haiku-5-5", "0.000935"),
        ("claude-fable-5-1", "0.09275"),
        ("claude-mythos-5-1", "0.09275"),
        ("claude-fable-5", "0.0935"),
        ("claude-mythos-5", "0.0935"),
        ("claude-opus-5", "0.04675"),
        ("claude-opus-4-8", "0.04675"),
        ("claude-opus-4-7", "0.04675"),
        ("claude-opus-4-6", "0.04675"),
        ("claude-opus-4-5", "0.04675"),
        ("claude-sonnet-5", "0.0187"),
        ("claude-sonnet-4-6", "0.02805"),
        ("claude-sonnet-4-5", "0.02805"),
        ("claude-haiku-4-5", "0.00935"),
    ],
)
def test_listed_prices_match_anthropics_table(model: str, expected: str) -> None:
    """Each model's five rates are the ones found on 2026-11-24, checked through one mixed call."""
    usage = Usage(
        input_tokens=1000, output_tokens=1000, cache_write_5m=1000, cache_write_1h=1000,
        cache_read=1000,
    )  # fmt: skip
    assert PRICES.charge(model, usage).cost == Decimal(expected)


def test_haiku_5_5_prices_the_whole_prompt_at_the_tier_above_100k() -> None:
    """Up to 100,000 prompt tokens (cache reads included) use base rates; one more, the tier's."""
    at_limit = Usage(input_tokens=60_000, cache_read=40_000, output_tokens=1000)
    above = Usage(input_tokens=60_001, cache_read=40_000, output_tokens=1000)
    assert PRICES.charge("claude-haiku-5-5", at_limit).cost == Decimal("0.0069")
    assert PRICES.charge("claude-haiku-5-5", above).cost == Decimal("0.0345005")


def test_dated_ids_price_as_their_base_model() -> None:
    """claude-haiku-4-5-20251001 costs what claude-haiku-4-5 costs."""
    usage = Usage(input_tokens=1234, output_tokens=567)
    assert PRICES.charge("claude-haiku-4-5-20251001", usage) == PRICES.charge(
        "claude-haiku-4-5", usage
    )


@pytest.mark.parametrize("model", ["claude-mythos-preview", "claude-fable-5-2", "gpt-9"])
def test_a_model_with_no_price_costs_unknown_never_zero(model: str) -> None:
    """Unpriced models give no cost at all, which the UI shows as unknown."""
    charge = PRICES.charge(model, Usage(input_tokens=10, output_tokens=10))
    assert charge.cost is None and charge.cache_saving is None
    assert format_usd(charge.cost) == "unknown"


def test_config_prices_override_and_add_models() -> None:
    """[pricing."MODEL"] replaces a shipped price or prices a model the table lacks."""
    config = Config(
        pricing={
            "claude-mythos-preview": parse_model_price(
                "claude-mythos-preview",
                {
                    "input": 1,
                    "cache_write_5m": 1,
                    "cache_write_1h": 1,
                    "cache_read": 1,
                    "output": 3,
                },
            )
        }
    )
    charge = price_table(config).charge("claude-mythos-preview", Usage(1_000_000, 1_000_000))
    assert charge.cost == Decimal(4)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"input": 1}, "needs cache_write_5m"),
        ({"input": "1", "cache_write_5m": 1}, "input must be a number"),
        ({"input": -1}, "must be 0 or more"),
        ({"inptu": 1}, "unknown key 'inptu'"),
    ],
)
def test_malformed_prices_are_named_precisely(entry: dict[str, object], problem: str) -> None:
    """A broken price entry says which model and which key."""
    with pytest.raises(PriceError, match=problem):
        parse_model_price("m", entry)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "$0.00"),
        ("0.000000001", "<$0.00000001"),
        ("0.000084", "$0.000084"),
        ("0.00011432", "$0.00011"),
        ("0.01234", "$0.0123"),
        ("1234.5", "$1,234.50"),
        ("-0.5", "-$0.5000"),
    ],
)
def test_money_is_rounded_only_for_display(amount: str, shown: str) -> None:
    """Cents from a dollar up, four places below, two figures for crumbs, never a false zero."""
    assert format_usd(Decimal(amount)) == shown


def _metered_chat(api: ApiDouble, model: str = "claude-sonnet-5-5") -> tuple[Chat, Collected]:
    client = ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )
    records = Collected()
    meter = Meter(PRICES, records, estimate_text, clock=lambda: 1_764_000_000.0)
    ticks = itertools.count()
    chat = Chat(client, ChatSettings(model, 1000), clock=lambda: float(next(ticks)), meter=meter)
    return chat, records


def test_a_complete_answer_is_billed_from_the_final_usage(api: ApiDouble) -> None:
    """The message_delta figures, cache split included, are billed exactly and not estimated."""
    api.script(
        Reply(input_tokens=100, output_tokens=50, cache_write_5m=300, cache_write_1h=200,
              cache_read=4000)
    )  # fmt: skip
    chat, records = _metered_chat(api)
    list(chat.send("hi"))
    (record,) = records
    assert record.usage == Usage(100, 50, 300, 200, 4000) and not record.estimated
    assert record.charge.cost == Decimal("0.00265")  # 200 + 750 + 800 + 400 + 500 = 2,650
    assert record.model == "claude-sonnet-5-5" and record.request_id


@pytest.mark.parametrize("fault", ["drop", "error_event", "truncate"])
def test_a_broken_answer_is_billed_with_estimated_output(api: ApiDouble, fault: str) -> None:
    """Input figures come from message_start; output is estimated from the partial text."""
    api.script(Reply(text="x" * 400, chunk=40, input_tokens=700, cache_read=300, fault=fault,
                     fault_after=2))  # fmt: skip
    chat, records = _metered_chat(api)
    with pytest.raises(ClaudeTuiError):
        list(chat.send("hi"))
    (record,) = records
    assert record.estimated
    assert record.usage == Usage(input_tokens=700, output_tokens=20, cache_read=300)
    assert record.charge.cost == Decimal("0.00163")  # 700x2 + 300x0.10 + 20x10


def test_an_interrupted_answer_is_billed_too(api: ApiDouble) -> None:
    """Ctrl-C (closing the turn) still costs what was generated, flagged as estimated."""
    api.script(Reply(text="abcd" * 50, chunk=4, delay=0.01, input_tokens=10))
    chat, records = _metered_chat(api)
    turn = chat.send("go")
    for event in turn:
        if isinstance(event, TextDelta):
            break
    turn.close()
    (record,) = records
    assert record.estimated and record.usage.input_tokens == 10
    assert record.usage.output_tokens == 1  # one 4-character delta arrived
    assert turn.result is not None and turn.result.record == record


@pytest.mark.parametrize("status", [400, 401, 529])
def test_a_request_that_never_started_is_not_billed(api: ApiDouble, status: int) -> None:
    """No message_start, no bill: the ledger gets nothing."""
    api.script(Reply(status=status))
    chat, records = _metered_chat(api)
    with pytest.raises(ClaudeTuiError):
        list(chat.send("hi"))
    assert records == []


def test_an_unpriced_model_is_recorded_with_its_tokens_and_no_cost() -> None:
    """The tokens of a call to an unknown model are kept even though its cost is unknown."""
    records = Collected()
    meter = Meter(PRICES, records, estimate_text)
    start = MessageStart("claude-mythos-preview", "req_1", Usage(input_tokens=5))
    meter.bill(start, Stop("end_turn", Usage(5, 7)), "", session_id=None, message_seq=None)
    assert records[0].usage == Usage(5, 7) and records[0].charge.cost is None


@pytest.mark.parametrize("ttl", ["5m", "1h", None])
def test_prompt_caching_is_requested_unless_switched_off(api: ApiDouble, ttl: str | None) -> None:
    """Every chat request carries top-level cache_control with its lifetime, unless off."""
    client = ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )
    chat = Chat(client, ChatSettings("claude-sonnet-5-5", 100, prompt_cache=ttl))
    list(chat.send("hi"))
    body = api.requests[-1].body
    assert body.get("cache_control") == ({"type": "ephemeral", "ttl": ttl} if ttl else None)


@pytest.mark.parametrize(("ttl", "cost"), [("5m", "0.0025"), ("1h", "0.004")])
def test_a_cache_write_is_priced_at_its_lifetimes_rate(api: ApiDouble, ttl: str, cost: str) -> None:
    """1,000 tokens written to a 1-hour cache cost $4/M on sonnet, to a 5-minute one $2.50/M."""
    api.script(Reply(input_tokens=0, output_tokens=0, cache_write=1000))
    chat, records = _metered_chat(api)
    chat.settings = replace(chat.settings, prompt_cache=ttl)
    list(chat.send("hi"))
    assert api.requests[-1].body["cache_control"]["ttl"] == ttl
    assert records[0].charge.cost == Decimal(cost)


def _watched(tmp_path: Path, budget: Budget) -> tuple[BudgetWatch, Tracker]:
    path = tmp_path / "db.sqlite3"
    tracker = Tracker(path)
    return BudgetWatch(budget, Store.open(path).ledger, clock=lambda: NOW), tracker


def _spend(watch: BudgetWatch, tracker: Tracker, key: str, cost: str) -> list[str]:
    usage = Usage(input_tokens=1)
    record = UsageRecord(
        key, NOW, local_day(NOW), "s1", None, "m", None, usage, Charge(Decimal(cost), None)
    )
    tracker.record(record)
    return watch.check(record)


def test_budgets_warn_once_when_crossed_and_never_stop(tmp_path: Path) -> None:
    """The turn that takes spending past a limit gets one warning line; later turns none."""
    watch, tracker = _watched(tmp_path, Budget(session_usd=Decimal("1"), daily_usd=Decimal("2")))
    assert _spend(watch, tracker, "a", "0.60") == []
    assert _spend(watch, tracker, "b", "0.60") == [
        "budget: this session has now cost $1.20, past your $1.00"
    ]
    assert _spend(watch, tracker, "c", "0.30") == []
    assert _spend(watch, tracker, "d", "0.60") == [
        "budget: today has now cost $2.10, past your $2.00"
    ]
    tracker.close()


def test_a_configured_budget_warns_from_the_real_command(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """[budget] in the config file reaches the chat: the turn that crosses it says so."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("[budget]\ndaily_usd = 0.0002\nsession_usd = 5\n")
    api.script(Reply(input_tokens=10, output_tokens=10), Reply(input_tokens=10, output_tokens=10))
    first = _run(app_env, "ask", "one")
    second = _run(app_env, "ask", "two")  # 2 x (10 x $2 + 10 x $10) per million = $0.00024
    assert first.returncode == second.returncode == 0
    assert "budget" not in first.stderr
    assert "budget: today has now cost $0.00024, past your $0.00020" in second.stderr


def test_a_hard_budget_refuses_the_next_request_and_saves_nothing(
    app_env: dict[str, str], api: ApiDouble, home: Path
) -> None:
    """[budget] hard = true: once today's limit is spent, ask says which and sends nothing."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("[budget]\ndaily_usd = 0.0002\nhard = true\n")
    api.script(*[Reply(input_tokens=10, output_tokens=10)] * 2)
    assert _run(app_env, "ask", "one").returncode == 0
    second = _run(app_env, "ask", "two")
    assert second.returncode == 0 and "past your $0.00020" in second.stderr
    sent = len(api.requests)
    third = _run(app_env, "ask", "three")
    assert third.returncode == 3 and len(api.requests) == sent
    assert third.stderr.startswith("claude-tui: error: budget: today has cost $0.00024")
    assert "raise budget.daily_usd" in third.stderr
    assert "Nothing matches" in _run(app_env, "sessions", "search", "three").stdout


def test_a_refused_retry_keeps_the_exchange(api: ApiDouble, tmp_path: Path) -> None:
    """/retry refused by a hard budget leaves the last exchange where it was."""
    path = tmp_path / "db.sqlite3"
    store = Store.open(path)
    tracker = Tracker(path)
    client = ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )
    watch = BudgetWatch(Budget(session_usd=Decimal("0.00001"), hard=True), store.ledger)
    meter = Meter(price_table(Config()), tracker, len)
    chat = Chat(
        client,
        ChatSettings("claude-sonnet-5-5", 100),
        recorder=SessionRecorder(store),
        meter=meter,
        budget_watch=watch,
    )
    list(chat.send("hello"))
    with pytest.raises(BudgetError, match="this session has cost"):
        chat.retry()
    assert [m.text for m in chat.conversation.messages] == ["hello", "You said: hello"]
    tracker.close()
