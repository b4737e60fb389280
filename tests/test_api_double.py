"""The API double against the real SDK: shapes it parses, errors it raises, faults it sees."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest

from tests.api_double import ApiDouble, Reply

MODEL = "claude-sonnet-5-5"
HI = [{"role": "user", "content": "hi"}]
Connect = Callable[..., anthropic.Anthropic]


@pytest.fixture
def double() -> Iterator[ApiDouble]:
    """A fresh double per test, so tests pass without any conftest."""
    with ApiDouble() as running:
        yield running


@pytest.fixture
def connect(double: ApiDouble) -> Iterator[Connect]:
    """Build SDK clients for the double (no retries, 5 s timeout) and close them afterwards."""
    with contextlib.ExitStack() as clients:

        def make(**options: Any) -> anthropic.Anthropic:
            settings = {"api_key": double.api_key, "max_retries": 0, "timeout": 5.0, **options}
            return clients.enter_context(anthropic.Anthropic(base_url=double.base_url, **settings))

        yield make


def _create(client: anthropic.Anthropic, **fields: Any) -> Any:
    return client.messages.create(**{"model": MODEL, "max_tokens": 100, "messages": HI, **fields})


def _raw_events(client: anthropic.Anthropic, seen: list[Any] | None = None) -> list[Any]:
    """Every raw stream event (the SDK drops pings); appends to `seen` as they arrive."""
    events = seen if seen is not None else []
    for event in _create(client, stream=True):
        events.append(event)
    return events


def _texts(events: list[Any]) -> list[str]:
    return [
        e.delta.text
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "text_delta"
    ]


def test_streamed_text_arrives_in_pieces_and_adds_up(double: ApiDouble, connect: Connect) -> None:
    """Text streams in `chunk`-sized deltas; the final message carries text, usage, stop."""
    text = "Hello world, streamed."
    double.script(Reply(text=text, chunk=5, cache_write_5m=3, cache_write_1h=2, cache_read=7))
    with connect().messages.stream(model=MODEL, max_tokens=100, messages=HI) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert pieces == [text[i : i + 5] for i in range(0, len(text), 5)]
    assert final.content[0].type == "text" and final.content[0].text == text
    assert final.id.startswith("msg_") and final.model == MODEL
    assert final.stop_reason == "end_turn"
    usage = final.usage
    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_input_tokens) == (12, 6, 7)
    assert usage.cache_creation_input_tokens == 5 and usage.cache_creation is not None
    assert usage.cache_creation.ephemeral_5m_input_tokens == 3
    assert usage.cache_creation.ephemeral_1h_input_tokens == 2


def test_stream_events_come_in_documented_order(double: ApiDouble, connect: Connect) -> None:
    """message_start, block start/deltas/stop, message_delta, message_stop; request-id set."""
    double.script(Reply(text="abcdefgh", output_tokens=9, stop_reason="max_tokens"))
    with _create(connect(), stream=True) as stream:
        assert stream.response.headers["request-id"].startswith("req_")
        assert stream.response.headers["content-type"] == "text/event-stream"
        events = list(stream)
    kinds = [e.type for e in events]
    assert kinds == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start = events[0].message
    assert start.content == [] and start.stop_reason is None and start.usage.output_tokens == 1
    assert events[-2].delta.stop_reason == "max_tokens" and events[-2].usage.output_tokens == 9


def test_thinking_streams_first_with_one_signature(double: ApiDouble, connect: Connect) -> None:
    """A thinking block streams before the text: thinking deltas, then a single signature."""
    double.script(Reply(text="ok", thinking="let me think", chunk=4))
    events = _raw_events(connect())
    deltas = [e.delta for e in events if e.type == "content_block_delta" and e.index == 0]
    assert [d.thinking for d in deltas[:-1]] == ["let ", "me t", "hink"]
    assert deltas[-1].type == "signature_delta" and deltas[-1].signature
    assert events[1].content_block.type == "thinking" and _texts(events) == ["ok"]


def test_thinking_signature_is_deterministic(double: ApiDouble, connect: Connect) -> None:
    """The same thinking gets the same signature streamed or not, so it can be compared."""
    double.script(Reply(thinking="hmm"), Reply(thinking="hmm"))
    with connect().messages.stream(model=MODEL, max_tokens=100, messages=HI) as stream:
        streamed = stream.get_final_message().content[0]
    created = _create(connect()).content[0]
    assert streamed.type == created.type == "thinking"
    assert streamed.signature == created.signature != ""


def test_non_streaming_create_returns_the_whole_message(
    double: ApiDouble, connect: Connect
) -> None:
    """Without `stream`, one JSON Message holds the content, usage and stop reason."""
    double.script(Reply(text="All at once.", input_tokens=30, stop_reason="stop_sequence"))
    message = _create(connect())
    assert [block.text for block in message.content] == ["All at once."]
    assert message.usage.input_tokens == 30 and message.usage.output_tokens == 4
    assert message.stop_reason == "stop_sequence" and message.role == "assistant"


def test_unscripted_requests_echo_the_last_user_message(connect: Connect) -> None:
    """With an empty script the answer is "You said: " and the last user text."""
    messages = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "reply"},
        {"role": "user", "content": [{"type": "text", "text": "second"}]},
    ]
    assert _create(connect(), messages=messages).content[0].text == "You said: second"


def test_script_is_first_in_first_out_and_times_repeats(
    double: ApiDouble, connect: Connect
) -> None:
    """Replies answer in order, and `times=n` answers n requests in a row."""
    double.script(Reply(text="a", times=2), Reply(text="b"))
    client = connect()
    answers = [_create(client).content[0].text for _ in range(4)]
    assert answers == ["a", "a", "b", "You said: hi"]


def test_deltas_are_flushed_as_they_are_sent(double: ApiDouble, connect: Connect) -> None:
    """With `delay`, the client sees the first piece well before the second is sent."""
    double.script(Reply(text="abcdefgh", chunk=4, delay=0.2))
    arrivals = [
        time.monotonic()
        for event in _create(connect(), stream=True)
        if event.type == "content_block_delta"
    ]
    assert len(arrivals) == 2 and arrivals[1] - arrivals[0] >= 0.15


def test_requests_are_recorded_with_lower_case_headers(double: ApiDouble, connect: Connect) -> None:
    """Method, path, query, lower-case headers and the parsed JSON body are recorded."""
    client = connect()
    client.models.list(limit=100)
    _create(client, system="be brief")
    listed, created = double.requests
    assert (listed.method, listed.path, listed.query, listed.body) == (
        "GET",
        "/v1/models",
        {"limit": "100"},
        None,
    )
    assert (created.method, created.path) == ("POST", "/v1/messages")
    assert created.body["system"] == "be brief" and created.body["messages"] == HI
    assert created.headers["authorization"] == f"Bearer {double.api_key}"
    assert created.headers["anthropic-version"]


def test_models_list_and_retrieve(connect: Connect) -> None:
    """GET /v1/models pages the model list in one go; /v1/models/{id} finds one model."""
    client = connect()
    page = client.models.list()
    ids = [model.id for model in page.data]
    assert {"claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5"} <= set(ids)
    assert page.has_more is False and (page.first_id, page.last_id) == (ids[0], ids[-1])
    opus = client.models.retrieve("claude-opus-5-5")
    assert opus.display_name == "Claude Opus 5.5" and opus.max_tokens and opus.max_input_tokens
    with pytest.raises(anthropic.NotFoundError):
        client.models.retrieve("claude-nope")


def test_unknown_model_is_a_404_without_scripting(connect: Connect) -> None:
    """A messages request naming a model not in `models` fails with not_found_error."""
    with pytest.raises(anthropic.NotFoundError) as caught:
        _create(connect(), model="claude-nope")
    assert caught.value.type == "not_found_error"
    assert caught.value.api_message == "model: claude-nope"


def test_count_tokens_counts_system_and_message_text(connect: Connect) -> None:
    """count_tokens answers characters // 4 + 1 over system and message text."""
    system = [{"type": "text", "text": "abcd"}]
    messages = [{"role": "user", "content": [{"type": "text", "text": "12345678"}]}]
    count = connect().messages.count_tokens(model=MODEL, system=system, messages=messages)
    assert count.input_tokens == 4


def test_wrong_key_is_rejected_with_401(connect: Connect) -> None:
    """A key that does not match is refused with authentication_error."""
    with pytest.raises(anthropic.AuthenticationError) as caught:
        _create(connect(api_key="sk-ant-wrong"))
    assert caught.value.type == "authentication_error"


def test_key_is_also_accepted_as_x_api_key(double: ApiDouble, connect: Connect) -> None:
    """The key may come as `x-api-key` instead of `Authorization: Bearer`."""
    headers = {"Authorization": anthropic.omit, "X-Api-Key": double.api_key}
    client = connect(api_key="unused", default_headers=headers)
    assert client.models.list().data
    assert "authorization" not in double.requests[-1].headers


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
        (403, anthropic.PermissionDeniedError, "permission_error"),
        (404, anthropic.NotFoundError, "not_found_error"),
        (413, anthropic.ContentTooLargeError, "request_too_large"),
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (500, anthropic.InternalServerError, "api_error"),
        (529, anthropic.OverloadedError, "overloaded_error"),
    ],
)
def test_error_status_maps_to_sdk_class(
    double: ApiDouble,
    connect: Connect,
    status: int,
    error: type[anthropic.APIStatusError],
    kind: str,
) -> None:
    """Each scripted status raises the SDK's class for it, with type, request id, retry-after."""
    double.script(Reply(status=status, retry_after=0.05))
    with pytest.raises(error) as caught:
        _create(connect(), stream=True)
    assert caught.value.status_code == status and caught.value.type == kind
    assert caught.value.request_id and caught.value.request_id.startswith("req_")
    assert caught.value.response.headers["retry-after"] == "0.05"


def test_error_type_and_message_can_be_scripted(double: ApiDouble, connect: Connect) -> None:
    """`error_type` and `error_message` override the defaults derived from the status."""
    double.script(Reply(status=400, error_type="billing_error", error_message="no credit"))
    with pytest.raises(anthropic.BadRequestError) as caught:
        _create(connect())
    assert (caught.value.type, caught.value.api_message) == ("billing_error", "no credit")


@pytest.mark.parametrize("status", [429, 500, 529])
def test_sdk_retry_honours_retry_after_then_succeeds(
    double: ApiDouble, connect: Connect, status: int
) -> None:
    """One failure with retry-after is retried by the SDK after that wait, then answered."""
    double.script(Reply(status=status, retry_after=0.05), Reply(text="after the wait"))
    began = time.monotonic()
    message = _create(connect(max_retries=2))
    assert message.content[0].text == "after the wait"
    assert len(double.requests) == 2 and time.monotonic() - began >= 0.05


def test_failure_that_outlasts_retries_is_raised(double: ApiDouble, connect: Connect) -> None:
    """A reply with `times` beyond the retry budget surfaces after every attempt."""
    double.script(Reply(status=529, retry_after=0.01, times=3))
    with pytest.raises(anthropic.OverloadedError):
        _create(connect(max_retries=2))
    assert len(double.requests) == 3


def test_error_event_raises_status_error_mid_stream(double: ApiDouble, connect: Connect) -> None:
    """An SSE `error` event after some text raises APIStatusError (status 200) of its type."""
    double.script(Reply(text="partial answer", fault="error_event", fault_after=2))
    seen: list[Any] = []
    with pytest.raises(anthropic.APIStatusError) as caught:
        _raw_events(connect(), seen)
    assert caught.value.type == "overloaded_error" and caught.value.status_code == 200
    assert _texts(seen) == ["part", "ial "]


def test_drop_raises_remote_protocol_error(double: ApiDouble, connect: Connect) -> None:
    """A connection cut mid-chunk surfaces as httpx2.RemoteProtocolError (SDK 2.17 wraps it)."""
    double.script(Reply(text="partial answer", fault="drop", fault_after=1))
    seen: list[Any] = []
    with pytest.raises(Exception) as raised:
        _raw_events(connect(), seen)
    assert _caused_by(raised.value, httpx2.RemoteProtocolError)
    assert _texts(seen) == ["part"]


def test_stall_hits_the_client_read_timeout(double: ApiDouble, connect: Connect) -> None:
    """A silent stream ends in httpx2.ReadTimeout after the client's timeout, not the stall."""
    double.script(Reply(text="slow and then silent", fault="stall", fault_after=1))
    began = time.monotonic()
    with pytest.raises(Exception) as raised:
        _raw_events(connect(timeout=0.3))
    assert _caused_by(raised.value, httpx2.ReadTimeout)
    assert time.monotonic() - began < 2


def test_truncate_ends_cleanly_without_message_stop(double: ApiDouble, connect: Connect) -> None:
    """A truncated stream ends without error but also without message_delta/message_stop."""
    double.script(Reply(text="partial answer", fault="truncate", fault_after=2))
    events = _raw_events(connect())
    assert _texts(events) == ["part", "ial "]
    assert {"message_delta", "message_stop"}.isdisjoint(e.type for e in events)


def test_stop_is_prompt_with_a_stalled_stream(double: ApiDouble, connect: Connect) -> None:
    """stop() returns at once even while a handler is stalling, and the client is cut off."""
    double.script(Reply(fault="stall", stall_seconds=30))
    failures: list[Exception] = []
    reader = threading.Thread(target=_read_expecting_failure, args=(connect(timeout=10), failures))
    reader.start()
    while not double.requests:
        time.sleep(0.01)
    began = time.monotonic()
    double.stop()
    reader.join(timeout=20)
    # Far below the 30 s stall, however busy the machine: stop() did not wait it out.
    assert time.monotonic() - began < 15 and not reader.is_alive()
    assert len(failures) == 1 and _caused_by(failures[0], httpx2.TransportError)


def _read_expecting_failure(client: anthropic.Anthropic, failures: list[Exception]) -> None:
    try:
        _raw_events(client)
    except Exception as exc:
        failures.append(exc)


def test_main_serves_until_killed() -> None:
    """`python tests/api_double.py --port 0` prints a base URL the SDK can use."""
    script = Path(__file__).with_name("api_double.py")
    with subprocess.Popen(
        [sys.executable, str(script), "--port", "0"], stdout=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stdout is not None
            base_url = server.stdout.readline().strip()
            with anthropic.Anthropic(api_key="sk-ant-test-key", base_url=base_url) as client:
                assert _create(client).content[0].text == "You said: hi"
        finally:
            server.terminate()


def test_client_hang_up_ends_a_stalled_handler(double: ApiDouble, connect: Connect) -> None:
    """When the client gives up on a stall, the server's handler thread ends too."""
    double.script(Reply(fault="stall", stall_seconds=30))
    with pytest.raises(Exception) as raised:
        _raw_events(connect(timeout=0.2))
    assert _caused_by(raised.value, httpx2.ReadTimeout)
    deadline = time.monotonic() + 20  # a bound for a busy machine; the threads end at once
    while _handler_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _handler_threads() == []


def _handler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request" in t.name]


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is in the chain: SDK 2.17 wraps transport errors met mid-stream."""
    while exc is not None:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
