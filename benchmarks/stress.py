"""Issue 10 ("Never lose a turn"): chats killed at random while readers come and go.

``python -m benchmarks.stress [--long] [--seed N] [--source DIR]`` starts several
interactive chats on one data directory, all answered by one in-process API
double, and types at them in pseudo-terminals. Beside them, ``claude-tui cost``,
``claude-tui sessions list`` and chats that start and quit at once come and go:
these are what historically deleted a running chat's write-ahead log. At seeded
moments a writer is killed, by SIGKILL or SIGHUP, mid-answer or at the prompt,
and another takes its place. Afterwards the database itself is read with sqlite3:

- every message shown as sent is saved, and every answer shown complete, with its
  text; an answer cut short by SIGHUP is saved as interrupted;
- no API call has two ledger rows, every row matches a call the double billed,
  and every billed call has its row, except the one a SIGKILL may have caught;
- ``PRAGMA integrity_check`` says ``ok``.

The database is also read the moment each killed writer is gone, as a resume
would find it: a later, tidy exit of another chat cannot hide a loss.

Every wait is for something on a screen or for a process, never for time. Before
a kill turn, the writer waits for a *clean* reader run (see :class:`Pulse`), and
writers end one at a time. ``--source DIR`` runs the children from another
checkout (e.g. ``git archive REV claude_tui | tar -x -C DIR``), to compare;
``--verbose`` prints a timeline with the ``-wal``/``-shm`` files' inodes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from random import Random
from typing import Any

from tests.api_double import ApiDouble, Billed, Reply
from tests.terminal import CLAUDE_TUI, Terminal

PROMPT = "\N{HEAVY RIGHT-POINTING ANGLE QUOTATION MARK ORNAMENT} "
READY = "tokens · /help"  # the bottom toolbar: the prompt is up and reading keys
WAITING = "Waiting for Claude"
FOOTER = re.compile(r"\b\d[\d,]* out\b")
WAIT_S = 90.0  # a generous limit on any one wait, for a busy two-core machine
ISOLATED_PREFIXES = ("ANTHROPIC_", "CLAUDE_TUI_")
ISOLATED_NAMES = ("NO_COLOR", "FORCE_COLOR", "EDITOR", "VISUAL")
WORDS = ("apple", "birch", "cedar", "dune", "ember", "fjord", "grove", "heron", "iris", "juniper")
SLOW_FILLER = " ".join(["lorem"] * 90)  # about 2 s of deltas at the slow pace below
ENDS = {signal.SIGKILL: "SIGKILL", signal.SIGHUP: "SIGHUP"}


@dataclass(frozen=True)
class Profile:
    """How hard to push: writers at once, turns in all, kills, reader loops, the seed."""

    name: str
    slots: int
    turns: int
    kills: int
    readers: int
    slow_share: float = 0.3
    seed: int = 1


SHORT = Profile("short", slots=2, turns=10, kills=2, readers=1)
LONG = Profile("long", slots=4, turns=160, kills=32, readers=2)


@dataclass(frozen=True)
class Kill:
    """How a writer ends at its turn: which signal, and whether mid-answer or at the prompt."""

    signal: signal.Signals
    mid_answer: bool


@dataclass(frozen=True)
class TurnPlan:
    """One message a writer types, the answer the double gives, and any kill at this turn."""

    writer: str
    text: str
    answer: str
    slow: bool
    kill: Kill | None


@dataclass
class WriterLog:
    """What one writer process showed, as a person at the terminal saw it."""

    name: str
    sent: list[str] = field(default_factory=list)
    complete: dict[str, str] = field(default_factory=dict)  # message -> answer shown whole
    hup_partials: list[str] = field(default_factory=list)  # cut short by SIGHUP, on screen
    end: str = "running"  # quit, SIGHUP, SIGKILL or aborted (killed by the harness)


@dataclass
class StressReport:
    """The counts of a run; ``ok`` when nothing was lost, doubled or damaged."""

    profile: str
    seed: int
    seconds: float = 0.0
    writers: int = 0
    reader_runs: int = 0
    turns: int = 0
    kills_9: int = 0
    kills_hup: int = 0
    messages_lost: int = 0
    lost_after_kill: int = 0  # missing when read right after a kill, whatever came later
    ledger_missing: int = 0
    ledger_missing_after_kill: int = 0
    ledger_duplicates: int = 0
    ledger_unmatched: int = 0
    ledger_excused: int = 0  # rows missing for the call a SIGKILL caught: allowed, not free
    integrity: str = "not checked"
    problems: list[str] = field(default_factory=list)  # one line per loss found
    errors: list[str] = field(default_factory=list)  # a process that hung or failed
    warnings: list[str] = field(default_factory=list)  # warning lines the chats showed

    @property
    def ok(self) -> bool:
        """No loss, no duplicate, no stray row, an intact database and no failed process."""
        counts = (self.messages_lost, self.lost_after_kill, self.ledger_missing)
        counts += (self.ledger_missing_after_kill, self.ledger_duplicates)
        clean = not any(counts) and not self.ledger_unmatched and not self.errors
        return clean and self.integrity == "ok"

    def markdown(self) -> str:
        """One paragraph of figures, then each problem, error and warning as a list item."""
        head = (
            f"**Stress ({self.profile}, seed {self.seed})**: {self.writers + self.reader_runs} "
            f"processes ({self.writers} writers, {self.reader_runs} readers), {self.turns} turns, "
            f"{self.kills_9} kills by -9, {self.kills_hup} by SIGHUP in {self.seconds:.1f} s; "
            f"messages lost: {self.messages_lost} at the end, {self.lost_after_kill} missing "
            f"right after a kill; ledger rows missing: {self.ledger_missing} at the end, "
            f"{self.ledger_missing_after_kill} right after a kill ({self.ledger_excused} more "
            f"excused: the call in flight at a kill -9); duplicated: "
            f"{self.ledger_duplicates}; unmatched: {self.ledger_unmatched}; "
            f"integrity_check: {self.integrity}. {'OK' if self.ok else 'FAILED'}."
        )
        sections = [("Losses", self.problems), ("Errors", self.errors)]
        sections.append(("Warnings shown", self.warnings))
        lines = [head]
        for title, items in sections:
            if items:
                lines += ["", f"{title}:", *(f"- {item}" for item in items)]
        return "\n".join(lines)


ReaderRun = tuple[int, int, bool]  # (its number, writers born before it, began alone)


class Pulse:
    """Reader processes coming and going, and chats that have not answered yet.

    A reader run is *clean* when it overlapped no other reader, no chat started
    during it, and every running chat had answered at least once (its ledger
    writer then holds a second connection): the moment at which a reader's exit
    historically deleted the write-ahead log from under the running chats. While
    a writer waits for one, reader loops take turns instead of overlapping.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._begun = self._finished = self._active = self._births = self._last_clean = 0
        self._waiting = 0  # writers waiting for a clean run
        self._fresh: set[str] = set()

    def begin(self) -> ReaderRun:
        """A reader process is starting (alone, if a writer is waiting for a clean run)."""
        with self._changed:
            self._changed.wait_for(lambda: not self._waiting or not self._active)
            self._begun += 1
            alone = self._active == 0 and not self._fresh
            self._active += 1
            return self._begun, self._births, alone

    def end(self, run: ReaderRun) -> bool:
        """A reader process has exited; whether its run was clean."""
        number, births, alone = run
        with self._changed:
            self._finished += 1
            self._active -= 1
            clean = alone and births == self._births and not self._fresh
            clean = clean and number == self._begun
            if clean:
                self._last_clean = number
            self._changed.notify_all()
            return clean

    def born(self, writer: str) -> None:
        """A chat has started and not answered yet."""
        with self._changed:
            self._births += 1
            self._fresh.add(writer)

    def settled(self, writer: str) -> None:
        """A chat has answered once, or has gone."""
        with self._changed:
            self._fresh.discard(writer)
            self._changed.notify_all()

    def wait_clean(self) -> None:
        """Until a reader has begun and ended cleanly since this call."""
        with self._changed:
            mark = self._begun
            self._waiting += 1
            try:
                done = self._changed.wait_for(lambda: self._last_clean > mark, WAIT_S)
            finally:
                self._waiting -= 1
            if not done:
                raise AssertionError(f"no clean reader run; chats yet to answer: {self._fresh}")

    @property
    def runs(self) -> int:
        """Reader processes that have exited."""
        with self._changed:
            return self._finished


@dataclass
class Context:
    """What every thread of one run shares."""

    env: dict[str, str]
    program: tuple[str, ...]
    db: Path
    billed: Callable[[], list[Billed]]
    pulse: Pulse = field(default_factory=Pulse)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    exits: threading.Lock = field(default_factory=threading.Lock)  # one writer ends at a time
    errors: Counter[str] = field(default_factory=Counter)  # each failure, and how often
    warnings: set[str] = field(default_factory=set)
    lost_after_kill: list[str] = field(default_factory=list)
    missing_after_kill: list[str] = field(default_factory=list)
    verbose: bool = False
    began: float = field(default_factory=time.monotonic)

    def say(self, event: str) -> None:
        """With ``verbose``, one line of the timeline on stderr."""
        if self.verbose:
            at = time.monotonic() - self.began
            files = f"wal {_inode(self.db, '-wal')} shm {_inode(self.db, '-shm')}"
            print(f"{at:7.2f} [{files}] {event}", file=sys.stderr, flush=True)

    def error(self, who: str, exc: BaseException) -> None:
        """Note a process that hung or failed, with the last lines it showed."""
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [repr(exc)]
        summary = " | ".join(lines if len(lines) <= 5 else [lines[0], "...", *lines[-4:]])
        with self.lock:
            self.errors[f"{who}: {summary}"] += 1

    def note_warnings(self, screen: str) -> None:
        """Keep every warning or error line a chat showed."""
        found = {line.strip() for line in screen.splitlines() if _is_warning(line)}
        with self.lock:
            self.warnings |= found

    def check_after_kill(self, log: WriterLog) -> None:
        """Read the database the moment a writer is gone, as ``claude-tui -c`` would."""
        snap = snapshot(self.db)
        lost = message_losses(log, snap)
        missing = billing_losses(log, self.billed(), snap)
        if snap.integrity.startswith("unreadable"):  # everything shown counts as lost
            lost.append(f"{log.name}: the database was {snap.integrity}")
        with self.lock:
            self.lost_after_kill += lost
            self.missing_after_kill += missing
        self.say(f"{log.name} checked: {len(lost)} lost, {len(missing)} ledger rows missing")


def _inode(db: Path, suffix: str) -> str:
    """Which ``-wal`` file is there now, by inode, to see it deleted and made anew."""
    try:
        return str(db.with_name(db.name + suffix).stat().st_ino)
    except FileNotFoundError:
        return "none"


def _open_files(pid: int) -> str:
    """The database files a process has open, marked when they were deleted under it."""
    names = []
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                names.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return ", ".join(sorted(n.rsplit("/", 1)[-1] for n in names if "sqlite3" in n))


def _is_warning(line: str) -> bool:
    text = line.strip()
    return text.startswith(("warning:", "error:")) or "not saved" in text


# The plan: every message, answer and kill is chosen up front from the seed.


def plan(profile: Profile) -> list[list[TurnPlan]]:
    """Each slot's turns in order; writer names change after each kill (w1a, then w1b)."""
    rng = Random(profile.seed)
    lengths = [len(range(s, profile.turns, profile.slots)) for s in range(profile.slots)]
    kills = _kills(profile, lengths, rng)
    return [_slot_turns(slot, length, kills, profile, rng) for slot, length in enumerate(lengths)]


def _kills(profile: Profile, lengths: list[int], rng: Random) -> dict[tuple[int, int], Kill]:
    """Kill positions: never a writer's first turn, so every killed writer answered before,
    and never a slot's last, so another writer always takes the killed one's place."""
    spots = [(slot, i) for slot, length in enumerate(lengths) for i in range(1, length - 1)]
    rng.shuffle(spots)
    chosen: list[tuple[int, int]] = []
    for slot, i in spots:
        if len(chosen) < profile.kills and all(s != slot or abs(j - i) >= 2 for s, j in chosen):
            chosen.append((slot, i))
    signals = ([signal.SIGKILL, signal.SIGHUP] * profile.kills)[: len(chosen)]
    rng.shuffle(signals)
    return {spot: Kill(sig, rng.random() < 0.5) for spot, sig in zip(chosen, signals, strict=True)}


def _slot_turns(
    slot: int, length: int, kills: dict[tuple[int, int], Kill], profile: Profile, rng: Random
) -> list[TurnPlan]:
    turns, instance = [], 0
    for i in range(length):
        kill = kills.get((slot, i))
        writer = f"w{slot + 1}{string.ascii_lowercase[instance]}"
        text = f"stress {writer} t{i + 1} {rng.choice(WORDS)}"
        slow = (kill is not None and kill.mid_answer) or rng.random() < profile.slow_share
        answer = f"You said: {text}" + (f"\n\n{SLOW_FILLER} ({text} ends)" if slow else "")
        turns.append(TurnPlan(writer, text, answer, slow, kill))
        instance += kill is not None
    return turns


def responder(turns: Sequence[TurnPlan]) -> Callable[[dict[str, Any]], Reply | None]:
    """The double's answer to each planned message: the echo, slowly for slow turns."""
    replies = {
        turn.text: Reply(text=turn.answer, chunk=6, delay=0.025 if turn.slow else 0.0)
        for turn in turns
    }
    return lambda body: replies.get(_user_text(body))


def _user_text(body: dict[str, Any]) -> str:
    content = (body.get("messages") or [{}])[-1].get("content", "")
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content if isinstance(block, dict))


# Reading what a writer's screen shows about one turn.


@dataclass(frozen=True)
class Shown:
    """What the screen says about one message: sent, answered in full, or cut short."""

    sent: bool
    complete: bool
    interrupted: bool
    echoed: bool


def shown(screen: str, text: str) -> Shown:
    """Read the lines after the prompt line that holds ``text``."""
    lines = screen.splitlines()
    starts = [i for i, line in enumerate(lines) if line == PROMPT + text]
    if not starts:
        return Shown(False, False, False, False)
    region = lines[starts[-1] + 1 :]
    echoed = any(f"You said: {text}" in line for line in region)
    interrupted = any("interrupted" in line for line in region)
    footer = any(FOOTER.search(line) for line in region)
    sent = echoed or interrupted or footer or any(WAITING in line for line in region)
    return Shown(sent, footer and not interrupted, interrupted, echoed)


# Writers: interactive chats typed at in a pty.


class Writer:
    """One chat process and the log of what it showed."""

    def __init__(self, ctx: Context, name: str) -> None:
        self.ctx = ctx
        self.log = WriterLog(name)
        ctx.pulse.born(name)
        ctx.say(f"{name} starts")
        self.term = Terminal([], ctx.env, program=ctx.program)

    def send(self, turn: TurnPlan) -> None:
        """Type the message at the ready prompt; wait for the whole answer, or its start."""
        wait_ready(self.term)
        if turn.kill is not None:
            self.ctx.pulse.wait_clean()
        self.term.type(turn.text)
        self.term.wait_for(PROMPT + turn.text, WAIT_S)
        self.term.press("enter")
        mid = turn.kill is not None and turn.kill.mid_answer
        self.term.wait_for(lambda s: _reached(shown(s, turn.text), mid), WAIT_S)
        self._note(turn)
        self.ctx.say(f"{self.log.name} {'answering' if mid else 'answered'}: {turn.text}")
        if self.log.complete:
            self.ctx.pulse.settled(self.log.name)

    def _note(self, turn: TurnPlan) -> None:
        """Record what the screen shows of ``turn`` now."""
        seen = shown(self.term.text, turn.text)
        if seen.sent and turn.text not in self.log.sent:
            self.log.sent.append(turn.text)
        if seen.complete:
            self.log.complete[turn.text] = turn.answer
        self.ctx.note_warnings(self.term.text)

    def kill(self, turn: TurnPlan, kill: Kill) -> None:
        """Signal the process, read all it wrote before it went, and note how the turn ended."""
        if not kill.mid_answer:
            wait_ready(self.term)
        if self.ctx.verbose:
            self.ctx.say(f"{self.log.name} has open: {_open_files(self.term.child.pid)}")
        os.kill(self.term.child.pid, kill.signal)
        self.log.end = ENDS[kill.signal]
        self._wait_gone()
        self.ctx.say(f"{self.log.name} killed by {self.log.end}")
        self._note(turn)
        seen = shown(self.term.text, turn.text)
        if kill.signal == signal.SIGHUP and seen.interrupted and seen.echoed:
            self.log.hup_partials.append(turn.text)
        self.ctx.check_after_kill(self.log)

    def quit(self) -> None:
        """Ctrl-D at the prompt, as a person ends a chat."""
        wait_ready(self.term)
        self.term.press("ctrl-d")
        self.log.end = "quit"
        self._wait_gone()

    def abort(self) -> None:
        """End a writer the harness gave up on; its billing is judged as after a SIGKILL."""
        self.log.end = "aborted"
        try:
            with contextlib.suppress(Exception):
                self.term.close()
        finally:
            self.ctx.pulse.settled(self.log.name)

    def _wait_gone(self) -> None:
        try:
            self.term.wait_exit(WAIT_S)
        finally:
            self.ctx.pulse.settled(self.log.name)
            self.ctx.note_warnings(self.term.text)


def wait_ready(term: Terminal) -> None:
    """Until the prompt is up; a chat that ends first fails at once, with what it said."""
    term.wait_for(lambda screen: READY in screen or not term.child.isalive(), WAIT_S)
    if READY not in term.text:
        term.wait_exit(WAIT_S)
        raise AssertionError(f"the chat ended before its prompt:\n{term.text}")


def _reached(seen: Shown, mid_answer: bool) -> bool:
    """A turn to be cut short waits for its answer to begin; any other for its footer."""
    return seen.echoed if mid_answer else seen.complete


def run_slot(ctx: Context, turns: Sequence[TurnPlan]) -> list[WriterLog]:
    """Play one slot's turns, starting a new writer after each kill.

    Writers end one at a time: from the start of a kill turn to the check after the
    kill, no other chat quits or is killed, so none can tidy up for the one killed.
    """
    logs: list[WriterLog] = []
    writer: Writer | None = None
    try:
        for turn in turns:
            if writer is None:
                writer = Writer(ctx, turn.writer)
                logs.append(writer.log)
            if turn.kill is None:
                writer.send(turn)
                continue
            with ctx.exits:
                writer.send(turn)
                writer.kill(turn, turn.kill)
            writer = None
        if writer is not None:
            with ctx.exits:
                writer.quit()
    except Exception as exc:
        if ctx.verbose:
            traceback.print_exc()
        ctx.error(writer.log.name if writer else "writer", exc)
        if writer is not None:
            writer.abort()
    return logs


# Readers: the commands that open the database beside a running chat, and close it.


def run_readers(ctx: Context, offset: int) -> None:
    """Run cost, sessions list and a chat that quits at once, in turn, until told to stop."""
    kinds = (_read_cost, _read_sessions, _start_and_quit)
    n = offset
    while not ctx.stop.is_set():
        reader = kinds[n % len(kinds)]
        run = ctx.pulse.begin()
        ctx.say(f"reader {run[0]} {reader.__name__.strip('_')} begins")
        try:
            reader(ctx)
        except Exception as exc:
            ctx.error(reader.__name__.strip("_"), exc)
        finally:
            clean = ctx.pulse.end(run)
            ctx.say(f"reader {run[0]} {reader.__name__.strip('_')}{' (clean)' if clean else ''}")
        n += 1


def _read_cost(ctx: Context) -> None:
    _command(ctx, "cost")


def _read_sessions(ctx: Context) -> None:
    _command(ctx, "sessions", "list")


def _command(ctx: Context, *args: str) -> None:
    done = subprocess.run(
        [*ctx.program, *args], env=ctx.env, capture_output=True, text=True, timeout=WAIT_S
    )
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}\n{done.stderr}")


def _start_and_quit(ctx: Context) -> None:
    term = Terminal([], ctx.env, program=ctx.program)
    try:
        wait_ready(term)
        term.press("ctrl-d")
        status = term.wait_exit(WAIT_S)
        if status != 0:
            raise AssertionError(f"chat exited {status}\n{term.text}")
    finally:
        term.close()


# Checking the database: right after each kill, as a resume would find it, and at the end.

Place = tuple[str, int]


@dataclass(frozen=True)
class Snapshot:
    """What a fresh connection reads: messages by text and place, ledger rows per request."""

    users: dict[str, Place]  # a user's message -> (session, seq)
    answers: dict[Place, tuple[str, str]]  # (session, seq) -> (text, status)
    ledger: Counter[str | None]  # request id -> rows
    integrity: str


def snapshot(db: Path, *, integrity: bool = False) -> Snapshot:
    """Read the database with sqlite3 directly, the way any other process would.

    A database too damaged to read counts as holding nothing; ``integrity`` says why.
    """
    conn = sqlite3.connect(db, timeout=WAIT_S)
    users: dict[str, Place] = {}
    answers: dict[Place, tuple[str, str]] = {}
    ledger: Counter[str | None] = Counter()
    checked = "not checked"
    try:
        if integrity:
            checked = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        query = "SELECT session_id, seq, role, text, status FROM messages"
        for session, seq, role, text, status in conn.execute(query):
            if role == "user":
                users[text] = (session, seq)
            else:
                answers[(session, seq)] = (text, status)
        ledger.update(r[0] for r in conn.execute("SELECT request_id FROM usage"))
    except sqlite3.DatabaseError as exc:
        checked = f"unreadable: {exc}" if checked == "not checked" else f"{checked}; then {exc}"
    finally:
        conn.close()
    return Snapshot(users, answers, ledger, checked)


def message_losses(log: WriterLog, snap: Snapshot) -> list[str]:
    """Messages shown as sent, answers shown whole and SIGHUP partials the database lacks."""
    losses = [f"message shown as sent is not saved: {t!r}" for t in log.sent if t not in snap.users]
    for text, answer in log.complete.items():
        got = _answer_to(text, snap)
        if got != (answer, "complete"):
            losses.append(f"answer shown complete to {text!r} is saved as {_brief(got)}")
    for text in log.hup_partials:
        got = _answer_to(text, snap)
        if got is None or got[1] != "interrupted" or not got[0].startswith(f"You said: {text}"):
            losses.append(f"answer cut short by SIGHUP to {text!r} is saved as {_brief(got)}")
    return [f"{log.name} (ended {log.end}): {loss}" for loss in losses]


def _answer_to(text: str, snap: Snapshot) -> tuple[str, str] | None:
    place = snap.users.get(text)
    return None if place is None else snap.answers.get((place[0], place[1] + 1))


def _brief(got: tuple[str, str] | None) -> str:
    if got is None:
        return "nothing"
    text, status = got
    return f"{status} {text[:40]!r}{'...' if len(text) > 40 else ''}"


def _calls(log: WriterLog, billed: Sequence[Billed]) -> list[Billed]:
    """The writer's billed calls in order, and which one a SIGKILL may have caught."""
    return [c for c in billed if c.user_text.startswith(f"stress {log.name} ")]


def _may_miss(log: WriterLog, calls: list[Billed]) -> list[Billed]:
    """The call a SIGKILL may take with it: the last, its row perhaps still queued."""
    return calls[-1:] if log.end in ("SIGKILL", "aborted") else []


def allowed_misses(logs: Sequence[WriterLog], billed: Sequence[Billed], snap: Snapshot) -> int:
    """Billed calls with no row that a SIGKILL excuses: money the ledger never saw."""
    excused = (c for log in logs for c in _may_miss(log, _calls(log, billed)))
    return sum(snap.ledger[c.request_id] == 0 for c in excused)


def billing_losses(log: WriterLog, billed: Sequence[Billed], snap: Snapshot) -> list[str]:
    """The writer's billed calls with no ledger row; SIGKILL may take the last one only."""
    calls = _calls(log, billed)
    may_miss = _may_miss(log, calls)
    return [
        f"ledger: {log.name} (ended {log.end}) billed {c.request_id} for {c.user_text!r}, no row"
        for c in calls
        if c not in may_miss and snap.ledger[c.request_id] == 0
    ]


def ledger_oddities(billed: Sequence[Billed], snap: Snapshot) -> tuple[list[str], list[str]]:
    """Extra rows for one request, and rows for requests the double never billed."""
    duplicates = [
        f"ledger: {n} rows for request {request_id}"
        for request_id, n in snap.ledger.items()
        for _ in range(n - 1)
    ]
    known = {call.request_id for call in billed}
    unmatched = [
        f"ledger: row for request {request_id} that the double never billed"
        for request_id, n in snap.ledger.items()
        if request_id not in known
        for _ in range(n)
    ]
    return duplicates, unmatched


def check(
    db: Path, logs: Sequence[WriterLog], billed: Sequence[Billed], report: StressReport
) -> None:
    """The final reading: every loss, duplicate and stray row counted and listed."""
    snap = snapshot(db, integrity=True)
    report.integrity = snap.integrity
    lost = [loss for log in logs for loss in message_losses(log, snap)]
    missing = [loss for log in logs for loss in billing_losses(log, billed, snap)]
    duplicates, unmatched = ledger_oddities(billed, snap)
    report.messages_lost, report.ledger_missing = len(lost), len(missing)
    report.ledger_duplicates, report.ledger_unmatched = len(duplicates), len(unmatched)
    report.ledger_excused = allowed_misses(logs, billed, snap)
    report.problems += [f"at the end: {p}" for p in (*lost, *missing, *duplicates, *unmatched)]


# Running it all.


def environment(home: Path, api: ApiDouble, source: Path | None) -> dict[str, str]:
    """Like the tests' ``app_env``: the double's address and key, an isolated home."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(ISOLATED_PREFIXES) and name not in ISOLATED_NAMES
    }
    env.update(
        ANTHROPIC_API_KEY=api.api_key,
        CLAUDE_TUI_BASE_URL=api.base_url,
        CLAUDE_TUI_HOME=str(home),
        TERM="xterm-256color",
        COLUMNS="100",
        LINES="40",
    )
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(source.resolve()), env.get("PYTHONPATH")])
        )
    return env


def program(source: Path | None) -> tuple[str, ...]:
    """``python -m claude_tui``; with ``source``, ``-P`` keeps the working folder off the path."""
    return CLAUDE_TUI if source is None else (sys.executable, "-P", "-m", "claude_tui")


@contextmanager
def _workdir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="claude-tui-stress-") as tmp:
        yield Path(tmp)


def run(
    profile: Profile,
    source: Path | None = None,
    workdir: Path | None = None,
    *,
    verbose: bool = False,
) -> StressReport:
    """Play the profile and check the database; ``workdir`` keeps the home for a post-mortem."""
    slots = plan(profile)
    report = StressReport(profile.name, profile.seed)
    started = time.monotonic()
    with _workdir(workdir) as work, ApiDouble() as api:
        api.responder = responder([turn for turns in slots for turn in turns])
        db = work / "home" / "data" / "sessions.sqlite3"
        env = environment(work / "home", api, source)
        ctx = Context(env, program(source), db, lambda: list(api.billed), verbose=verbose)
        logs = _play(ctx, slots, profile.readers)
        _tally(report, ctx, logs)
        check(db, logs, list(api.billed), report)
    report.seconds = time.monotonic() - started
    return report


def _play(ctx: Context, slots: list[list[TurnPlan]], readers: int) -> list[WriterLog]:
    """The writers' slots and the reader loops at once; readers stop when writers are done."""
    with ThreadPoolExecutor(len(slots) + readers) as pool:
        loops = [pool.submit(run_readers, ctx, n) for n in range(readers)]
        writers = [pool.submit(run_slot, ctx, turns) for turns in slots]
        try:
            logs = [log for future in writers for log in future.result()]
        finally:
            ctx.stop.set()
        for loop in loops:
            loop.result()
    return logs


def _tally(report: StressReport, ctx: Context, logs: Sequence[WriterLog]) -> None:
    ends = Counter(log.end for log in logs)
    report.writers = len(logs)
    report.reader_runs = ctx.pulse.runs
    report.turns = sum(len(log.sent) for log in logs)
    report.kills_9, report.kills_hup = ends["SIGKILL"], ends["SIGHUP"]
    report.lost_after_kill = len(ctx.lost_after_kill)
    report.ledger_missing_after_kill = len(ctx.missing_after_kill)
    report.problems += [f"right after the kill: {p}" for p in ctx.lost_after_kill]
    report.problems += [f"right after the kill: {p}" for p in ctx.missing_after_kill]
    report.errors = [e if n == 1 else f"{e} ({n} times)" for e, n in ctx.errors.items()]
    report.warnings = sorted(ctx.warnings)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a profile and print its summary; the exit status is 1 when anything was lost."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stress", description=__doc__)
    parser.add_argument("--long", action="store_true", help="more writers, turns and kills")
    parser.add_argument("--seed", type=int, default=SHORT.seed)
    parser.add_argument("--source", type=Path, help="run the children from this checkout")
    parser.add_argument("--keep", type=Path, help="keep the data directory here")
    parser.add_argument("--verbose", action="store_true", help="a timeline on stderr")
    args = parser.parse_args(argv)
    profile = replace(LONG if args.long else SHORT, seed=args.seed)
    report = run(profile, args.source, args.keep, verbose=args.verbose)
    print(report.markdown())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
