"""Any sequence of sends, failures, retries, undos and interrupts leaves a valid conversation.

A Hypothesis state machine drives the real chat against the API double, which
rejects, in the API's words, any messages list the real API would reject.
"""

from __future__ import annotations

import copy
import itertools

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings, Turn
from claude_tui.core.events import TextDelta, ThinkingDelta
from claude_tui.errors import BadRequestError, ClaudeTuiError, UsageError
from tests.api_double import ApiDouble, Reply, shape_problem

FAULTS = st.sampled_from(["drop", "error_event", "truncate"])
TEXTS = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(str.strip)
BLANK_OR_NOT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
REPLIES = st.builds(
    Reply,
    text=st.sampled_from(["ok", "   ", "a longer answer, in pieces"]),
    thinking=st.sampled_from([None, "hmm, let me think"]),
    chunk=st.integers(1, 8),
)


class ChatMachine(RuleBasedStateMachine):
    """Random sessions of a person using the chat, with the API failing at random."""

    def __init__(self) -> None:
        super().__init__()
        self.api = ApiDouble().__enter__()
        client = ApiClient(
            api_key=self.api.api_key,
            key_env="K",
            base_url=self.api.base_url,
            timeout=5,
            max_retries=0,
        )
        ticks = itertools.count()
        self.chat = Chat(
            client, ChatSettings("claude-sonnet-5-5", 100), clock=lambda: float(next(ticks))
        )

    def teardown(self) -> None:
        self.api.__exit__(None, None, None)

    def _run(self, turn: Turn, stop_early: bool = False) -> None:
        try:
            for event in turn:
                if stop_early and isinstance(event, TextDelta | ThinkingDelta):
                    break
        except BadRequestError as exc:
            raise AssertionError(f"the API would reject what we sent: {exc}") from None
        except ClaudeTuiError:
            pass
        finally:
            turn.close()

    @rule(text=BLANK_OR_NOT, reply=REPLIES)
    def send(self, text: str, reply: Reply) -> None:
        self.api.script(reply)
        try:
            turn = self.chat.send(text)
        except UsageError:
            assert not text.strip()
            return
        self._run(turn)

    @rule(text=TEXTS, status=st.sampled_from([401, 429, 500, 529]))
    def send_refused(self, text: str, status: int) -> None:
        self.api.script(Reply(status=status))
        self._run(self.chat.send(text))

    @rule(text=TEXTS, reply=REPLIES, fault=FAULTS, after=st.integers(0, 3))
    def send_broken(self, text: str, reply: Reply, fault: str, after: int) -> None:
        self.api.script(Reply(text=reply.text, thinking=reply.thinking, fault=fault,
                              fault_after=after))  # fmt: skip
        self._run(self.chat.send(text))

    @rule(text=TEXTS, reply=REPLIES)
    def send_interrupted(self, text: str, reply: Reply) -> None:
        self.api.script(reply)
        self._run(self.chat.send(text), stop_early=True)

    @precondition(lambda self: self.chat.conversation.last_user_text() is not None)
    @rule(reply=REPLIES)
    def retry(self, reply: Reply) -> None:
        self.api.script(reply)
        self._run(self.chat.retry())

    @rule()
    def undo(self) -> None:
        self.chat.undo()

    @invariant()
    def next_request_is_valid(self) -> None:
        """Whatever happened, the next message can be sent."""
        conversation = copy.deepcopy(self.chat.conversation)
        conversation.add_user("next")
        assert shape_problem(conversation.for_api()) is None


ChatMachine.TestCase.settings = settings(max_examples=20, stateful_step_count=10, deadline=None)
TestChatSequences = ChatMachine.TestCase
