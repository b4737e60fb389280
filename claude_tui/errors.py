"""Every error claude-tui shows a person, in one tree.

Each class carries a one-line, user-facing message, so the top level can print
``str(error)`` and exit without a traceback::

    ClaudeTuiError                  anything we expect and can explain
    ├── ConfigError                 bad config file, key, type or value (exit 2)
    ├── ApiError                    talking to the Messages API failed
    │   ├── MissingKeyError         no API key in the environment
    │   ├── AuthError               401: the key was rejected
    │   ├── AccessDeniedError       403: the key may not do this
    │   ├── UnknownModelError       404: no such model
    │   ├── BadRequestError         400: the API's own message
    │   ├── TooLargeError           413: request too large
    │   ├── RateLimitError          429 after our retries
    │   ├── ServiceBusyError        500/529 after our retries
    │   ├── ConnectionFailedError   cannot reach the base URL
    │   ├── StreamBrokenError       the answer broke off mid-stream
    │   ├── FilesUnavailableError   the endpoint takes no uploads (a gateway)
    │   └── FileGoneError           a file id sent is no longer on the API's side
    ├── StoreError                  the session database cannot be used
    │   ├── CorruptDatabaseError    not a database, or damaged
    │   ├── NewerDatabaseError      written by a newer claude-tui
    │   └── NotFoundError           no session matches an id or title
    ├── UsageError                  a command used wrongly (exit 2)
    └── BudgetError                 a hard spending limit is reached (exit 3)
"""

from __future__ import annotations


class ClaudeTuiError(Exception):
    """Base of every error that has a message fit to show a person."""

    exit_code: int = 1

    def __init__(self, message: str, chat_advice: str = "") -> None:
        """``chat_advice`` names chat commands (", then /retry"): ``ask`` leaves it out."""
        super().__init__(message)
        self.message = message
        self.chat_advice = chat_advice

    def __str__(self) -> str:
        return self.message + self.chat_advice


class ConfigError(ClaudeTuiError):
    """The configuration cannot be used; exits 2 like any usage error."""

    exit_code = 2


class UsageError(ClaudeTuiError):
    """A command or flag was used wrongly."""

    exit_code = 2


class ApiError(ClaudeTuiError):
    """A request to the Messages API failed; ``retryable`` says if /retry may help."""

    retryable: bool = False


class MissingKeyError(ApiError):
    """No API key was found in the configured environment variable."""


class AuthError(ApiError):
    """The API rejected the key (401)."""


class AccessDeniedError(ApiError):
    """The key is valid but not allowed to do this (403)."""


class UnknownModelError(ApiError):
    """The model id does not exist or is not available to this key (404)."""


class BadRequestError(ApiError):
    """The API refused the request as invalid (400); its message says why."""


class TooLargeError(ApiError):
    """The request body was larger than the API accepts (413)."""


class RateLimitError(ApiError):
    """Still rate limited after the retries the client made (429)."""

    retryable = True


class ServiceBusyError(ApiError):
    """The service failed or was overloaded after the client's retries (5xx, 529)."""

    retryable = True


class ConnectionFailedError(ApiError):
    """The base URL could not be reached at all."""

    retryable = True


class StreamBrokenError(ApiError):
    """The answer started but did not finish; the partial answer is kept."""

    retryable = True


class FilesUnavailableError(ApiError):
    """The Files API is refused here (403/404/405): files go inline instead."""


class FileGoneError(ApiError):
    """A request named a file id the API no longer has; ``file_ids`` are the ones sent."""

    def __init__(self, message: str, file_ids: list[str]) -> None:
        super().__init__(message)
        self.file_ids = file_ids


class StoreError(ClaudeTuiError):
    """The session database could not be read or written; nothing was deleted."""


class CorruptDatabaseError(StoreError):
    """The database file is damaged or not a database; it is left untouched."""


class NewerDatabaseError(StoreError):
    """The database has a newer schema than this version knows; never downgraded."""


class NotFoundError(StoreError):
    """No session matches the id prefix or title given."""


class BudgetError(ClaudeTuiError):
    """A hard budget (``[budget] hard = true``) is spent: nothing more is sent."""

    exit_code = 3
