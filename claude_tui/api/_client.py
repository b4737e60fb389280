"""A thin client over the SDK: build the call, stream our own events, map failures."""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Generator, Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Any

from claude_tui.api._convert import events_from_sdk
from claude_tui.api._errors import translate
from claude_tui.api._retry import retry_reason, retry_wait
from claude_tui.api._tools import web_tools
from claude_tui.core.events import HeadroomSeen, Retrying, StreamEvent
from claude_tui.core.ratelimits import headroom_from
from claude_tui.core.request import ChatRequest
from claude_tui.errors import ApiError, FileGoneError, FilesUnavailableError, MissingKeyError

if TYPE_CHECKING:
    import anthropic


def preload_sdk(*then: str) -> threading.Thread:
    """Import the SDK in the background so it is ready by the time a message is sent.

    ``then`` names modules the answer needs after the SDK (the renderer), imported next
    in the same thread.
    """
    thread = threading.Thread(target=_import_all, args=("anthropic", *then), daemon=True)
    thread.start()
    return thread


def _import_all(*names: str) -> None:
    for name in names:
        importlib.import_module(name)


def _sdk() -> ModuleType:
    return importlib.import_module("anthropic")


class ApiClient:
    """Talks to the Messages API; the SDK client is built on first use, not at start-up."""

    def __init__(
        self,
        *,
        api_key: str | None,
        key_env: str,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._api_key = api_key
        self._key_env = key_env
        self._base_url = base_url
        self._timeout = timeout
        self._max_retries = max_retries
        self._sleep = sleep
        self._sdk_client: anthropic.Anthropic | None = None

    @property
    def base_url(self) -> str:
        """Where requests go, for error messages that say what could not be reached."""
        return self._base_url or "https://api.anthropic.com"

    def require_key(self) -> None:
        """Raise MissingKeyError now, before anything is typed, sent or saved."""
        if not self._api_key:
            raise MissingKeyError(
                f"no API key: set {self._key_env} "
                f"(export {self._key_env}=<your key>) or choose another variable with api_key_env"
            )

    def _client(self) -> anthropic.Anthropic:
        self.require_key()
        if self._sdk_client is None:
            self._sdk_client = _sdk().Anthropic(
                api_key=self._api_key,
                base_url=self.base_url,
                timeout=self._timeout,
                max_retries=self._max_retries,
            )
        return self._sdk_client

    def stream(self, request: ChatRequest) -> Iterator[StreamEvent]:
        """Stream one answer; closing the iterator closes the HTTP response at once."""
        stream = yield from self._open(request)
        try:
            with stream:
                headers = stream.response.headers
                headroom = headroom_from(headers)
                if headroom is not None:
                    yield HeadroomSeen(headroom)
                yield from events_from_sdk(stream, headers.get("request-id"))
        except Exception as exc:
            raise translate(exc, self._context(request.model, True)) from None

    def _open(self, request: ChatRequest) -> Generator[Retrying, None, Any]:
        """Send the request, saying so and waiting each time the API asks to come back later.

        Only this part is retried: once the response has begun, content may have
        been shown and billed, so it is never sent again behind the person's back.
        """
        client = self._client().with_options(max_retries=0)
        kwargs = _request_kwargs(request)
        attempt = 0
        while True:
            attempt += 1
            try:
                return client.messages.create(stream=True, **kwargs)
            except Exception as exc:
                gone = _files_gone(exc, request)
                if gone:
                    raise FileGoneError(f"the API no longer has {', '.join(gone)}", gone) from None
                reason = retry_reason(exc)
                if reason is None or attempt > self._max_retries:
                    context = self._context(request.model, False, retries=attempt - 1)
                    raise translate(exc, context) from None
                wait = retry_wait(exc, attempt)
                yield Retrying(wait, reason, attempt, self._max_retries)
                self._sleep(wait)

    def count_tokens(self, request: ChatRequest) -> int:
        """The input tokens the API counts for ``request``: free, but a round trip."""
        kwargs = _request_kwargs(request)
        counted = {
            key: kwargs[key]
            for key in ("model", "messages", "system", "thinking", "tools")
            if key in kwargs
        }
        try:
            return int(self._client().messages.count_tokens(**counted).input_tokens)
        except Exception as exc:
            raise translate(exc, self._context(request.model, False)) from None

    def upload(self, name: str, data: bytes, media_type: str) -> str:
        """Upload one file with the Files API; its file id. Only the name goes with it."""
        sdk = _sdk()
        try:
            return str(self._client().files.upload(file=(name, data, media_type)).id)
        except (sdk.PermissionDeniedError, sdk.NotFoundError) as exc:
            message = f"{self.base_url} takes no file uploads ({exc.status_code})"
            raise FilesUnavailableError(message) from None
        except sdk.APIStatusError as exc:
            if exc.status_code == 405:
                raise FilesUnavailableError(
                    f"{self.base_url} takes no file uploads (405)"
                ) from None
            raise translate(exc, self._context("", False)) from None
        except Exception as exc:
            raise translate(exc, self._context("", False)) from None

    def model_entries(self) -> list[dict[str, Any]]:
        """The models this key may use, as the API's JSON (every page), to keep as it came.

        Asked of the API each time: the app's model catalogue keeps the copy.
        """
        try:
            return [m.to_dict(mode="json") for m in self._client().models.list(limit=100)]
        except _sdk().NotFoundError:
            raise ApiError(f"{self.base_url} does not list models (404)") from None
        except Exception as exc:
            raise translate(exc, self._context("", False)) from None

    def _context(self, model: str, started: bool, retries: int = 0) -> dict[str, Any]:
        return {
            "model": model,
            "started": started,
            "base_url": self.base_url,
            "timeout": self._timeout,
            "retries": retries,
            "key_env": self._key_env,
        }


def _files_gone(exc: Exception, request: ChatRequest) -> list[str]:
    """The file ids a refusal says are not found, of those the request named."""
    status = getattr(exc, "status_code", None)
    message = str(getattr(exc, "message", "") or "").lower()
    if status not in (400, 404) or "file" not in message or "not found" not in message:
        return []
    sent = [
        block["source"]["file_id"]
        for turn in request.messages
        for block in turn["content"]
        if isinstance(block, dict) and (block.get("source") or {}).get("type") == "file"
    ]
    named = [file_id for file_id in sent if file_id.lower() in message]
    return named or sent


def _request_kwargs(request: ChatRequest) -> dict[str, Any]:
    """Only the fields the person set: some models reject even a default temperature."""
    kwargs: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": request.messages,
    }
    if request.system:
        kwargs["system"] = request.system
    if request.cache_ttl:
        kwargs["cache_control"] = {"type": "ephemeral", "ttl": request.cache_ttl}
    if request.temperature is not None:
        # SDK 2.13 dropped the keyword; the API still takes the field.
        kwargs["extra_body"] = {"temperature": request.temperature}
    thinking = _thinking(request)
    if thinking:
        kwargs["thinking"] = thinking
    if request.effort:
        kwargs["output_config"] = {"effort": request.effort}
    if request.web is not None:
        kwargs["tools"] = web_tools(request.web)
    return kwargs


def _thinking(request: ChatRequest) -> dict[str, Any] | None:
    if request.thinking == "adaptive":
        thinking: dict[str, Any] = {"type": "adaptive"}
    elif isinstance(request.thinking, int):
        thinking = {"type": "enabled", "budget_tokens": request.thinking}
    else:
        return None
    if request.thinking_display:
        thinking["display"] = request.thinking_display
    return thinking
