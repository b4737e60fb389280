"""Mirror the conversation into the session store as it changes.

The user's message is saved when it is sent, a streaming answer every second
or so, and the final answer before the next prompt, so a crash or kill -9
loses at most the last second of text. A storage failure never costs the
conversation in memory: it becomes a warning the REPL shows once, and the next
save that works first writes whatever was missed, so the saved session is
always a whole prefix of the conversation, never one with holes in it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from claude_tui.core.conversation import Conversation, Message
from claude_tui.core.export import to_json
from claude_tui.errors import StoreError
from claude_tui.interrupts import held
from claude_tui.paths import write_recovery
from claude_tui.store import SessionInfo, Store


class SessionRecorder:
    """Saves one chat's messages; the session row is created with the first message."""

    def __init__(
        self, store: Store, session: SessionInfo | None = None, branch: int | None = None
    ) -> None:
        """``branch`` is the one written (None: the session's active branch)."""
        self.store = store
        self.session_id = session.id if session else None
        if branch is None:
            branch = store.active_branch(session.id) if session else 0
        self.branch = branch
        self._warning: str | None = None
        # The first position whose saved copy may be missing or stale, after a failure.
        self._unsaved_from: int | None = None
        # Where sending starts and the summary, until they are written.
        self._context_owed: tuple[int, str | None] | None = None

    def save(self, conversation: Conversation, seq: int, message: Message, model: str) -> None:
        """Write the message at position ``seq``, and first any that an earlier failure missed."""
        start = seq if self._unsaved_from is None else min(self._unsaved_from, seq)
        with held():
            try:
                self._write_from(conversation, start, seq, message, model)
            except StoreError as exc:
                self._failed(exc, start)
                return
            self._unsaved_from = None
            self._write_context()

    def _write_from(
        self, conversation: Conversation, start: int, seq: int, message: Message, model: str
    ) -> None:
        if self.session_id is None:
            self.session_id = self.store.create_session(model, conversation.system).id
        if start < seq:
            self.store.truncate(self.session_id, start, self.branch)
        for index in range(start, seq):
            self._save(index, conversation.messages[index])
        self._save(seq, message)

    def _save(self, seq: int, message: Message) -> None:
        assert self.session_id is not None
        self.store.save_message(self.session_id, seq, message, self.branch)

    def branch_at(self, fork: int) -> None:
        """Write from now on to a new branch sharing the first ``fork`` messages.

        Raises StoreError, before anything changes, when the branch cannot be made:
        writing on would overwrite the branch being left.
        """
        if self.session_id is None:
            return
        with held():
            self.branch = self.store.new_branch(self.session_id, self.branch, fork)

    def switch(self, branch: int) -> None:
        """Continue ``branch``, now and on the next resume."""
        if self.session_id is not None:
            with held():
                self.store.set_active_branch(self.session_id, branch)
        self.branch = branch

    def catch_up(self, conversation: Conversation, model: str) -> bool:
        """Write everything an earlier failure left owed; True when nothing is owed now."""
        start = self._unsaved_from
        with held():
            if start is not None:
                try:
                    self._rewrite(conversation, start, model)
                except StoreError as exc:
                    self._failed(exc, start)
                    return False
                self._unsaved_from = None
            self._write_context()
        return not self.owes

    def _rewrite(self, conversation: Conversation, start: int, model: str) -> None:
        messages = conversation.messages
        if self.session_id is None:
            if not messages:
                return
            self.session_id = self.store.create_session(model, conversation.system).id
        self.store.truncate(self.session_id, start, self.branch)
        for index in range(start, len(messages)):
            self._save(index, messages[index])

    def recover(self, conversation: Conversation, model: str) -> Path:
        """Write the whole session to a file that ``sessions import`` loads; its path.

        It goes beside the database, in the data folder that holds what we keep.
        """
        folder = self.store.path.parent if self.store.path else Path(tempfile.gettempdir())
        meta = {
            "id": self.session_id,
            "title": "",
            "model": model,
            "created_at": time.time(),
            "saved_upto": len(conversation.messages)
            if self._unsaved_from is None
            else self._unsaved_from,
        }
        return write_recovery(folder, self.session_id or "new", to_json(meta, conversation))

    @property
    def owes(self) -> bool:
        """Whether any write failed and has not been made since."""
        return self._unsaved_from is not None or self._context_owed is not None

    @property
    def behind(self) -> bool:
        """Whether a write failed and is still owed; partial saves then wait for the final one."""
        return self._unsaved_from is not None

    def truncate(self, length: int) -> None:
        """Forget saved messages from ``length`` on, after /undo or /retry."""
        self._guard(lambda sid: self.store.truncate(sid, length, self.branch), behind=length)

    def update(self, *, model: str, system: str | None) -> None:
        """Remember the model and system prompt for the next resume."""
        self._guard(lambda sid: self.store.update_session(sid, model=model, system=system))

    def update_context(self, start: int, summary: str | None) -> None:
        """Remember where sending starts and the summary, so a resume sends the same.

        A write that fails is owed, and made with the next message that saves.
        """
        self._context_owed = (start, summary)
        self._write_context()

    def _write_context(self) -> None:
        owed = self._context_owed
        if owed is None or self.session_id is None:
            return
        try:
            self.store.update_context(self.session_id, *owed)
        except StoreError as exc:
            self._warning = f"not saved: {exc}"
            return
        self._context_owed = None

    def restart(self) -> None:
        """Start a fresh session on the next message (/clear, /new)."""
        self.session_id = None
        self.branch = 0
        self._unsaved_from = None
        self._context_owed = None

    def take_warning(self) -> str | None:
        """The last storage problem, once; None when all is saved."""
        warning, self._warning = self._warning, None
        return warning

    def _guard(self, write: Callable[[str], None], behind: int | None = None) -> None:
        if self.session_id is None:
            return
        with held():
            try:
                write(self.session_id)
            except StoreError as exc:
                self._failed(exc, behind)

    def _failed(self, exc: StoreError, behind: int | None) -> None:
        """Warn, and remember to rewrite from position ``behind`` at the next save that works."""
        self._warning = f"not saved: {exc}"
        if behind is not None and (self._unsaved_from is None or behind < self._unsaved_from):
            self._unsaved_from = behind
