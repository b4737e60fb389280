"""Issue 10 ("Never lose a turn"): chats killed beside readers keep every turn and bill once."""

from __future__ import annotations

import signal
from dataclasses import replace
from pathlib import Path

from benchmarks import stress

SEED = 1


def test_the_plan_is_seeded_and_kills_only_where_a_writer_answered_before() -> None:
    """One seed, one plan: both signals, and never a slot's first or last turn."""
    profile = replace(stress.SHORT, seed=SEED)
    slots = stress.plan(profile)
    assert slots == stress.plan(profile)
    kills = [(i, len(turns), t.kill) for turns in slots for i, t in enumerate(turns) if t.kill]
    assert len(kills) == profile.kills
    assert {kill.signal for _, _, kill in kills} == {signal.SIGKILL, signal.SIGHUP}
    assert all(0 < i < length - 1 for i, length, _ in kills)
    texts = [turn.text for turns in slots for turn in turns]
    assert len(set(texts)) == len(texts) == profile.turns


def test_short_stress_run_loses_nothing_and_bills_each_call_once(tmp_path: Path) -> None:
    """Writers killed by -9 and SIGHUP beside cost, sessions list and other chats lose nothing."""
    report = stress.run(replace(stress.SHORT, seed=SEED), workdir=tmp_path)
    summary = report.markdown()
    assert report.errors == [], summary
    assert report.kills_9 >= 1 and report.kills_hup >= 1 and report.reader_runs > 0, summary
    assert (report.messages_lost, report.lost_after_kill) == (0, 0), summary
    assert (report.ledger_missing, report.ledger_missing_after_kill) == (0, 0), summary
    assert (report.ledger_duplicates, report.ledger_unmatched) == (0, 0), summary
    assert report.integrity == "ok", summary
