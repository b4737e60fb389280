"""Turn the end of each API call into a priced usage record for the ledger.

Anthropic bills an answer that was cut off (Ctrl-C, a dropped connection, an
error event) for what it had already sent, so such a call is recorded too: its
input figures from ``message_start`` and its output estimated from the partial
text, flagged as estimated. A request that never started is not billed and
gets no record.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from claude_tui.core.events import MessageStart, Stop, Usage
from claude_tui.core.pricing import PriceTable
from claude_tui.core.tokens import estimate_text
from claude_tui.core.usage import UsageRecord
from claude_tui.processes import running
from claude_tui.store import Ledger


class UsageSink(Protocol):
    """Where records go: the tracker, or a list in tests."""

    def record(self, record: UsageRecord) -> None: ...

    def begin(self, record: UsageRecord) -> None: ...

    def flush(self, timeout: float) -> bool: ...


# How long reading totals waits for the tracker to write the rows before them.
SETTLE_WAIT_S = 2.0


def local_day(at: float) -> str:
    """The person's calendar day for a timestamp: 'today' means their today."""
    return time.strftime("%Y-%m-%d", time.localtime(at))


class Meter:
    """Prices calls and hands the records to the tracker."""

    def __init__(
        self,
        prices: PriceTable,
        sink: UsageSink,
        count_tokens: Callable[[str], int],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.prices = prices
        self._sink = sink
        self._count = count_tokens
        self._clock = clock

    def begin(
        self,
        start: MessageStart,
        key: str,
        *,
        session_id: str | None,
        message_seq: int | None,
        kind: str = "chat",
    ) -> None:
        """Note that a call started (it is billed from now on); its end will use ``key``."""
        record = self._record(key, start, start.usage, session_id, message_seq)
        self._sink.begin(replace(record, estimated=True, kind=kind))

    def bill(
        self,
        start: MessageStart | None,
        stop: Stop | None,
        partial_text: str,
        *,
        session_id: str | None,
        message_seq: int | None,
        kind: str = "chat",
        key: str | None = None,
    ) -> UsageRecord | None:
        """Record one call; None when the request never started (nothing billed).

        ``key`` is the one :meth:`begin` gave, so the call in flight becomes this row.
        """
        if start is None:
            return None
        usage, estimated = (stop.usage, False) if stop is not None else (start.usage, True)
        if estimated:
            output = max(usage.output_tokens, self._count(partial_text))
            usage = replace(usage, output_tokens=output)
        record = self._record(key or new_key(), start, usage, session_id, message_seq)
        record = replace(record, estimated=estimated, kind=kind)
        self._sink.record(record)
        return record

    def adopt(self, ledger: Ledger) -> None:
        """Book the calls processes that were killed left in flight, estimated from their text."""
        for record, text in ledger.orphans(self._running):
            output = max(record.usage.output_tokens, estimate_text(text))
            usage = replace(record.usage, output_tokens=output)
            ledger.append(
                replace(record, usage=usage, charge=self.prices.charge(record.model, usage))
            )

    def _running(self, pid: int, process: str, at: float) -> bool:
        return running(pid, process, self._clock() - at)

    def _record(
        self,
        key: str,
        start: MessageStart,
        usage: Usage,
        session_id: str | None,
        message_seq: int | None,
    ) -> UsageRecord:
        at = self._clock()
        return UsageRecord(
            key=key,
            at=at,
            day=local_day(at),
            session_id=session_id,
            message_seq=message_seq,
            model=start.model,
            request_id=start.request_id,
            usage=usage,
            charge=self.prices.charge(start.model, usage),
        )

    def settle(self, timeout: float = SETTLE_WAIT_S) -> bool:
        """Wait until every record so far is written, so totals read next include them."""
        return self._sink.flush(timeout)


def new_key() -> str:
    """A ledger key: unique per call, so no write of it can count the call twice."""
    return uuid.uuid4().hex
