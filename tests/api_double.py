"""A stand-in for the Anthropic Messages API, served over real HTTP on 127.0.0.1.

Tests point the real ``anthropic`` SDK (or the whole app) at :attr:`ApiDouble.base_url`,
so everything below our own code - the SDK's parsing, retries and error classes,
httpx2's chunked decoding and timeouts - runs for real. Answers are scripted with
:class:`Reply`; without a script the double echoes the last user message.

Run ``python tests/api_double.py --port N`` to serve the defaults by hand, or add
``--reply-file FILE`` to answer every message with that file's text (the benchmarks do).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import datetime
import email.parser
import email.policy
import hashlib
import itertools
import json
import re
import select
import socket
import socketserver
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

Fault = Literal["error_event", "drop", "stall", "truncate"]
SseEvent = tuple[str, dict[str, Any]]

POLL_SECONDS = 0.02
"""How often a waiting handler checks whether it should give up (stop() or a hang-up)."""

ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request"),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use this resource"),
    404: ("not_found_error", "Not found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes"),
    429: ("rate_limit_error", "Rate limited"),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}


def capabilities(
    *,
    images: bool = True,
    pdfs: bool = True,
    web: bool = True,
    thinking: tuple[str, ...] = ("enabled", "adaptive", "disabled"),
    effort: tuple[str, ...] = ("low", "medium", "high", "max"),
) -> dict[str, Any]:
    """A model's ``capabilities`` as GET /v1/models documents them: every key present."""

    def yes(flag: bool) -> dict[str, bool]:
        return {"supported": flag}

    levels = {level: yes(level in effort) for level in ("low", "medium", "high", "xhigh", "max")}
    types = ("enabled", "adaptive", "disabled", "between_tools")
    return {
        "batch": yes(True),
        "citations": yes(True),
        "code_execution": yes(web),
        "context_management": {"supported": False},
        "effort": {"supported": bool(effort), **levels},
        "image_input": yes(images),
        "pdf_input": yes(pdfs),
        "server_tools": {
            "supported": web,
            "code_execution": yes(web),
            "web_search": yes(web),
        },
        "structured_outputs": yes(True),
        "thinking": {
            "supported": bool({"enabled", "adaptive"} & set(thinking)),
            "types": {name: yes(name in thinking) for name in types},
        },
    }


def _model(line: str, name: str, window: int, most: int, caps: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"claude-{line}-5-5",
        "type": "model",
        "display_name": f"Claude {name} 5.5",
        "created_at": "2026-05-01T00:00:00Z",
        "lifecycle": "active",
        "line": line,
        "max_input_tokens": window,
        "max_tokens": most,
        "capabilities": caps,
    }


# Three models that differ where the app must tell them apart: opus takes no thinking
# budget and cannot turn thinking off, sonnet takes everything but xhigh, haiku has
# no effort levels, no adaptive thinking, no PDFs and no web.
DEFAULT_MODELS: tuple[dict[str, Any], ...] = (
    _model(
        "opus",
        "Opus",
        1_000_000,
        128_000,
        capabilities(thinking=("adaptive",), effort=("low", "medium", "high", "xhigh", "max")),
    ),
    _model("sonnet", "Sonnet", 1_000_000, 64_000, capabilities()),
    _model(
        "haiku",
        "Haiku",
        200_000,
        64_000,
        capabilities(pdfs=False, web=False, thinking=("enabled", "disabled"), effort=()),
    ),
)


@dataclass(frozen=True)
class WebStep:
    """One server tool call in a scripted answer: a search (with results or an error
    code) or a fetch of ``query`` as a URL, whose page text is ``page``."""

    query: str
    results: tuple[tuple[str, str, str], ...] = ()  # (title, url, page age)
    error: str | None = None  # a web_search_tool_result error code
    fetch: bool = False
    page: str = "The page's text."


@dataclass(frozen=True)
class Reply:
    """One scripted answer to POST /v1/messages.

    ``status`` other than 200 answers with an error body; ``fault`` breaks a stream after
    ``fault_after`` text deltas: ``error_event`` sends an SSE ``error`` event, ``drop`` cuts
    the socket mid-chunk, ``stall`` goes silent for ``stall_seconds`` then cuts it, and
    ``truncate`` ends the body cleanly but without ``message_delta``/``message_stop``.
    """

    text: str = "Hello from the double."
    thinking: str | None = None  # if set, a signed thinking block comes before the text
    chunk: int = 4  # characters per text / thinking delta
    delay: float = 0.0  # seconds between deltas, to watch tokens arrive
    stop_reason: str = "end_turn"
    input_tokens: int = 12
    output_tokens: int | None = None  # None: len(text) // 4 + 1
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    cache_write: int = 0  # written at the lifetime the request's cache_control asks for
    cache_read: int = 0
    status: int = 200
    error_type: str | None = None  # None: the usual type for `status`
    error_message: str | None = None
    retry_after: float | None = None  # sent as the `retry-after` header, which the SDK obeys
    fault: Fault | None = None
    fault_after: int = 0  # text deltas sent before the fault
    stall_seconds: float = 30.0
    times: int = 1  # consecutive requests answered, e.g. a 429 that outlasts the SDK's retries
    # Rate-limit allowances sent as anthropic-ratelimit-* headers: (kind, limit, remaining,
    # seconds to reset). The double then refuses, with a 429, a request they do not allow.
    headroom: tuple[tuple[str, int, int, float], ...] = ()
    # A server-tool turn: text before the calls, the calls, then cited sentences, each
    # (text, step, result) citing a search result, before ``text``.
    preamble: str = ""
    web: tuple[WebStep, ...] = ()
    cited: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class RecordedRequest:
    """What one request carried, so tests can assert on what the client actually sent."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class UploadedFile:
    """One file as POST /v1/files received it."""

    filename: str
    mime_type: str
    data: bytes


@dataclass(frozen=True)
class Billed:
    """A streamed answer whose ``message_start`` was sent: Anthropic would bill it."""

    request_id: str
    message_id: str
    user_text: str  # the last user message of the request


class ApiDouble:
    """A threaded HTTP server that answers like the Messages API; use it as a context manager."""

    def __init__(
        self, *, api_key: str = "sk-ant-test-key", port: int = 0, default: Reply | None = None
    ) -> None:
        self.api_key = api_key
        self._port = port
        self._default = default
        self.requests: list[RecordedRequest] = []
        self.billed: list[Billed] = []  # appended under the lock, from handler threads
        self.answers: dict[str, list[dict[str, Any]]] = {}  # content streamed, by message id
        # Answers a message when nothing is scripted (None: the default or the echo).
        self.responder: Callable[[dict[str, Any]], Reply | None] | None = None
        self.models: list[dict[str, Any]] = copy.deepcopy(list(DEFAULT_MODELS))
        self.models_delay = 0.0  # seconds GET /v1/models waits before answering
        self.models_status = 200  # another status: a gateway that lists no models
        self.count_scale = 1.0  # count_tokens answers this times its usual count
        self.files: dict[str, UploadedFile] = {}  # what POST /v1/files received, by id
        self.files_status = 200  # another status: a gateway without the Files API
        self.web_enabled = True  # False: an organisation whose admin turned web search off
        self._stopping = threading.Event()
        self._allowed: dict[str, tuple[int, float]] = {}  # kind: (remaining, reset at)
        self._queue: deque[Reply] = deque()
        self._ids = itertools.count(1)
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The ``http://127.0.0.1:PORT`` address to give the SDK as ``base_url``."""
        if self._server is None:
            raise RuntimeError("ApiDouble is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ApiDouble:
        """Bind (port 0 lets the OS choose) and serve from a daemon thread."""
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop at once: stalled handlers give up and open connections are cut."""
        if self._server is None or self._thread is None:
            return
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> ApiDouble:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def script(self, *replies: Reply) -> None:
        """Queue answers for the next POST /v1/messages calls, first in first out."""
        for reply in replies:
            self._queue.extend([reply] * reply.times)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        """The next scripted answer; when none is left, the default or an echo of the message."""
        try:
            return self._queue.popleft()
        except IndexError:
            answer = self.responder(body) if self.responder else None
            return answer or self._default or Reply(text="You said: " + _last_user_text(body))

    def _limit_headers(self, reply: Reply) -> Iterator[tuple[str, str]]:
        """The reply's rate-limit headers, remembered so later requests are held to them."""
        now = time.time()
        for kind, limit, remaining, reset_in in reply.headroom:
            reset = now + reset_in
            self._allowed[kind] = (remaining, reset)
            stamp = datetime.datetime.fromtimestamp(reset, datetime.UTC).isoformat()
            prefix = f"anthropic-ratelimit-{kind}"
            yield from ((f"{prefix}-limit", str(limit)), (f"{prefix}-remaining", str(remaining)))
            yield f"{prefix}-reset", stamp.replace("+00:00", "Z")

    def _over_limit(self, body: dict[str, Any]) -> float | None:
        """Seconds until the request would be allowed, or None when it is allowed now."""
        now = time.time()
        needs = {"requests": 1, "input-tokens": _count_tokens(body)}
        for kind, (remaining, reset) in self._allowed.items():
            if reset > now and remaining < needs.get(kind, 0):
                return reset - now
        return None

    def _next_id(self, prefix: str) -> str:
        """Ids like ``msg_0001`` / ``req_0001``: unique per double, stable across runs."""
        return f"{prefix}_{next(self._ids):04d}"

    def _track(self, conn: socket.socket, *, open_: bool) -> None:
        """Remember open connections so stop() can cut idle keep-alive ones too."""
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], double: ApiDouble) -> None:
        self.double = double
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name, which can hang without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-reply is a scripted fault here, not news for stderr."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Hangup(Exception):
    """The client went away or the double is stopping: end this handler quietly."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # each delta leaves at once, not batched by the kernel
    server: _Server
    request_id: str

    def setup(self) -> None:
        super().setup()
        self.server.double._track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.double._track(self.connection, open_=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: test output should show test failures, not access logs."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        double = self.server.double
        self.request_id = double._next_id("req")
        url = urlsplit(self.path)
        body = self._read_body()
        double.requests.append(
            RecordedRequest(
                method=self.command,
                path=url.path,
                query=dict(parse_qsl(url.query)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
        )
        try:
            if self._key() != double.api_key:
                self._send_error(401, *ERRORS[401])
            else:
                self._route(self.command, url.path, body)
        except (_Hangup, OSError):  # OSError: the client hung up while we wrote
            self.close_connection = True

    def _read_body(self) -> Any:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        kind = self.headers.get("content-type", "")
        if kind.startswith("multipart/form-data"):
            return _form(kind, raw)
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _key(self) -> str | None:
        bearer = self.headers.get("authorization", "")
        if bearer.startswith("Bearer "):
            return bearer.removeprefix("Bearer ")
        return self.headers.get("x-api-key")

    def _route(self, method: str, path: str, body: Any) -> None:
        if method == "GET" and path == "/v1/models":
            self._send_models()
        elif method == "GET" and path.startswith("/v1/models/"):
            self._send_model(path.removeprefix("/v1/models/"))
        elif method == "POST" and path in ("/v1/messages", "/v1/messages/count_tokens"):
            self._messages(path, body)
        elif method == "POST" and path == "/v1/files":
            self._upload(body)
        else:
            self._send_error(404, "not_found_error", f"{method} {path} is not served here")

    def _send_models(self) -> None:
        double = self.server.double
        double._stopping.wait(double.models_delay)
        if double.models_status != 200:
            self._send_error(double.models_status, *ERRORS[double.models_status])
            return
        models = double.models
        self._send_json(
            200,
            {
                "data": models,
                "has_more": False,
                "first_id": models[0]["id"] if models else None,
                "last_id": models[-1]["id"] if models else None,
            },
        )

    def _upload(self, form: Any) -> None:
        double = self.server.double
        if double.files_status != 200:
            self._send_error(double.files_status, *ERRORS[double.files_status])
            return
        upload = form.get("file") if isinstance(form, dict) else None
        if not isinstance(upload, UploadedFile) or not upload.data:
            self._send_error(400, "invalid_request_error", "file: Field required")
            return
        file_id = double._next_id("file")
        double.files[file_id] = upload
        self._send_json(
            200,
            {
                "id": file_id,
                "type": "file",
                "filename": upload.filename,
                "mime_type": upload.mime_type,
                "size_bytes": len(upload.data),
                "created_at": "2026-12-08T00:00:00Z",
                "downloadable": False,
            },
        )

    def _send_model(self, model_id: str) -> None:
        found = [m for m in self.server.double.models if m["id"] == model_id]
        if found:
            self._send_json(200, found[0])
        else:
            self._send_error(404, "not_found_error", f"model: {model_id}")

    def _messages(self, path: str, body: Any) -> None:
        models = {m["id"]: m for m in self.server.double.models}
        if not isinstance(body, dict):
            self._send_error(400, "invalid_request_error", "the body must be a JSON object")
        elif body.get("model") not in models:
            self._send_error(404, "not_found_error", f"model: {body.get('model')}")
        elif (problem := shape_problem(body.get("messages"), bool(body.get("tools")))) is not None:
            self._send_error(400, "invalid_request_error", problem)
        elif path.endswith("/count_tokens"):
            counted = round(_count_tokens(body) * self.server.double.count_scale)
            self._send_json(200, {"input_tokens": counted})
        elif (
            (problem := tools_problem(body, models[body["model"]], self.server.double)) is not None
            or (problem := settings_problem(body, models[body["model"]])) is not None
            or (problem := files_problem(body, models[body["model"]], self.server.double))
            is not None
        ):
            self._send_error(400, "invalid_request_error", problem)
        elif (wait := self.server.double._over_limit(body)) is not None:
            self._send_error(429, *ERRORS[429], retry_after=wait)
        else:
            reply = _cached_at(self.server.double._next_reply(body), body)
            self._answer(reply, body)

    def _answer(self, reply: Reply, body: dict[str, Any]) -> None:
        if reply.status != 200:
            kind, message = ERRORS.get(reply.status, ("api_error", "Error"))
            self._send_error(
                reply.status,
                reply.error_type or kind,
                reply.error_message or message,
                reply.retry_after,
            )
            return
        message_id = self.server.double._next_id("msg")
        self.server.double.answers[message_id] = _message(reply, body["model"], message_id)[
            "content"
        ]
        if body.get("stream"):
            billed = Billed(self.request_id, message_id, _last_user_text(body))
            self._stream(reply, _stream_events(reply, body["model"], message_id), billed)
        else:
            self._send_json(200, _message(reply, body["model"], message_id))

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in {
            "content-type": "application/json",
            "content-length": str(len(data)),
            "request-id": self.request_id,
            **(headers or {}),
        }.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(
        self, status: int, kind: str, message: str, retry_after: float | None = None
    ) -> None:
        payload = {
            "type": "error",
            "error": {"type": kind, "message": message},
            "request_id": self.request_id,
        }
        headers = {} if retry_after is None else {"retry-after": f"{retry_after:g}"}
        self._send_json(status, payload, headers)

    def _stream(
        self, reply: Reply, events: Iterator[SseEvent], billed: Billed | None = None
    ) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("request-id", self.request_id)
        for name, value in self.server.double._limit_headers(reply):
            self.send_header(name, value)
        self.end_headers()
        for name, data in events:
            self._write_chunk(_sse(name, data))
            if name == "message_start" and billed is not None:
                with self.server.double._lock:
                    self.server.double.billed.append(billed)
            if name == "content_block_delta":
                self._pause(reply.delay)
        self._finish_stream(reply)

    def _finish_stream(self, reply: Reply) -> None:
        if reply.fault == "error_event":
            error = {"type": "overloaded_error", "message": "Overloaded"}
            self._write_chunk(_sse("error", {"type": "error", "error": error}))
        elif reply.fault == "stall":
            self._pause(reply.stall_seconds)
        if reply.fault in ("drop", "stall"):
            self._drop()
        else:
            self.wfile.write(b"0\r\n\r\n")

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _drop(self) -> None:
        """Promise a chunk, send half of it, and close: the client sees an incomplete body."""
        partial = _sse("content_block_delta", {"type": "content_block_delta"})
        self.wfile.write(b"%x\r\n%s" % (len(partial), partial[: len(partial) // 2]))
        self.connection.shutdown(socket.SHUT_RDWR)
        raise _Hangup

    def _pause(self, seconds: float) -> None:
        """Wait, but give up at once if the double stops or the client hangs up."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.server.double._stopping.wait(min(left, POLL_SECONDS)) or self._client_gone():
                raise _Hangup

    def _client_gone(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


def shape_problem(messages: Any, tools: bool = False) -> str | None:
    """What the real API would reject in a messages list, in its words; None if it is valid.

    With ``tools``, a final assistant turn holding server tool blocks is a paused turn
    sent back to go on, which the API takes.
    """
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    for index, message in enumerate(messages):
        expected = "user" if index % 2 == 0 else "assistant"
        if not isinstance(message, dict) or message.get("role") != expected:
            return f"messages.{index}.role: roles must alternate, starting with user"
        problem = _content_problem(message.get("content"))
        if problem is not None:
            return f"messages.{index}.content: {problem}"
    if messages[-1]["role"] != "user" and not (tools and _has_server_blocks(messages[-1])):
        return "the final message must be a user message"
    return None


TOOL_TYPE = re.compile(r"^(web_search|web_fetch)_(\d{8})$")


def tools_problem(body: dict[str, Any], model: dict[str, Any], double: ApiDouble) -> str | None:
    """What the API refuses in the server tools: unknown versions, both domain lists,
    a model without server tools, an organisation with web search off."""
    tools = body.get("tools")
    if tools is None:
        return None
    server = (model.get("capabilities") or {}).get("server_tools", {"supported": True})
    for n, tool in enumerate(tools):
        found = TOOL_TYPE.match(str(tool.get("type")))
        if found is None or tool.get("name") != found[1]:
            return f"tools.{n}: Input tag '{tool.get('type')}' does not match any expected tag"
        if "allowed_domains" in tool and "blocked_domains" in tool:
            return f"tools.{n}: Cannot specify both allowed_domains and blocked_domains"
        if not server.get("supported"):
            return f"tools.{n}: {model['id']} does not support the {found[1]} tool"
        if not double.web_enabled:
            return "Web search is disabled for this organization"
    return None


def settings_problem(body: dict[str, Any], model: dict[str, Any]) -> str | None:
    """What the real API refuses in a request's settings for this model, in its words."""
    most, name = model.get("max_tokens"), model["id"]
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        return "max_tokens: Field required"
    if most and max_tokens > most:
        return (
            f"max_tokens: {max_tokens} > {most}, which is the maximum allowed number of "
            f"output tokens for {name}"
        )
    caps = model.get("capabilities") or {}
    return (
        _thinking_problem(body, caps, name)
        or _effort_problem(body, caps, name)
        or (_cache_problem(body.get("cache_control")))
    )


def _thinking_problem(body: dict[str, Any], caps: dict[str, Any], name: str) -> str | None:
    thinking = body.get("thinking")
    if thinking is None:
        return None
    kind = thinking.get("type")
    types = caps.get("thinking", {}).get("types", {})
    if kind in types and not types[kind]["supported"]:
        return f"thinking.type: '{kind}' is not supported for {name}"
    if thinking.get("display") not in (None, "summarized", "omitted"):
        return "thinking.display: Input should be 'summarized' or 'omitted'"
    budget = thinking.get("budget_tokens")
    if kind == "enabled" and (not isinstance(budget, int) or budget < 1024):
        return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
    if kind == "enabled" and budget >= body["max_tokens"]:
        return "`max_tokens` must be greater than `thinking.budget_tokens`"
    return None


def _effort_problem(body: dict[str, Any], caps: dict[str, Any], name: str) -> str | None:
    effort = (body.get("output_config") or {}).get("effort")
    if effort is None:
        return None
    levels = caps.get("effort", {})
    if not levels.get("supported") or not (levels.get(effort) or {}).get("supported"):
        return f"output_config.effort: '{effort}' is not supported for {name}"
    return None


def _cache_problem(cache_control: Any) -> str | None:
    if cache_control is None:
        return None
    if cache_control.get("type") != "ephemeral" or cache_control.get("ttl", "5m") not in (
        "5m",
        "1h",
    ):
        return "cache_control: Input should be ephemeral with ttl '5m' or '1h'"
    return None


IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
IMAGE_MAX_BYTES = 5 * 1024 * 1024
PDF_MAX_BYTES = 32 * 1024 * 1024


def files_problem(body: dict[str, Any], model: dict[str, Any], double: ApiDouble) -> str | None:
    """What the API refuses in image and document blocks: kinds, sizes, ids, capabilities."""
    caps = model.get("capabilities") or {}
    pdf_bytes = 0
    for m, message in enumerate(body["messages"]):
        content = message.get("content")
        for b, block in enumerate(content if isinstance(content, list) else []):
            where = f"messages.{m}.content.{b}"
            kind = block.get("type") if isinstance(block, dict) else None
            if kind not in ("image", "document"):
                continue
            wanted = "image_input" if kind == "image" else "pdf_input"
            data, media_type, problem = _source(block.get("source") or {}, double)
            if problem:
                return f"{where}.source: {problem}"
            if kind == "image" and media_type not in IMAGE_MEDIA_TYPES:
                return (
                    f"{where}.source.media_type: Input should be {' or '.join(IMAGE_MEDIA_TYPES)}"
                )
            if kind == "image" and len(data) > IMAGE_MAX_BYTES:
                return f"{where}: image exceeds 5 MB maximum: {len(data)} bytes > 5242880 bytes"
            if media_type == "application/pdf":
                pdf_bytes += len(data)
            elif kind == "document":
                continue  # plain text needs no capability
            if not caps.get(wanted, {"supported": True})["supported"]:
                return f"{where}: {model['id']} does not support {wanted.replace('_', ' ')}"
    if pdf_bytes > PDF_MAX_BYTES:
        return f"PDFs in one request exceed 32 MB: {pdf_bytes} bytes"
    return None


def _source(source: dict[str, Any], double: ApiDouble) -> tuple[bytes, str, str | None]:
    """The bytes and media type a block's source carries, or why the API would refuse it."""
    kind = source.get("type")
    if kind == "file":
        found = double.files.get(str(source.get("file_id")))
        if found is None:
            return b"", "", f"file not found: {source.get('file_id')}"
        return found.data, found.mime_type, None
    if kind == "base64":
        try:
            data = base64.b64decode(source.get("data", ""), validate=True)
        except ValueError:
            return b"", "", "data: invalid base64"
        return data, str(source.get("media_type")), None
    if kind == "text" and source.get("media_type") == "text/plain" and source.get("data"):
        return source["data"].encode(), "text/plain", None
    return b"", "", f"type: '{kind}' is not a source this double takes"


def _form(content_type: str, raw: bytes) -> dict[str, UploadedFile]:
    """The file parts of a multipart/form-data body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename() or ""
        parts[str(name)] = UploadedFile(
            filename, part.get_content_type(), part.get_payload(decode=True) or b""
        )
    return parts


def _cached_at(reply: Reply, body: dict[str, Any]) -> Reply:
    """The reply with its ``cache_write`` tokens in the bucket the request's TTL names."""
    if not reply.cache_write:
        return reply
    ttl = (body.get("cache_control") or {}).get("ttl", "5m")
    if ttl == "1h":
        return replace(reply, cache_write_1h=reply.cache_write_1h + reply.cache_write)
    return replace(reply, cache_write_5m=reply.cache_write_5m + reply.cache_write)


def _content_problem(content: Any) -> str | None:
    if isinstance(content, str):
        return None if content.strip() else "text content blocks must be non-empty"
    if not isinstance(content, list) or not content:
        return "content must be a non-empty list of blocks"
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text" and not str(block.get("text", "")).strip():
            return "text content blocks must contain non-whitespace text"
        if kind == "thinking" and not block.get("signature"):
            return "thinking blocks must carry the signature they were sent with"
        if kind not in BLOCK_TYPES:
            return f"Input tag '{kind}' found using 'type' does not match any of the expected tags"
    return None


def _has_server_blocks(message: dict[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "server_tool_use" for b in content
    )


BLOCK_TYPES = frozenset(
    {"text", "image", "document", "thinking", "redacted_thinking", "tool_use", "tool_result"}
    | {"server_tool_use", "web_search_tool_result", "web_fetch_tool_result"}
)


def _stream_events(reply: Reply, model: str, message_id: str) -> Iterator[SseEvent]:
    """The SSE events of one answer, cut short before ``reply.fault`` if there is one."""
    start = _message(reply, model, message_id)
    content = start["content"]
    start.update(content=[], stop_reason=None)
    start["usage"]["output_tokens"] = 1
    yield "message_start", {"type": "message_start", "message": start}
    yield "ping", {"type": "ping"}
    if reply.thinking is not None:
        yield from _thinking_events(reply.thinking, reply.chunk)
    first = 0 if reply.thinking is None else 1
    for index, block in enumerate(content[first:-1], start=first):
        yield from _block_events(index, block, reply.chunk)
    index = len(content) - 1
    yield _block_start(index, {"type": "text", "text": ""})
    pieces = _pieces(reply.text, reply.chunk)
    for piece in pieces[: reply.fault_after] if reply.fault else pieces:
        yield _block_delta(index, {"type": "text_delta", "text": piece})
    if reply.fault:
        return
    yield "content_block_stop", {"type": "content_block_stop", "index": index}
    usage = {k: v for k, v in _usage(reply).items() if k != "cache_creation"}
    delta = {"stop_reason": reply.stop_reason, "stop_sequence": None}
    yield "message_delta", {"type": "message_delta", "delta": delta, "usage": usage}
    yield "message_stop", {"type": "message_stop"}


def _block_events(index: int, block: dict[str, Any], chunk: int) -> Iterator[SseEvent]:
    """A complete block as the API streams it: text and tool input in pieces."""
    kind = block["type"]
    if kind == "text":
        opening = {"type": "text", "text": ""}
        if "citations" in block:
            opening["citations"] = []
        yield _block_start(index, opening)
        for citation in block.get("citations", []):
            yield _block_delta(index, {"type": "citations_delta", "citation": citation})
        for piece in _pieces(block["text"], chunk):
            yield _block_delta(index, {"type": "text_delta", "text": piece})
    elif kind == "server_tool_use":
        yield _block_start(index, {**block, "input": {}})
        for piece in _pieces(json.dumps(block["input"]), chunk):
            yield _block_delta(index, {"type": "input_json_delta", "partial_json": piece})
    else:
        yield _block_start(index, block)
    yield "content_block_stop", {"type": "content_block_stop", "index": index}


def _web_blocks(reply: Reply, message_id: str) -> list[dict[str, Any]]:
    """The blocks of a server-tool turn: preamble, each call and its result, cited text."""
    blocks: list[dict[str, Any]] = []
    if reply.preamble:
        blocks.append({"type": "text", "text": reply.preamble})
    for number, step in enumerate(reply.web):
        tool_id = f"srvtoolu_{message_id}_{number}"
        name, key = ("web_fetch", "url") if step.fetch else ("web_search", "query")
        blocks.append(
            {"type": "server_tool_use", "id": tool_id, "name": name, "input": {key: step.query}}
        )
        blocks.append(_tool_result(step, tool_id))
    for text, step, result in reply.cited:
        title, url, _ = reply.web[step].results[result]
        citation = {
            "type": "web_search_result_location",
            "url": url,
            "title": title,
            "encrypted_index": f"enc_{step}_{result}",
            "cited_text": text[:40],
        }
        blocks.append({"type": "text", "text": text, "citations": [citation]})
    return blocks


def _tool_result(step: WebStep, tool_id: str) -> dict[str, Any]:
    if step.fetch:
        document = {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": step.page},
            "title": step.query,
        }
        content: Any = {"type": "web_fetch_result", "url": step.query, "content": document}
        return {"type": "web_fetch_tool_result", "tool_use_id": tool_id, "content": content}
    if step.error is not None:
        content = {"type": "web_search_tool_result_error", "error_code": step.error}
    else:
        content = [
            {
                "type": "web_search_result",
                "title": title,
                "url": url,
                "page_age": age,
                "encrypted_content": "enc_" + hashlib.sha256(url.encode()).hexdigest()[:16],
            }
            for title, url, age in step.results
        ]
    return {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": content}


def _thinking_events(thinking: str, chunk: int) -> Iterator[SseEvent]:
    yield _block_start(0, {"type": "thinking", "thinking": "", "signature": ""})
    for piece in _pieces(thinking, chunk):
        yield _block_delta(0, {"type": "thinking_delta", "thinking": piece})
    yield _block_delta(0, {"type": "signature_delta", "signature": _signature(thinking)})
    yield "content_block_stop", {"type": "content_block_stop", "index": 0}


def _block_start(index: int, block: dict[str, Any]) -> SseEvent:
    return "content_block_start", {
        "type": "content_block_start",
        "index": index,
        "content_block": block,
    }


def _block_delta(index: int, delta: dict[str, Any]) -> SseEvent:
    return "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}


def _message(reply: Reply, model: str, message_id: str) -> dict[str, Any]:
    """The complete non-streamed Message; streaming starts from a copy of it."""
    content: list[dict[str, Any]] = []
    if reply.thinking is not None:
        signature = _signature(reply.thinking)
        content.append({"type": "thinking", "thinking": reply.thinking, "signature": signature})
    content += _web_blocks(reply, message_id)
    content.append({"type": "text", "text": reply.text})
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": reply.stop_reason,
        "stop_sequence": None,
        "usage": _usage(reply),
    }


def _usage(reply: Reply) -> dict[str, Any]:
    output = reply.output_tokens if reply.output_tokens is not None else len(reply.text) // 4 + 1
    return {
        "input_tokens": reply.input_tokens,
        "cache_creation_input_tokens": reply.cache_write_5m + reply.cache_write_1h,
        "cache_read_input_tokens": reply.cache_read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": reply.cache_write_5m,
            "ephemeral_1h_input_tokens": reply.cache_write_1h,
        },
        "output_tokens": output,
        "server_tool_use": {
            "web_search_requests": sum(1 for step in reply.web if not step.fetch),
            "web_fetch_requests": sum(1 for step in reply.web if step.fetch),
        },
    }


def _sse(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _pieces(text: str, chunk: int) -> list[str]:
    size = max(chunk, 1)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _signature(thinking: str) -> str:
    """Deterministic, so tests can check the signature is passed back unchanged."""
    return "sig_" + hashlib.sha256(thinking.encode()).hexdigest()[:32]


def _texts(node: Any) -> Iterator[str]:
    """Every ``text`` in a system prompt or message content, plain string or blocks."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)
    elif isinstance(node, dict):
        yield from _texts(node.get("text"))
        yield from _texts(node.get("content"))


def _last_user_text(body: dict[str, Any]) -> str:
    users = [m for m in body.get("messages") or [] if m.get("role") == "user"]
    return "".join(_texts(users[-1].get("content"))) if users else ""


def _count_tokens(body: dict[str, Any]) -> int:
    """A crude but deterministic estimate: four characters a token."""
    chars = sum(len(t) for t in _texts([body.get("system"), body.get("messages")]))
    return chars // 4 + 1


def main() -> None:
    """Serve the default models and echo (or one fixed) replies until killed, for manual tries
    and benchmarks; the first line printed is the base URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 lets the OS choose")
    parser.add_argument("--api-key", default="sk-ant-test-key")
    parser.add_argument("--reply-file", help="answer every message with this file's text")
    parser.add_argument("--chunk", type=int, default=4, help="characters per text delta")
    args = parser.parse_args()
    default = None
    if args.reply_file:
        with open(args.reply_file, encoding="utf-8") as file:
            default = Reply(text=file.read(), chunk=args.chunk)
    with ApiDouble(api_key=args.api_key, port=args.port, default=default) as double:
        print(double.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
