"""The models list decides ids, limits, thinking and effort; it is fetched once a day.

Also /continue, which goes on from an answer cut at the model's max_tokens.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.app.chat import CONTINUE_ASK
from claude_tui.app.models import TTL_S, ModelCatalog
from claude_tui.app.recorder import SessionRecorder
from claude_tui.core.models import FALLBACK_MAX_TOKENS, model_from_json
from claude_tui.core.request import ChatRequest
from claude_tui.errors import BadRequestError, UsageError
from claude_tui.store import Store
from tests.api_double import DEFAULT_MODELS, ApiDouble, Reply

NOW = 1_800_000_000.0


def _client(api: ApiDouble, base_url: str | None = None) -> ApiClient:
    return ApiClient(
        api_key=api.api_key,
        key_env="K",
        base_url=base_url or api.base_url,
        timeout=5,
        max_retries=0,
    )


def _chat(api: ApiDouble, model: str = "claude-sonnet-5-5", **settings: Any) -> Chat:
    return Chat(_client(api), ChatSettings(model, **settings))


def _listed(api: ApiDouble) -> int:
    return sum(1 for r in api.requests if r.path == "/v1/models")


def _sent(api: ApiDouble) -> dict[str, Any]:
    bodies = [r.body for r in api.requests if r.path == "/v1/messages"]
    assert bodies, "no message was sent"
    return bodies[-1]


def _catalog(api: ApiDouble, db: Path, clock: list[float], base_url: str | None = None) -> Any:
    return ModelCatalog(_client(api, base_url), Store.open(db).model_lists, lambda: clock[0])


def test_the_list_is_kept_a_day_in_the_database(api: ApiDouble, tmp_path: Path) -> None:
    """A second process within the day reads the kept list; a day later it asks again."""
    db, clock = tmp_path / "db.sqlite3", [NOW]
    assert _catalog(api, db, clock).listing().source == "api"
    clock[0] += TTL_S - 1
    later = _catalog(api, db, clock)
    assert later.listing().source == "kept" and later.info("claude-haiku-5-5") is not None
    assert _listed(api) == 1
    clock[0] += 1
    assert _catalog(api, db, clock).listing().source == "api" and _listed(api) == 2


def test_offline_the_kept_list_serves_however_old(api: ApiDouble, tmp_path: Path) -> None:
    """An unreachable endpoint falls back to the kept list, and says why for /model."""
    db, clock = tmp_path / "db.sqlite3", [NOW]
    _catalog(api, db, clock).listing()
    url = api.base_url
    api.stop()
    clock[0] += 30 * TTL_S
    offline = _catalog(api, db, clock, base_url=url)
    listing = offline.listing()
    assert listing.source == "kept" and listing.find("claude-opus-5-5") is not None
    assert offline.problem is not None and "127.0.0.1" in offline.problem


def test_with_no_list_at_all_nothing_is_refused(api: ApiDouble) -> None:
    """A gateway without GET /v1/models: ids pass and the fallback max_tokens is sent."""
    api.models_status = 404
    chat = _chat(api)
    list(chat.send("hi"))
    chat.catalog.check("claude-anything-new")
    assert _sent(api)["max_tokens"] == FALLBACK_MAX_TOKENS
    assert chat.catalog.problem == f"{api.base_url} does not list models (404)"
    assert _listed(api) == 1


def test_a_typo_is_refused_before_anything_is_sent_or_kept(api: ApiDouble) -> None:
    """-m with a typo: one line with the nearest id, no message sent, nothing recorded."""
    chat = _chat(api, "claude-sonet-5-5")
    with pytest.raises(UsageError, match="did you mean 'claude-sonnet-5-5'"):
        chat.send("hello")
    assert chat.conversation.messages == []
    assert not [r for r in api.requests if r.path == "/v1/messages"]


def test_a_model_added_since_the_list_was_kept_is_found(api: ApiDouble, tmp_path: Path) -> None:
    """An id the kept list lacks makes one fresh fetch before it is refused."""
    db, clock = tmp_path / "db.sqlite3", [NOW]
    _catalog(api, db, clock).listing()
    newer = copy.deepcopy(DEFAULT_MODELS[1])
    newer["id"] = "claude-sonnet-5-6"
    api.models.append(newer)
    chat = _chat(api, "claude-sonnet-5-6")
    chat.catalog = _catalog(api, db, clock)
    list(chat.send("hi"))
    assert _sent(api)["model"] == "claude-sonnet-5-6" and _listed(api) == 2


def test_a_forced_id_is_sent_and_a_404_refetches_the_list(api: ApiDouble) -> None:
    """/model --force takes an unlisted id; the API's 404 makes the next check fetch anew."""
    chat = _chat(api)
    chat.switch_model("claude-sonnet-9-9", force=True)
    with pytest.raises(Exception, match="unknown model 'claude-sonnet-9-9'"):
        list(chat.send("hi"))
    before = _listed(api)
    with pytest.raises(UsageError, match="unknown model"):
        chat.send("again")
    assert _listed(api) == before + 1


@pytest.mark.parametrize(
    ("model", "most"), [("claude-opus-5-5", 128_000), ("claude-haiku-5-5", 64_000)]
)
def test_max_tokens_defaults_to_the_models_own(api: ApiDouble, model: str, most: int) -> None:
    """With no max_tokens set, the model's maximum output is sent."""
    list(_chat(api, model).send("hi"))
    assert _sent(api)["max_tokens"] == most


def test_max_tokens_above_the_models_is_clamped_with_one_notice(api: ApiDouble) -> None:
    """A configured value above the model's maximum is sent as the maximum, said once."""
    chat = _chat(api, "claude-haiku-5-5", max_tokens=100_000)
    list(chat.send("one"))
    first = chat.take_notices()
    list(chat.send("two"))
    assert _sent(api)["max_tokens"] == 64_000
    assert first == ["max_tokens 100,000 is above claude-haiku-5-5's 64,000: 64,000 is sent"]
    assert chat.take_notices() == []


def test_the_window_comes_from_the_model(api: ApiDouble) -> None:
    """The context limit is the model's window minus an expected answer, not its maximum."""
    haiku, sonnet = _chat(api, "claude-haiku-5-5"), _chat(api, "claude-sonnet-5-5")
    assert haiku.context_window() == 200_000 and sonnet.context_window() == 1_000_000
    assert haiku.context_limit() == 200_000 - 16_384


def test_effort_is_sent_where_the_model_takes_it(api: ApiDouble) -> None:
    """xhigh goes out as output_config.effort to opus; sonnet gets none and a notice."""
    list(_chat(api, "claude-opus-5-5", effort="xhigh").send("hi"))
    assert _sent(api)["output_config"] == {"effort": "xhigh"}
    sonnet = _chat(api, "claude-sonnet-5-5", effort="xhigh")
    list(sonnet.send("hi"))
    assert "output_config" not in _sent(api)
    assert sonnet.take_notices() == [
        "claude-sonnet-5-5 takes effort low, medium, high, max, not xhigh: sent without"
    ]


def test_the_double_refuses_what_the_model_cannot_do(api: ApiDouble) -> None:
    """Sent anyway, an effort level or thinking type the model lacks is a 400, as the API does."""
    client = _client(api)
    messages = [{"role": "user", "content": "hi"}]
    for request in (
        ChatRequest("claude-haiku-5-5", 1000, messages, effort="low"),
        ChatRequest("claude-opus-5-5", 9000, messages, thinking=4096),
        ChatRequest("claude-haiku-5-5", 1000, messages, thinking="adaptive"),
        ChatRequest("claude-haiku-5-5", 100_000, messages),
    ):
        with pytest.raises(BadRequestError):
            list(client.stream(request))


def test_a_budget_becomes_adaptive_where_budgets_are_refused(api: ApiDouble) -> None:
    """opus takes no thinking budget: adaptive is sent, with the display asked, and said once."""
    chat = _chat(api, "claude-opus-5-5", thinking=4096, thinking_display="summarized")
    api.script(Reply(text="ok", thinking="hmm"))
    list(chat.send("hi"))
    assert _sent(api)["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert chat.take_notices() == ["claude-opus-5-5 takes no thinking budget: it thinks adaptively"]


def test_a_model_that_cannot_stop_thinking_thinks_adaptively(api: ApiDouble) -> None:
    """thinking off on opus, which refuses 'disabled', sends adaptive; sonnet sends nothing."""
    list(_chat(api, "claude-opus-5-5").send("hi"))
    assert _sent(api)["thinking"] == {"type": "adaptive"}
    list(_chat(api, "claude-sonnet-5-5").send("hi"))
    assert "thinking" not in _sent(api)


def test_a_budget_is_sent_where_the_model_takes_one(api: ApiDouble) -> None:
    """sonnet takes budgets: thinking enabled with the budget, below the model's max_tokens."""
    list(_chat(api, "claude-sonnet-5-5", thinking=4096).send("hi"))
    assert _sent(api)["thinking"] == {"type": "enabled", "budget_tokens": 4096}


def test_capabilities_parse_from_the_documented_json() -> None:
    """Each model's capabilities read as the accepted thinking types and effort levels."""
    opus, _, haiku = (model_from_json(m) for m in DEFAULT_MODELS)
    assert opus.capabilities is not None and haiku.capabilities is not None
    assert opus.capabilities.thinking == {"adaptive"}
    assert opus.capabilities.effort == ("low", "medium", "high", "xhigh", "max")
    assert haiku.capabilities.effort == () and not haiku.capabilities.pdf_input
    assert model_from_json({"id": "x"}).capabilities is None


def test_continue_joins_a_cut_answer_into_one(api: ApiDouble, tmp_path: Path) -> None:
    """/continue sends the cut answer back, and the parts become one stored answer."""
    store = Store.open(tmp_path / "db.sqlite3")
    session = store.create_session("claude-sonnet-5-5", None)
    chat = Chat(
        _client(api),
        ChatSettings("claude-sonnet-5-5"),
        recorder=SessionRecorder(store, session),
    )
    api.script(Reply(text="The first half, ", stop_reason="max_tokens"), Reply(text="the rest."))
    list(chat.send("tell me"))
    assert chat.conversation.cut_answer() is not None
    list(chat.continue_answer())
    sent = _sent(api)["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"][0]["text"] == "The first half, " and sent[2] == {
        "role": "user",
        "content": [{"type": "text", "text": CONTINUE_ASK}],
    }
    (_, answer) = store.load(session.id).messages
    assert answer.text == "The first half, the rest." and answer.stop_reason == "end_turn"
    assert chat.conversation.messages[-1].text == answer.text
    with pytest.raises(UsageError, match="nothing to continue"):
        chat.continue_answer()
