"""Every way a request can fail, turned into one line a person can act on.

The SDK wraps failures before the stream starts in its own exception tree, but
not those in the middle of it: an in-stream ``error`` event arrives as a bare
``APIStatusError`` with status 200, and a dropped or stalled connection as an
unwrapped ``httpx2`` error. Both halves are handled here.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from claude_tui import errors

KEPT = "; the partial answer is kept, /retry to ask again"
TOO_LONG = "prompt is too long"


def translate(exc: BaseException, context: dict[str, Any]) -> errors.ClaudeTuiError:
    """Map any exception raised while talking to the API to our error tree."""
    if isinstance(exc, errors.ClaudeTuiError):
        return exc
    sdk = importlib.import_module("anthropic")
    httpx = importlib.import_module("httpx2")
    if isinstance(exc, sdk.APIStatusError):
        if exc.status_code == 200:
            return _in_stream(exc)
        return _status(exc, context)
    if isinstance(exc, sdk.APITimeoutError | httpx.TimeoutException):
        return _timeout(context)
    if isinstance(exc, sdk.APIConnectionError | httpx.TransportError):
        return _connection(exc, context)
    return errors.ApiError(f"unexpected failure talking to the API: {type(exc).__name__}")


def _in_stream(exc: Any) -> errors.ClaudeTuiError:
    kind = exc.type or "error"
    detail = f": {exc.api_message}" if exc.api_message else ""
    return errors.StreamBrokenError(f"the answer broke off ({kind}{detail})", KEPT)


def _timeout(context: dict[str, Any]) -> errors.ClaudeTuiError:
    seconds = f"{context['timeout']:g}"
    if context["started"]:
        return errors.StreamBrokenError(f"the answer stalled: no data for {seconds} s", KEPT)
    return errors.ConnectionFailedError(
        f"no answer from {context['base_url']} within {seconds} s", "; /retry, or raise timeout"
    )


def _connection(exc: BaseException, context: dict[str, Any]) -> errors.ClaudeTuiError:
    if context["started"]:
        return errors.StreamBrokenError("the connection dropped mid-answer", KEPT)
    cause = exc.__cause__ or exc
    return errors.ConnectionFailedError(
        f"cannot reach {context['base_url']} ({_short(cause)}); check your network or base_url",
        ", then /retry",
    )


def _short(exc: BaseException) -> str:
    """The innermost reason in a few words, without the SDK's long advice text."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


WEB_OFF = re.compile(r"web (search|fetch)[^.]*\b(disabled|not enabled|turned off)", re.I)


def _status(exc: Any, context: dict[str, Any]) -> errors.ClaudeTuiError:
    status = exc.status_code
    message = exc.api_message or exc.message
    if status == 401:
        return errors.AuthError(f"the API key was rejected (401): check {context['key_env']}")
    if status in (400, 403) and WEB_OFF.search(message):
        return errors.AccessDeniedError(
            f"web search is turned off for your organisation ({status}); an admin can turn it "
            "on in the Console",
            "; /web off sends without it",
        )
    if status == 403:
        return errors.AccessDeniedError(f"permission denied (403): {message}")
    if status == 404:
        return errors.UnknownModelError(
            f"unknown model '{context['model']}' (404: {message})", "; list models with /model"
        )
    if status == 413:
        return errors.TooLargeError(
            "the request is too large (413): shorten it", ", /compact or /clear"
        )
    if status == 429:
        return errors.RateLimitError(
            f"rate limited (429){_after(context)}; {_when(exc)}", " with /retry"
        )
    if status >= 500:
        return errors.ServiceBusyError(
            f"the service is busy ({status} {exc.type or 'error'}){_after(context)}",
            "; try /retry in a moment",
        )
    if TOO_LONG in message.lower():
        return errors.BadRequestError(
            f"the conversation is too long for the model ({status}: {message})",
            "; /compact it, /undo the last exchange or /clear",
        )
    return errors.BadRequestError(f"the API refused the request ({status}): {message}")


def _after(context: dict[str, Any]) -> str:
    retries = context["retries"]
    if not retries:
        return ""
    return f" after {retries} {'retry' if retries == 1 else 'retries'}"


def _when(exc: Any) -> str:
    after = exc.response.headers.get("retry-after")
    try:
        return f"try again in {float(after):g} s"
    except (TypeError, ValueError):
        return "try again shortly"
