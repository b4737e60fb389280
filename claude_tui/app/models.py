"""The model catalogue: the models list, asked of the API at most once a day.

Start-up, sends and ``/model`` read the list kept in the database; it is fetched
again when it is a day old, when ``/model`` asks, and after the API said a model
does not exist. Offline, the kept list serves however old it is, and with none
at all nothing is refused: the API decides and the built-in fallbacks apply.
"""

from __future__ import annotations

import contextlib
import difflib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from claude_tui.core.inert import inert
from claude_tui.core.models import ModelInfo, model_from_json
from claude_tui.errors import ClaudeTuiError, StoreError, UsageError
from claude_tui.store import ModelList, ModelLists

TTL_S = 86_400.0


class ModelSource(Protocol):
    """Where the list comes from: the API client."""

    @property
    def base_url(self) -> str: ...

    def model_entries(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Listing:
    """The models as last known, where they came from and when they were fetched."""

    models: list[ModelInfo]
    source: Literal["api", "kept"]
    fetched_at: float

    def find(self, model_id: str) -> ModelInfo | None:
        """The entry for ``model_id``, or None."""
        return next((m for m in self.models if m.id == model_id), None)


class ModelCatalog:
    """The models list of one endpoint, kept in ``lists`` when a database is open."""

    def __init__(
        self,
        api: ModelSource,
        lists: ModelLists | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api = api
        self._lists = lists
        self._clock = clock
        self._listing: Listing | None = None
        self._fetched_here = False
        self._gave_up = False  # a fetch failed: sends stop asking until /model or a 404
        self.problem: str | None = None  # why the last fetch failed, for /model to say

    def listing(self, refresh: bool = False) -> Listing:
        """The list, fetched when asked, stale or never kept; raises only with nothing kept."""
        listing = self._listing or self._kept()
        if refresh or listing is None or self._clock() - listing.fetched_at >= TTL_S:
            try:
                listing = self._fetch()
            except (ClaudeTuiError, KeyboardInterrupt) as exc:
                # Sends stop waiting on a list that failed or that the person gave up on.
                self._gave_up, self.problem = True, str(exc) or "interrupted"
                if listing is None or isinstance(exc, KeyboardInterrupt):
                    raise
        self._listing = listing
        return listing

    def known(self) -> Listing | None:
        """The list without waiting on the network: what is in memory or kept on disk."""
        self._listing = self._listing or self._kept()
        return self._listing

    def info(self, model_id: str) -> ModelInfo | None:
        """What the list says of ``model_id``; None when it is not listed or cannot be had."""
        listing = self.known() if self._gave_up else self._quietly()
        return listing.find(model_id) if listing else None

    def check(self, model_id: str) -> None:
        """Refuse an id the list does not have, with the nearest one; fetched anew once first.

        With no list to be had (offline, a gateway without the endpoint) every id passes.
        """
        listing = self.known() if self._gave_up else self._quietly()
        if listing is None or listing.find(model_id):
            return
        if not self._fetched_here and not self._gave_up:
            listing = self._quietly(refresh=True) or listing
            if listing.find(model_id):
                return
        raise UsageError(*unknown_model(model_id, [m.id for m in listing.models]))

    def forget(self) -> None:
        """The API said a model does not exist: the next look fetches the list again."""
        self._gave_up = False
        if self._listing is not None:
            self._listing = Listing(self._listing.models, self._listing.source, 0.0)

    def _quietly(self, refresh: bool = False) -> Listing | None:
        try:
            return self.listing(refresh)
        except ClaudeTuiError:
            return None

    def _fetch(self) -> Listing:
        entries = self._api.model_entries()
        now = self._clock()
        self._fetched_here, self._gave_up, self.problem = True, False, None
        if self._lists is not None:
            # Unsaved, the list still serves this process; the next one asks again.
            with contextlib.suppress(StoreError):
                self._lists.put(self._api.base_url, ModelList(now, entries))
        return Listing(_parsed(entries), "api", now)

    def _kept(self) -> Listing | None:
        if self._lists is None:
            return None
        kept = self._lists.get(self._api.base_url)
        return Listing(_parsed(kept.entries), "kept", kept.fetched_at) if kept else None


def _parsed(entries: list[dict[str, Any]]) -> list[ModelInfo]:
    return [model_from_json(e) for e in entries if isinstance(e.get("id"), str)]


def unknown_model(model_id: str, known: list[str]) -> tuple[str, str]:
    """One line for an id the list lacks, with the nearest id; then how to insist, in a chat."""
    close = difflib.get_close_matches(model_id, known, n=1)
    hint = f" (did you mean '{inert(close[0])}'?)" if close else ""
    return (
        f"unknown model '{inert(model_id)}'{hint}",
        "; /model lists them, /model --force ID uses one the list does not have yet",
    )
