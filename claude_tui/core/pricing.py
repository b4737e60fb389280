"""Prices as data and the arithmetic that turns usage into money.

Money is ``Decimal`` from the price table to the ledger, so a month of turns
adds up to exactly what Anthropic bills; only the display rounds. A model the
table does not know has no price (``None``), never a price of zero.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from claude_tui.core.events import Usage

PER_TOKENS = 1_000_000
RATE_KEYS = ("input", "cache_write_5m", "cache_write_1h", "cache_read", "output")
_DATED = re.compile(r"^(?P<base>.+)-\d{8}$")


class PriceError(ValueError):
    """A price entry is malformed; the message names the model and the key."""


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per million tokens for each kind of token one request carries."""

    input: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    cache_read: Decimal
    output: Decimal

    def cost(self, usage: Usage) -> Decimal:
        """Exact cost of ``usage``: every token kind at its own rate, nothing counted twice."""
        total = (
            usage.input_tokens * self.input
            + usage.cache_write_5m * self.cache_write_5m
            + usage.cache_write_1h * self.cache_write_1h
            + usage.cache_read * self.cache_read
            + usage.output_tokens * self.output
        )
        return total / PER_TOKENS

    def cache_saving(self, usage: Usage) -> Decimal:
        """What caching saved: cache traffic at the full input rate minus what it cost.

        Writes cost more than plain input, so a turn that only writes the cache
        shows a negative saving; the reads that follow pay it back.
        """
        cached = usage.cache_write_5m + usage.cache_write_1h + usage.cache_read
        paid = (
            usage.cache_write_5m * self.cache_write_5m
            + usage.cache_write_1h * self.cache_write_1h
            + usage.cache_read * self.cache_read
        )
        return (cached * self.input - paid) / PER_TOKENS


@dataclass(frozen=True, slots=True)
class Tier:
    """Rates that replace the base rates for prompts above ``above`` tokens."""

    above: int
    rates: Rates


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """A model's base rates and any long-prompt tiers, lowest threshold first."""

    base: Rates
    tiers: tuple[Tier, ...] = ()

    def rates_for(self, usage: Usage) -> Rates:
        """The rates for this request: tiers apply to the whole prompt, cache included."""
        rates = self.base
        for tier in self.tiers:
            if usage.total_input > tier.above:
                rates = tier.rates
        return rates


@dataclass(frozen=True, slots=True)
class Charge:
    """What one API call cost; ``None`` amounts mean the model has no known price."""

    cost: Decimal | None
    cache_saving: Decimal | None


@dataclass(frozen=True)
class PriceTable:
    """Prices by model id and the date they were checked against Anthropic's pages."""

    checked: str
    models: Mapping[str, ModelPrice]
    web_search_per_1000: Decimal = Decimal(10)

    def lookup(self, model: str) -> ModelPrice | None:
        """The price of ``model``; a dated id falls back to its base id."""
        if model in self.models:
            return self.models[model]
        dated = _DATED.match(model)
        return self.models.get(dated["base"]) if dated else None

    def charge(self, model: str, usage: Usage) -> Charge:
        """Cost and cache saving of one call, or unknown for an unpriced model."""
        price = self.lookup(model)
        if price is None:
            return Charge(None, None)
        rates = price.rates_for(usage)
        searches = self.web_search_per_1000 * usage.web_search_requests / 1000
        return Charge(rates.cost(usage) + searches, rates.cache_saving(usage))

    def with_overrides(
        self, overrides: Mapping[str, ModelPrice], web_search_per_1000: Decimal | None = None
    ) -> PriceTable:
        """This table with the person's own prices replacing or adding models."""
        searches = self.web_search_per_1000 if web_search_per_1000 is None else web_search_per_1000
        return PriceTable(self.checked, {**self.models, **overrides}, searches)


def parse_price_table(text: str) -> PriceTable:
    """Read the shipped TOML table; numbers become Decimals without passing through float."""
    document = tomllib.loads(text, parse_float=Decimal)
    models = document.get("models", {})
    return PriceTable(
        str(document["checked"]),
        {model: parse_model_price(model, entry) for model, entry in models.items()},
        Decimal(document.get("web_search_per_1000", 10)),
    )


def parse_model_price(model: str, entry: Any) -> ModelPrice:
    """One model's entry: the five rates, plus an optional list of ``tiers``."""
    if not isinstance(entry, Mapping):
        raise PriceError(f'pricing."{model}" must be a table of rates')
    tiers = entry.get("tiers", [])
    if not isinstance(tiers, list):
        raise PriceError(f'pricing."{model}".tiers must be a list of tables')
    parsed = [Tier(_threshold(model, tier), _rates(model, tier)) for tier in tiers]
    return ModelPrice(_rates(model, entry), tuple(sorted(parsed, key=lambda t: t.above)))


def _rates(model: str, entry: Any) -> Rates:
    if not isinstance(entry, Mapping):
        raise PriceError(f'pricing."{model}": each tier must be a table of rates')
    unknown = set(entry) - {*RATE_KEYS, "tiers", "above"}
    if unknown:
        raise PriceError(f'pricing."{model}": unknown key {sorted(unknown)[0]!r}')
    return Rates(**{key: _rate(model, key, entry.get(key)) for key in RATE_KEYS})


def _rate(model: str, key: str, value: Any) -> Decimal:
    if value is None:
        raise PriceError(f'pricing."{model}" needs {key} (USD per million tokens)')
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PriceError(f'pricing."{model}".{key} must be a number, got {value!r}')
    amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise PriceError(f'pricing."{model}".{key} must be 0 or more, got {value!r}')
    return amount


def _threshold(model: str, tier: Any) -> int:
    above = tier.get("above") if isinstance(tier, Mapping) else None
    if isinstance(above, bool) or not isinstance(above, int) or above < 0:
        raise PriceError(f'pricing."{model}": each tier needs above = a token count')
    return above
