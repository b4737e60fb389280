"""The chat controller: one place that turns a send into a recorded exchange.

Whatever happens to a request (success, an error before the first token, a
broken stream, Ctrl-C), the conversation ends up valid and holds everything
that arrived, because the bookkeeping lives in one ``finally``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from claude_tui.app.attachments import Attachments
from claude_tui.app.budget import BudgetWatch
from claude_tui.app.meter import Meter, new_key
from claude_tui.app.models import ModelCatalog
from claude_tui.app.recorder import SessionRecorder
from claude_tui.app.tokenizer import Tokenizer
from claude_tui.core.attachments import (
    MANY_IMAGES,
    MANY_IMAGES_SIDE,
    PDF_MAX_BYTES,
    PDF_MAX_PAGES,
    PDF_MAX_PAGES_SMALL_WINDOW,
    SMALL_WINDOW,
    Attachment,
    human_size,
)
from claude_tui.core.context import DEFAULT_WINDOW, ContextBudget
from claude_tui.core.conversation import (
    AnswerBuilder,
    Conversation,
    Message,
    Status,
    attachments_of,
    joined,
    refuse_files,
)
from claude_tui.core.events import (
    HeadroomSeen,
    MessageStart,
    Stop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    Waiting,
)
from claude_tui.core.models import (
    EXPECTED_ANSWER,
    ModelInfo,
    answer_room,
    effort_refusal,
    plan_thinking,
)
from claude_tui.core.ratelimits import Headroom
from claude_tui.core.request import ChatRequest
from claude_tui.core.tokens import estimate_text
from claude_tui.core.usage import Totals, UsageRecord
from claude_tui.core.web import WebSettings
from claude_tui.errors import (
    BudgetError,
    ClaudeTuiError,
    FileGoneError,
    UnknownModelError,
    UsageError,
)
from claude_tui.interrupts import to_the_end
from claude_tui.store import SessionInfo

# How often a streaming answer is written to disk: a crash loses at most this much.
SAVE_EVERY_S = 1.0
# Tries at owed session writes before /clear, /resume or exit give up on them.
SETTLE_ATTEMPTS = 2
# Sent after an answer cut at max_tokens; only the answer's continuation is kept.
CONTINUE_ASK = (
    "Your previous answer was cut off at the output limit. Continue exactly where it "
    "stopped, mid-word if need be, without repeating anything or adding a preamble."
)
# Thinking displays the API takes; "full" and "summary" leave the model's default.
API_DISPLAYS = ("summarized", "omitted")
# From this share of the context limit on, token estimates are worth the tokenizer table.
EXACT_FROM = 0.25
# From this share on, what is sent and dropped is decided on the API's own count.
COUNT_FROM = 0.5


class StreamingApi(Protocol):
    """What the chat needs from the API layer; tests may pass the real client."""

    def stream(self, request: ChatRequest) -> Iterator[StreamEvent]: ...

    def require_key(self) -> None: ...

    @property
    def base_url(self) -> str: ...

    def model_entries(self) -> list[dict[str, Any]]: ...

    def count_tokens(self, request: ChatRequest) -> int: ...


@dataclass(frozen=True)
class ChatSettings:
    """The per-request knobs a person can change from the REPL.

    ``max_tokens`` None sends the model's own maximum; ``prompt_cache`` is the cache
    lifetime ("5m" or "1h"), None for no caching; ``thinking_display`` "summarized"
    or "omitted" is sent as such, "full" and "summary" leave the model's default.
    """

    model: str
    max_tokens: int | None = None
    temperature: float | None = None
    thinking: str | int = "off"
    effort: str | None = None
    thinking_display: str = "full"
    prompt_cache: str | None = "5m"
    web: WebSettings | None = None  # the server tools offered; None: the web is off


@dataclass(frozen=True)
class TurnResult:
    """How one exchange ended, for the footer; ``record`` is what the ledger was given."""

    status: Status
    model: str
    start: MessageStart | None
    stop: Stop | None
    first_token_s: float | None
    duration_s: float
    error: ClaudeTuiError | None = None
    record: UsageRecord | None = None


def paused(result: TurnResult | None) -> bool:
    """Whether the API paused this answer (a long server tool run) for it to be sent back."""
    return (
        result is not None and result.stop is not None and result.stop.stop_reason == "pause_turn"
    )


class Turn:
    """One answer in flight: iterate it for events; closing it interrupts the answer."""

    def __init__(
        self,
        chat: Chat,
        request: ChatRequest,
        clock: Callable[[], float],
        sent_tokens: int,
        continues: Message | None = None,
        rebuild: Callable[[], ChatRequest] | None = None,
        whole: bool = False,
    ) -> None:
        """``continues`` is an answer this one goes on from (cut at max_tokens, or paused:
        ``whole`` joins every block, not just the text); ``rebuild`` makes the request
        again after the API lost a file it named."""
        self._chat = chat
        self._continues = continues
        self._whole = whole
        self._rebuild = rebuild
        self._request = request
        self._sent_tokens = sent_tokens
        self._clock = clock
        self._builder = AnswerBuilder()
        self._first: float | None = None
        self._start: MessageStart | None = None
        self._stop: Stop | None = None
        self._status: Status = "interrupted"
        self._error: ClaudeTuiError | None = None
        self._call: str | None = None  # the ledger key of this call once it has started
        self._begun = clock()
        self._saved_at = self._begun
        self.result: TurnResult | None = None
        self._events = self._run()

    def __iter__(self) -> Iterator[StreamEvent]:
        return self._events

    @property
    def answer(self) -> AnswerBuilder:
        """The answer so far; each event is folded in before it is yielded."""
        return self._builder

    def close(self) -> None:
        """Stop the answer: the HTTP stream is closed and the partial answer recorded."""
        to_the_end(self._events.close)
        self.finish()

    def finish(self) -> TurnResult:
        """Record the ended turn once, whatever ended it; Ctrl-C cannot cut this short."""
        return to_the_end(self._finish_once)

    def _run(self) -> Iterator[StreamEvent]:
        try:
            yield from self._chat.await_headroom(self._sent_tokens)
            self._begun = self._clock()
            try:
                yield from self._stream()
            except FileGoneError as exc:  # before the answer began: upload again, once
                if self._rebuild is None or self._start is not None:
                    raise
                self._chat.attachments.forget(exc.file_ids)  # type: ignore[union-attr]
                self._request = self._rebuild()
                yield from self._stream()
            self._status = "complete"
        except ClaudeTuiError as exc:
            self._error = exc
            if isinstance(exc, UnknownModelError):
                self._chat.forget_model(self._request.model)
            raise
        finally:
            self.finish()

    def _stream(self) -> Iterator[StreamEvent]:
        with closing(self._chat.api.stream(self._request)) as events:
            for event in events:
                self._observe(event)
                yield event

    def _observe(self, event: StreamEvent) -> None:
        self._builder.apply(event)
        if self._first is None and isinstance(event, TextDelta | ThinkingDelta):
            self._first = self._clock() - self._begun
        if isinstance(event, HeadroomSeen):
            self._chat.headroom = event.headroom
        elif isinstance(event, MessageStart):
            self._start = event
            self._call = new_key()  # before the note is queued, so its row can end it
            seq = len(self._chat.conversation.messages) - (self._continues is not None)
            self._chat.open_call(event, seq, self._call)
        elif isinstance(event, Stop):
            self._stop = event
        if self._clock() - self._saved_at >= SAVE_EVERY_S:
            self._save_partial()

    def _save_partial(self) -> None:
        """Put the answer so far on disk, marked interrupted until it completes.

        After a failed write (a database locked by another process) each attempt
        could block for the whole busy timeout, so partial saves wait for the final one.
        """
        self._saved_at = self._clock()
        recorder = self._chat.recorder
        if recorder is not None and recorder.behind:
            return
        blocks = self._builder.blocks
        if self._continues is not None and not self._whole and not _has_text(blocks):
            return  # until text arrives, the saved cut answer stays as it is
        if blocks:
            message = Message("assistant", blocks, "interrupted", self._request.model)
            self._chat.save(*self._placed(message))

    def _placed(self, message: Message) -> tuple[int, Message]:
        """Where the answer goes and what is stored: a continuation joins the cut answer."""
        messages = self._chat.conversation.messages
        if self._continues is None:
            return len(messages), message
        return len(messages) - 1, joined(self._continues, message, whole=self._whole)

    def _finish_once(self) -> TurnResult:
        if self.result is None:
            self.result = self._record(self._clock() - self._begun)
        return self.result

    def _record(self, duration: float) -> TurnResult:
        """Add whatever arrived to the conversation; an answer with no content adds nothing."""
        blocks, status = self._builder.blocks, self._status
        if self._error is not None and not blocks:
            status = "error"
        model = self._start.model if self._start else self._request.model
        seq = None
        if self._continues is not None and not self._whole and not _has_text(blocks):
            blocks = []  # no text to join: the cut answer stays as it was
        if blocks:
            stop_reason = self._stop.stop_reason if self._stop else None
            seq, message = self._placed(Message("assistant", blocks, status, model, stop_reason))
            if self._continues is None:
                self._chat.conversation.add_assistant(message)
            else:
                self._chat.conversation.continue_answer(message)
            self._chat.save(seq, message)
        if self._start is not None:
            self._chat.budget.calibration.observe(self._sent_tokens, self._start.usage.total_input)
            usage = self._start.usage
            self._chat.remember_cache(
                usage.cache_read + usage.cache_write_5m + usage.cache_write_1h
            )
        record = self._chat.bill(
            self._start, self._stop, self._builder.generated_text, seq, key=self._call
        )
        return TurnResult(
            status, model, self._start, self._stop, self._first, duration, self._error, record
        )


def _has_text(blocks: list[dict[str, Any]]) -> bool:
    return any(b.get("type") == "text" for b in blocks)


def _searches(info: ModelInfo) -> bool:
    """Whether the model takes the web tools (unknown capabilities: let the API say)."""
    return info.capabilities is None or info.capabilities.web_search


class Chat:
    """A conversation plus the settings and API client that continue it."""

    def __init__(
        self,
        api: StreamingApi,
        settings: ChatSettings,
        conversation: Conversation | None = None,
        clock: Callable[[], float] = time.monotonic,
        recorder: SessionRecorder | None = None,
        meter: Meter | None = None,
        tokenizer: Tokenizer | None = None,
        budget_watch: BudgetWatch | None = None,
        catalog: ModelCatalog | None = None,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        attachments: Attachments | None = None,
        web_config: WebSettings | None = None,
    ) -> None:
        """``wall`` and ``sleep`` pace waits for a rate limit's reset (an epoch time);
        ``attachments`` keeps and sends files (None: this chat sends none)."""
        self.api = api
        self.catalog = catalog or ModelCatalog(api)
        self.attachments = attachments
        self.web_config = web_config or settings.web or WebSettings()
        self.settings = settings
        self.conversation = conversation or Conversation()
        self.recorder = recorder
        self.meter = meter
        self._clock = clock
        self._tokenizer = tokenizer
        self._budget_watch = budget_watch
        self._exact = False
        self.budget = ContextBudget(estimate_text)
        self._wall, self._sleep = wall, sleep
        self.headroom: Headroom | None = None  # as the last response reported it
        self._cached = 0  # prompt tokens the last answer read from or wrote to the cache
        self._notices: list[str] = []
        self._said: set[str] = set()  # notices about settings, said once each
        self._checked: set[str] = set()  # model ids known good (listed, or forced)
        self._counted: tuple[tuple[object, ...], int] | None = None  # the API's last count

    def send(self, text: str, files: Sequence[Attachment] | None = None) -> Turn:
        """Record the person's message and start the answer; the API refuses blank text.

        ``files`` go with it; None takes the files queued with /attach.
        """
        if not text.strip():
            raise UsageError("nothing to send: the message is blank")
        queued = files is None
        if files is None:
            files = list(self.attachments.queued) if self.attachments else []
        self._may_send(files)
        if queued and self.attachments is not None:
            self.attachments.take()
        message = self.conversation.add_user(text, files)
        self.save(len(self.conversation.messages) - 1, message)
        return self._turn()

    def attach(self, path: str) -> Attachment:
        """Check and queue a file for the next message; refused here if the model cannot read it."""
        if self.attachments is None:
            raise UsageError("files cannot be attached in this chat")
        window = self.context_window()
        images = sum(a.kind == "image" for m in self.conversation.sent() for a in attachments_of(m))
        attachment = self.attachments.attach(
            path,
            text_room=self.context_limit() // 2,
            max_pages=PDF_MAX_PAGES_SMALL_WINDOW if window <= SMALL_WINDOW else PDF_MAX_PAGES,
            images_before=images,
        )
        try:
            self._check_files([attachment])
        except UsageError:
            self.attachments.queued.pop()
            raise
        return attachment

    def retry(self) -> Turn:
        """Resend the last user message and its files, replacing whatever answered it."""
        index = self.conversation.last_user_index()
        if index is None:
            raise UsageError("nothing to retry yet")
        last = self.conversation.messages[index]
        files = attachments_of(last)
        self._may_send(files)  # before the undo: a refused retry must not cost the exchange
        self.undo()
        return self.send(last.text, files)

    def user_index(self, number: int | None) -> int:
        """Where your message ``number`` (as /history numbers them; None: the last) is."""
        users = [i for i, m in enumerate(self.conversation.messages) if m.role == "user"]
        if not users:
            raise UsageError("nothing to edit yet")
        if number is None:
            return users[-1]
        if not 1 <= number <= len(users):
            raise UsageError(f"no message {number}: /history numbers them 1 to {len(users)}")
        return users[number - 1]

    def edit(self, index: int, text: str) -> Turn:
        """Send ``text`` in place of the message at ``index`` on a new branch.

        Nothing is deleted: what followed stays saved as the branch it was, and the
        edited message keeps its files. The branch is made before anything changes.
        """
        if not text.strip():
            raise UsageError("nothing to send: the message is blank")
        files = attachments_of(self.conversation.messages[index])
        self._may_send(files)
        self.settle()
        if self.recorder is not None:
            self.recorder.branch_at(index)
        conversation = self.conversation
        del conversation.messages[index:]
        if index < conversation.start:
            conversation.start, conversation.summary = 0, None
            self.remember_context()
        return self.send(text, files)

    def edit_estimate(self, index: int) -> int:
        """Tokens the history before message ``index`` takes: what the new branch resends."""
        before = replace(self.conversation, messages=self.conversation.messages[:index])
        return self._budget().tokens(before)

    def switch_branch(self, branch: int) -> None:
        """Continue another branch of this session, its messages in place of these."""
        recorder = self.recorder
        if recorder is None or recorder.session_id is None:
            raise UsageError("this conversation has no saved branches yet")
        if branch not in {b.number for b in recorder.store.branches(recorder.session_id)}:
            raise UsageError(f"no branch {branch}; /branches lists them")
        self.settle()
        recorder.switch(branch)
        self.conversation = recorder.store.load(recorder.session_id, branch)
        # What /compact summarised belongs to the branch it ran on: this one is sent whole.
        self.conversation.start, self.conversation.summary = 0, None
        self.remember_context()

    def fork(self, title: str) -> SessionInfo:
        """Copy this branch into a new session and go on there; the old one stays as it was."""
        recorder = self.recorder
        if recorder is None:
            raise UsageError("sessions are not being saved in this chat")
        self.settle()
        store = recorder.store
        session = store.create_session(self.settings.model, self.conversation.system, title)
        for seq, message in enumerate(self.conversation.messages):
            store.save_message(session.id, seq, message)
        store.update_context(session.id, self.conversation.start, self.conversation.summary)
        self.recorder = SessionRecorder(store, session, branch=0)
        if self._budget_watch is not None:
            self._budget_watch.follow(session.id)
        return store.resolve(session.id)

    def continue_paused(self) -> Turn:
        """Send a turn the API paused (a long server tool run) back, so it goes on."""
        paused = self.conversation.paused_answer()
        if paused is None:
            raise UsageError("nothing paused to continue")
        self._may_send()
        sent_tokens = self._fit_context()

        def build() -> ChatRequest:
            return self.request_for(self.conversation.for_api(self.resolve))

        return Turn(
            self, build(), self._clock, sent_tokens, continues=paused, rebuild=build, whole=True
        )

    def continue_answer(self) -> Turn:
        """Ask the model to go on from an answer cut at max_tokens; the parts become one."""
        cut = self.conversation.cut_answer()
        if cut is None:
            raise UsageError("nothing to continue: /continue follows an answer cut at max_tokens")
        self._may_send()
        sent_tokens = self._fit_context()
        ask = {"role": "user", "content": [{"type": "text", "text": CONTINUE_ASK}]}

        def build() -> ChatRequest:
            return self.request_for([*self.conversation.for_api(self.resolve), ask])

        return Turn(self, build(), self._clock, sent_tokens, continues=cut, rebuild=build)

    def undo(self) -> bool:
        """Forget the last exchange; False when the conversation is empty."""
        conversation = self.conversation
        before = (conversation.start, conversation.summary)
        dropped = conversation.pop_exchange()
        if dropped and self.recorder:
            self.recorder.truncate(len(conversation.messages))
        if (conversation.start, conversation.summary) != before:
            self.remember_context()
        return dropped

    def clear(self) -> None:
        """Start a new conversation, keeping the system prompt."""
        self.settle()
        self.conversation = Conversation(system=self.conversation.system)
        if self.recorder:
            self.recorder.restart()

    def settle(self) -> Path | None:
        """Make every owed session write before the conversation is left behind.

        A write that still fails after a retry goes to a recovery file instead of
        being dropped; its path is returned for the person to import later.
        """
        recorder = self.recorder
        if recorder is None or not recorder.owes:
            return None
        model = self.settings.model
        for _ in range(SETTLE_ATTEMPTS):
            if recorder.catch_up(self.conversation, model):
                return None
        problem = f"this session could not be saved ({recorder.take_warning() or 'unknown error'})"
        try:
            path = recorder.recover(self.conversation, model)
        except OSError as exc:
            self._notices.append(f"{problem}, nor kept in a recovery file ({exc.strerror or exc})")
            return None
        self._notices.append(
            f"{problem}; it is kept in {path}: `claude-tui sessions import '{path}'` loads it"
        )
        return path

    def resume(self, session: SessionInfo) -> None:
        """Continue a saved session: its history, model and system prompt."""
        if self.recorder is None:
            raise UsageError("sessions are not being saved in this chat")
        store = self.recorder.store
        store.resolve(session.id)  # a session that is gone fails before anything changes
        self.settle()  # first: resuming this very session must read what was owed
        self.conversation = store.load(session.id)
        self.calibrate(store.ledger.session_by_message(session.id))
        self.recorder = SessionRecorder(store, session)
        if self._budget_watch is not None:
            self._budget_watch.follow(session.id)
        self.settings = replace(self.settings, model=session.model)

    def calibrate(self, by_answer: Mapping[int, Totals]) -> None:
        """Learn the estimate's ratio from the last answer the ledger holds for this history.

        A resumed chat would otherwise show raw estimates until its first answer.
        """
        messages = self.conversation.messages
        seqs = [s for s, t in by_answer.items() if t.calls == 1 and 0 < s < len(messages)]
        if not seqs:
            return
        seq = max(seqs)
        before = replace(self.conversation, messages=messages[:seq])
        budget = self._budget()
        budget.calibration.observe(budget.raw_tokens(before), by_answer[seq].usage.total_input)

    def switch_model(self, model: str, force: bool = False) -> None:
        """Use another model from the next request on; ``force`` takes an id the list lacks."""
        if not force:
            self.catalog.check(model)
        self._checked.add(model)
        self.settings = replace(self.settings, model=model)
        self._remember_settings()
        self._warn_unreadable_history()

    def _warn_unreadable_history(self) -> None:
        """Once per model: the history holds files this model cannot read."""
        info = self.model_info()
        caps = info.capabilities if info else None
        kinds = {a.kind for m in self.conversation.sent() for a in attachments_of(m)}
        if caps is None:
            return
        for kind, readable, what in (
            ("image", caps.image_input, "images"),
            ("pdf", caps.pdf_input, "PDFs"),
        ):
            if kind in kinds and not readable:
                self._say_once(
                    f"{self.settings.model} does not read {what}, and this conversation has "
                    "some: the next request may be refused (/clear starts afresh)"
                )

    def await_headroom(self, input_tokens: int) -> Iterator[Waiting]:
        """Wait, saying so about once a second, until the request fits the rate limits.

        The last response's headers said what is left and when it resets; a request
        that would not fit waits for the reset instead of collecting a 429.
        """
        headroom = self.headroom
        # Cache reads do not count against the input-token limit: only what is new does.
        needed = max(self.budget.calibration.apply(input_tokens) - self._cached, 1)
        wait = headroom.wait_before(needed, self._wall()) if headroom else None
        if wait is None:
            return
        total, why = wait
        end = self._wall() + total
        while (left := end - self._wall()) > 0:
            yield Waiting(left, total, why)
            self._sleep(min(1.0, left))
        self.headroom = None  # reset: the allowances are whole again

    def remember_cache(self, tokens: int) -> None:
        """How much of the prompt the last answer found (or put) in the cache."""
        self._cached = tokens

    def set_web(self, on: bool) -> None:
        """Offer the web tools from the next request on, or stop; refused for a model
        whose capabilities say it has no server tools."""
        info = self.model_info()
        if on and info is not None and not _searches(info):
            raise UsageError(f"{self.settings.model} cannot search the web (its capabilities)")
        self.settings = replace(self.settings, web=self.web_config if on else None)

    def forget_model(self, model: str) -> None:
        """The API said ``model`` does not exist: check it, with a fresh list, before next use."""
        self._checked.discard(model)
        self.catalog.forget()

    def change(self, **settings: Any) -> None:
        """Change per-request settings (thinking, effort) from the next request on."""
        self.settings = replace(self.settings, **settings)

    def model_info(self) -> ModelInfo | None:
        """What the models list says of the current model (fetched once a day)."""
        return self.catalog.info(self.settings.model)

    def set_system(self, system: str | None) -> None:
        """Frame the rest of the conversation with another system prompt."""
        self.conversation.system = system
        self._remember_settings()

    def save(self, seq: int, message: Message) -> None:
        """Hand a message to the recorder, if this chat is being saved."""
        if self.recorder:
            self.recorder.save(self.conversation, seq, message, self.settings.model)

    def open_call(self, start: MessageStart, seq: int | None, key: str, kind: str = "chat") -> None:
        """Note that the answer at ``seq`` has started, so even a kill -9 leaves it billed."""
        if self.meter is not None:
            session_id = self.recorder.session_id if self.recorder else None
            self.meter.begin(start, key, session_id=session_id, message_seq=seq, kind=kind)

    def bill(
        self,
        start: MessageStart | None,
        stop: Stop | None,
        text: str,
        seq: int | None,
        kind: str = "chat",
        key: str | None = None,
    ) -> UsageRecord | None:
        """Put one call in the usage ledger, if this chat is metered."""
        if self.meter is None:
            return None
        session_id = self.recorder.session_id if self.recorder else None
        record = self.meter.bill(
            start, stop, text, session_id=session_id, message_seq=seq, kind=kind, key=key
        )
        if record is not None and self._budget_watch is not None:
            self._notices += self._budget_watch.check(record)
        return record

    def _may_send(self, files: Sequence[Attachment] = ()) -> None:
        """Refuse, before anything changes, a request that could not be answered or paid for."""
        self.api.require_key()
        if self.settings.model not in self._checked:
            self.catalog.check(self.settings.model)
            self._checked.add(self.settings.model)
        self._check_files(files)
        if self._budget_watch is not None:
            refusal = self._budget_watch.refusal(
                self.recorder.session_id if self.recorder else None
            )
            if refusal is not None:
                raise BudgetError(refusal)

    def _remember_settings(self) -> None:
        if self.recorder:
            self.recorder.update(model=self.settings.model, system=self.conversation.system)

    def context_tokens(self) -> int:
        """Roughly how many tokens the next request's history will take (cached per message)."""
        return self._budget().tokens(self.conversation)

    def context_window(self) -> int:
        """The model's input window: the models list's figure, else the usual 200k."""
        info = self.model_info()
        return info.max_input_tokens if info and info.max_input_tokens else DEFAULT_WINDOW

    def answer_room(self) -> int:
        """The ``max_tokens`` sent: the configured value within the model's, else the model's."""
        return answer_room(self.settings.max_tokens, self.model_info())[0]

    def context_limit(self) -> int:
        """What the history may take: the window minus the room an answer usually needs."""
        return max(self.context_window() - min(self.answer_room(), EXPECTED_ANSWER), 0)

    def counted_tokens(self) -> int | None:
        """The next request's history as the API counts it; None when it cannot be asked.

        The count also calibrates the per-message estimates, so the toolbar and the
        trimming that follow it agree with the API. One count is kept until the
        conversation or the model changes.
        """
        conversation = self.conversation
        messages = conversation.messages
        key = (self.settings.model, len(messages), conversation.start, conversation.summary)
        key += (conversation.system, id(messages[-1]) if messages else None)
        if self._counted is not None and self._counted[0] == key:
            return self._counted[1]
        payload = conversation.for_api(self.resolve)
        if not payload:
            return None
        if payload[-1]["role"] == "assistant":  # as when the next message is typed
            payload.append({"role": "user", "content": [{"type": "text", "text": "."}]})
        try:
            exact = self.api.count_tokens(self.request_for(payload))
        except ClaudeTuiError:
            return None
        self._budget().calibration.observe(self._budget().raw_tokens(conversation), exact)
        self._counted = (key, exact)
        return exact

    @property
    def exact_counts(self) -> bool:
        """Whether token estimates come from the tokenizer table (else ~4 characters a token).

        Asking means precision is wanted, so it starts loading the table if it is not yet.
        """
        self.want_exact_counts()
        self._budget()  # switches to exact counts if the tokenizer has just become ready
        return self._exact

    def want_exact_counts(self) -> None:
        """Load the tokenizer table in the background (50 MB, a fifth of a second of CPU).

        Short chats never need it: calibrated estimates are close enough far from the
        window's edge, so it is loaded only once precision matters.
        """
        if self._tokenizer is not None:
            self._tokenizer.start_loading()

    def take_notices(self) -> list[str]:
        """Things the person should know about the last send, once."""
        notices, self._notices = self._notices, []
        return notices

    def _budget(self) -> ContextBudget:
        """The budget, switched to exact counts the first time the tokenizer is ready."""
        tokenizer = self._tokenizer
        if tokenizer is not None and tokenizer.exact and not self._exact:
            self._exact = True
            self.budget.recount_with(tokenizer.count)
        return self.budget

    def _fit_context(self) -> int:
        """Stop sending the oldest exchanges if the history outgrew the window."""
        budget, conversation = self._budget(), self.conversation
        used, limit = budget.tokens(conversation), self.context_limit()
        if used > limit * EXACT_FROM:
            self.want_exact_counts()
        if used > limit * COUNT_FROM:
            self.counted_tokens()  # the API's count calibrates the estimates fit() sums
        fit = budget.fit(conversation, limit)
        if fit.dropped:
            conversation.start = fit.start
            self.remember_context()
            self._notices.append(
                f"context window full: the oldest {fit.dropped} exchange(s) are no longer sent "
                "(still saved; /compact summarises instead, /context shows the window)"
            )
        return budget.raw_tokens(conversation)

    def remember_context(self) -> None:
        """Save where sending starts and the summary, so a resume sends the same."""
        if self.recorder:
            self.recorder.update_context(self.conversation.start, self.conversation.summary)

    def _check_files(self, files: Sequence[Attachment]) -> None:
        """One line, and nothing sent, for files the model cannot read or a request cannot hold."""
        info = self.model_info()
        caps = info.capabilities if info else None
        for attachment in files:
            if caps is None or attachment.kind == "text":
                continue
            if not (caps.image_input if attachment.kind == "image" else caps.pdf_input):
                what = "images" if attachment.kind == "image" else "PDFs"
                raise UsageError(
                    f"{self.settings.model} does not read {what}: {attachment.name} is not sent",
                    " (/model lists the models that do; /detach drops it)",
                )
        sent = [a for m in self.conversation.sent() for a in attachments_of(m)]
        images = [a for a in [*sent, *files] if a.kind == "image"]
        wide = [a for a in images if max(a.width or 0, a.height or 0) > MANY_IMAGES_SIDE]
        if len(images) > MANY_IMAGES and wide:
            raise UsageError(
                f"this request would carry {len(images)} images, and above {MANY_IMAGES} the API "
                f"takes at most {MANY_IMAGES_SIDE} px a side: {wide[0].name} is "
                f"{wide[0].width}x{wide[0].height}",
                " (/detach drops queued ones, /clear starts afresh)",
            )
        pdf_bytes = sum(a.size for a in [*sent, *files] if a.kind == "pdf")
        if self.attachments is not None and self.attachments.mode == "inline":
            pdf_bytes = pdf_bytes * 4 // 3  # base64 grows the request by a third
        if pdf_bytes > PDF_MAX_BYTES:
            raise UsageError(
                f"the PDFs of this request come to {human_size(pdf_bytes)} as sent, more than the "
                f"{human_size(PDF_MAX_BYTES)} a request takes",
                " (/detach drops queued ones, /clear starts afresh)",
            )

    def resolve(self, block: dict[str, Any]) -> dict[str, Any]:
        """The API's block for an attachment block (uploading the file if need be)."""
        if self.attachments is None:
            return refuse_files(block)
        return self.attachments.resolve(block)

    def _turn(self) -> Turn:
        sent_tokens = self._fit_context()

        def build() -> ChatRequest:
            return self.request_for(self.conversation.for_api(self.resolve))

        return Turn(self, build(), self._clock, sent_tokens, rebuild=build)

    def request_for(
        self, messages: list[dict[str, Any]], thinking_asked: str | int | None = None
    ) -> ChatRequest:
        """The call for ``messages`` with the settings fitted to what the model accepts.

        ``thinking_asked`` overrides the thinking setting (a summary needs none).
        """
        settings, info = self.settings, self.model_info()
        max_tokens, clamped = answer_room(settings.max_tokens, info)
        asked = settings.thinking if thinking_asked is None else thinking_asked
        thinking = plan_thinking(asked, info)
        effort = settings.effort
        refused = effort_refusal(effort, info) if effort else None
        web = settings.web
        no_web = web is not None and info is not None and not _searches(info)
        unsent = f"{settings.model} cannot search the web: sent without" if no_web else None
        for notice in (clamped, thinking.notice, refused and f"{refused}: sent without", unsent):
            self._say_once(notice)
        display = settings.thinking_display
        shown = display if display in API_DISPLAYS and thinking.send != "off" else None
        return ChatRequest(
            model=settings.model,
            max_tokens=max_tokens,
            messages=messages,
            system=self.conversation.system,
            temperature=settings.temperature,
            thinking=thinking.send,
            thinking_display=shown,
            effort=None if refused else effort,
            cache_ttl=settings.prompt_cache,
            web=None if no_web else web,
        )

    def notify(self, notice: str) -> None:
        """A line for the person after this send (once each), from a part of the chat."""
        self._say_once(notice)

    def _say_once(self, notice: str | None) -> None:
        """A notice about settings, said the first time it applies, not on every send."""
        if notice and notice not in self._said:
            self._said.add(notice)
            self._notices.append(notice)
