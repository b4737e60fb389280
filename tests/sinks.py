"""A usage sink that keeps records in a list: the tracker's edge, without a database."""

from __future__ import annotations

from claude_tui.core.usage import UsageRecord


class Collected(list[UsageRecord]):
    """Records in the order they were billed; always flushed."""

    def record(self, record: UsageRecord) -> None:
        """Keep the record."""
        self.append(record)

    def __init__(self) -> None:
        super().__init__()
        self.begun: list[UsageRecord] = []

    def begin(self, record: UsageRecord) -> None:
        """Keep the note of a call in flight apart from the ended calls."""
        self.begun.append(record)

    def flush(self, timeout: float) -> bool:
        """Nothing is ever pending."""
        return True
