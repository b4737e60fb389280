"""The API layer against the double: our own events out, one clear error per failure."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from claude_tui import errors
from claude_tui.api import ApiClient
from claude_tui.core.events import (
    MessageStart,
    Retrying,
    SignatureDelta,
    Stop,
    TextDelta,
    ThinkingDelta,
)
from claude_tui.core.request import ChatRequest
from tests.api_double import ApiDouble, Reply

QUESTION = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


def _client(
    api: ApiDouble,
    *,
    key: str | None = None,
    timeout: float = 5.0,
    retries: int = 1,
    sleep: Callable[[float], None] = time.sleep,
) -> ApiClient:
    return ApiClient(
        api_key=key if key is not None else api.api_key,
        key_env="ANTHROPIC_API_KEY",
        base_url=api.base_url,
        timeout=timeout,
        max_retries=retries,
        sleep=sleep,
    )


def _request(**fields: object) -> ChatRequest:
    defaults: dict[str, object] = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 100,
        "messages": QUESTION,
    }
    return ChatRequest(**{**defaults, **fields})  # type: ignore[arg-type]


def _collect(client: ApiClient, request: ChatRequest | None = None) -> list[object]:
    return list(client.stream(request or _request()))


def test_stream_yields_start_text_and_stop_with_usage(api: ApiDouble) -> None:
    """A streamed answer arrives as MessageStart, text deltas and a Stop with final usage."""
    api.script(Reply(text="Hello world", input_tokens=20, output_tokens=3, cache_read=7))
    events = _collect(_client(api))
    start = events[0]
    assert isinstance(start, MessageStart) and start.request_id
    assert start.usage.input_tokens == 20 and start.usage.cache_read == 7
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hello world"
    stop = events[-1]
    assert isinstance(stop, Stop)
    assert stop.stop_reason == "end_turn" and stop.usage.output_tokens == 3


def test_thinking_and_signature_stream_as_own_events(api: ApiDouble) -> None:
    """Thinking text and its signature come through so they can be passed back unchanged."""
    api.script(Reply(text="ok", thinking="let me think"))
    events = _collect(_client(api), _request(thinking=2048, max_tokens=4096))
    thinking = "".join(e.thinking for e in events if isinstance(e, ThinkingDelta))
    assert thinking == "let me think"
    assert any(isinstance(e, SignatureDelta) and e.signature for e in events)
    assert api.requests[-1].body["thinking"] == {"type": "enabled", "budget_tokens": 2048}


def test_unset_temperature_and_system_are_not_sent(api: ApiDouble) -> None:
    """Fields the person did not set stay out of the request (some models reject them)."""
    _collect(_client(api))
    body = api.requests[-1].body
    assert "temperature" not in body and "system" not in body and "thinking" not in body


def test_set_fields_are_sent(api: ApiDouble) -> None:
    """System prompt, temperature and adaptive thinking are sent when set."""
    _collect(_client(api), _request(system="be brief", temperature=0.2, thinking="adaptive"))
    body = api.requests[-1].body
    assert body["system"] == "be brief" and body["temperature"] == 0.2
    assert body["thinking"] == {"type": "adaptive"}


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (400, errors.BadRequestError, "refused the request (400)"),
        (401, errors.AuthError, "ANTHROPIC_API_KEY"),
        (403, errors.AccessDeniedError, "permission denied (403)"),
        (404, errors.UnknownModelError, "/model"),
        (413, errors.TooLargeError, "too large (413)"),
        (429, errors.RateLimitError, "try again in 0.01 s"),
        (500, errors.ServiceBusyError, "/retry"),
        (529, errors.ServiceBusyError, "529 overloaded_error"),
    ],
)
def test_status_errors_map_to_one_line(
    api: ApiDouble, status: int, error: type[errors.ApiError], words: str
) -> None:
    """Each HTTP failure, after the SDK's own retries, becomes one line that says what to do."""
    api.script(Reply(status=status, retry_after=0.01, times=2))
    with pytest.raises(error) as caught:
        _collect(_client(api))
    message = str(caught.value)
    assert words in message and "\n" not in message
    assert api.api_key not in message


def test_retry_after_is_announced_then_the_answer_arrives(api: ApiDouble) -> None:
    """A 429 yields a Retrying event with the wait the API asked for, then the answer."""
    api.script(Reply(status=429, retry_after=7), Reply(text="after the wait"))
    waits: list[float] = []
    events = _collect(_client(api, sleep=waits.append))
    assert events[0] == Retrying(7.0, "rate limited", 1, 1)
    assert waits == [7.0]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "after the wait"
    assert len(api.requests) == 2


def test_a_long_retry_after_is_capped(api: ApiDouble) -> None:
    """An hour-long retry-after waits a minute at most: /retry beats a frozen prompt."""
    api.script(Reply(status=529, retry_after=3600))
    waits: list[float] = []
    events = _collect(_client(api, sleep=waits.append))
    assert waits == [60.0] and events[0] == Retrying(60.0, "overloaded", 1, 1)


def test_without_retry_after_the_backoff_grows(api: ApiDouble) -> None:
    """Server errors without a retry-after wait longer each time, then fail with one line."""
    api.script(Reply(status=500, times=3))
    waits: list[float] = []
    with pytest.raises(errors.ServiceBusyError, match="after 2 retries"):
        _collect(_client(api, sleep=waits.append, retries=2))
    assert len(waits) == 2 and 0 < waits[0] < waits[1] <= 1.0
    assert len(api.requests) == 3


def test_refusals_that_retrying_cannot_fix_are_not_retried(api: ApiDouble) -> None:
    """A 400 is reported after one request, with no wait."""
    api.script(Reply(status=400, times=3))
    waits: list[float] = []
    with pytest.raises(errors.BadRequestError):
        _collect(_client(api, sleep=waits.append, retries=2))
    assert waits == [] and len(api.requests) == 1


def test_missing_key_says_how_to_set_it(api: ApiDouble) -> None:
    """No key means no request at all and a line naming the variable to export."""
    with pytest.raises(errors.MissingKeyError, match="export ANTHROPIC_API_KEY"):
        _collect(_client(api, key=""))
    assert api.requests == []


def test_connection_refused_names_the_base_url() -> None:
    """An address nobody listens on is reported as unreachable, with the URL."""
    client = ApiClient(
        api_key="k", key_env="K", base_url="http://127.0.0.1:9", timeout=2, max_retries=0
    )
    with pytest.raises(errors.ConnectionFailedError, match=r"cannot reach http://127.0.0.1:9"):
        _collect(client)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("error_event", "overloaded_error"),
        ("drop", "connection dropped"),
        ("truncate", "ended before it was complete"),
    ],
)
def test_mid_stream_failures_keep_what_arrived(api: ApiDouble, fault: str, words: str) -> None:
    """A stream that breaks after some text yields that text, then a StreamBrokenError."""
    api.script(Reply(text="partial answer here", fault=fault, fault_after=2))  # type: ignore[arg-type]
    seen: list[object] = []
    with pytest.raises(errors.StreamBrokenError, match=words):
        for event in _client(api).stream(_request()):
            seen.append(event)
    assert any(isinstance(e, TextDelta) for e in seen)


def test_stall_becomes_a_stream_error_after_the_timeout(api: ApiDouble) -> None:
    """A stream that stops sending data is cut off after the configured read timeout."""
    api.script(Reply(text="slow and then silent", fault="stall", fault_after=1))
    with pytest.raises(errors.StreamBrokenError, match=r"no data for 0\.5 s"):
        _collect(_client(api, timeout=0.5))


def test_the_models_list_comes_as_the_apis_json(api: ApiDouble) -> None:
    """GET /v1/models gives every entry as the documented JSON, capabilities included."""
    entries = _client(api).model_entries()
    assert [e["id"] for e in entries] == [m["id"] for m in api.models]
    assert entries[0]["capabilities"]["effort"]["xhigh"] == {"supported": True}
