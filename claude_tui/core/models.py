"""What a model takes and how much, as GET /v1/models describes it.

The endpoint's JSON is read here, once, whether it came from the API or from the
cached copy in the database, so both paths see the same types. A model listed
without ``capabilities`` (an older gateway) refuses nothing: the API decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
# Sent when nothing better is known: every model takes this many output tokens.
FALLBACK_MAX_TOKENS = 8192
# The room a history leaves for the answer it expects, not for the longest possible.
EXPECTED_ANSWER = 16_384


@dataclass(frozen=True, slots=True)
class Capabilities:
    """The inputs and features a model accepts; ``thinking`` holds the accepted types."""

    image_input: bool
    pdf_input: bool
    web_search: bool
    thinking: frozenset[str]
    effort: tuple[str, ...]  # accepted levels, in EFFORT_LEVELS order; () without effort


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model the key may use, with its limits where the list gives them."""

    id: str
    display_name: str = ""
    max_input_tokens: int | None = None
    max_tokens: int | None = None
    capabilities: Capabilities | None = None


def model_from_json(data: Mapping[str, Any]) -> ModelInfo:
    """One entry of the models list, as the API documents it; unknown keys are ignored."""
    return ModelInfo(
        id=str(data["id"]),
        display_name=str(data.get("display_name") or ""),
        max_input_tokens=_positive(data.get("max_input_tokens")),
        max_tokens=_positive(data.get("max_tokens")),
        capabilities=_capabilities(data.get("capabilities")),
    )


def _positive(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None


def _capabilities(data: Any) -> Capabilities | None:
    if not isinstance(data, Mapping):
        return None
    thinking = _get(data, "thinking", "types")
    types = thinking if isinstance(thinking, Mapping) else {}
    effort = data.get("effort") if _supported(data.get("effort")) else {}
    return Capabilities(
        image_input=_supported(data.get("image_input")),
        pdf_input=_supported(data.get("pdf_input")),
        web_search=_supported(_get(data, "server_tools", "web_search")),
        thinking=frozenset(name for name, entry in types.items() if _supported(entry)),
        effort=tuple(level for level in EFFORT_LEVELS if _supported(effort.get(level))),
    )


def _get(data: Mapping[str, Any], *keys: str) -> Any:
    node: Any = data
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _supported(entry: Any) -> bool:
    return isinstance(entry, Mapping) and entry.get("supported") is True


@dataclass(frozen=True, slots=True)
class ThinkingPlan:
    """What to send for thinking, and a line to say when it is not what was asked."""

    send: str | int  # "off" (send nothing), "adaptive" or a budget
    notice: str | None = None


def plan_thinking(asked: str | int, model: ModelInfo | None) -> ThinkingPlan:
    """Fit the person's thinking setting to what the model accepts.

    A budget becomes adaptive where budgets are refused, and a model that cannot
    turn thinking off thinks adaptively; anything else the model refuses is not sent.
    """
    if model is None or model.capabilities is None:
        return ThinkingPlan(asked)
    caps, name = model.capabilities, model.id
    if asked == "off":  # said by /think, not at every send: off is the default
        no_off = "disabled" not in caps.thinking and "adaptive" in caps.thinking
        return ThinkingPlan("adaptive" if no_off else "off")
    if asked == "adaptive":
        if "adaptive" in caps.thinking:
            return ThinkingPlan("adaptive")
        return ThinkingPlan("off", f"{name} does not take adaptive thinking: sent without")
    if "enabled" in caps.thinking:
        return ThinkingPlan(asked)
    if "adaptive" in caps.thinking:
        return ThinkingPlan("adaptive", f"{name} takes no thinking budget: it thinks adaptively")
    return ThinkingPlan("off", f"{name} does not think: sent without thinking")


def thinking_refusal(asked: str | int, model: ModelInfo | None) -> str | None:
    """Why ``/think`` cannot set ``asked`` for this model, or None when it can (mapped or not)."""
    if model is None or model.capabilities is None or asked == "off":
        return None
    caps = model.capabilities
    if asked == "adaptive" and "adaptive" not in caps.thinking:
        hint = "; /think BUDGET sets a budget" if "enabled" in caps.thinking else ""
        return f"{model.id} does not take adaptive thinking{hint}"
    if not caps.thinking & {"adaptive", "enabled"}:
        return f"{model.id} does not think"
    return None


def effort_refusal(level: str, model: ModelInfo | None) -> str | None:
    """Why ``level`` cannot be sent to this model, or None when it can."""
    if model is None or model.capabilities is None or level in model.capabilities.effort:
        return None
    levels = model.capabilities.effort
    if not levels:
        return f"{model.id} takes no effort level"
    return f"{model.id} takes effort {', '.join(levels)}, not {level}"


def answer_room(configured: int | None, model: ModelInfo | None) -> tuple[int, str | None]:
    """``max_tokens`` to send: the configured value clamped to the model's, else the model's."""
    most = model.max_tokens if model else None
    if configured is None:
        return most or FALLBACK_MAX_TOKENS, None
    if model is not None and most is not None and configured > most:
        return most, f"max_tokens {configured:,} is above {model.id}'s {most:,}: {most:,} is sent"
    return configured, None
