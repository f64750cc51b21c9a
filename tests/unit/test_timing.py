"""The attempt's clock: deadlines, accommodation, extensions, pauses and the transit grace."""
from __future__ import annotations

from exam_engine.core.timing import GRACE_MS, MINUTE_MS, Clock, allowed_ms

START = 1_767_225_600_000        # 2026-01-01T00:00:00Z in milliseconds
SECOND = 1_000


def skd_clock(extra_minutes: int = 0) -> Clock:
    """Start a 100-minute SKD attempt at START."""
    return Clock(started_ms=START, allowed_ms=allowed_ms(100, extra_minutes))


def test_deadline_is_start_plus_duration():
    clock = skd_clock()
    assert clock.deadline(START) == START + 100 * MINUTE_MS
    assert clock.remaining(START + 40 * MINUTE_MS) == 60 * MINUTE_MS


def test_accommodation_minutes_are_added_at_the_start():
    assert skd_clock(extra_minutes=30).deadline(START) == START + 130 * MINUTE_MS


def test_an_extension_moves_the_deadline():
    clock = skd_clock().extended(10)
    assert clock.deadline(START) == START + 110 * MINUTE_MS
    assert clock.extended(5).deadline(START) == START + 115 * MINUTE_MS


def test_the_clock_expires_just_after_the_deadline_and_remaining_stops_at_zero():
    clock = skd_clock()
    deadline = clock.deadline(START)
    assert not clock.expired(deadline)
    assert clock.expired(deadline + 1)
    assert clock.remaining(deadline + 5 * MINUTE_MS) == 0


def test_a_pause_stops_the_clock():
    clock = skd_clock()
    paused = clock.paused(START + 30 * MINUTE_MS)
    # While paused the remaining time stays at 70 minutes, however long the pause lasts.
    for now in (START + 31 * MINUTE_MS, START + 100 * MINUTE_MS, START + 1_000 * MINUTE_MS):
        assert paused.remaining(now) == 70 * MINUTE_MS
        assert paused.deadline(now) == now + 70 * MINUTE_MS
        assert not paused.expired(now)
        assert paused.accepts_answer(now)       # the clock does; the attempt refuses answers
    resumed = paused.resumed(START + 45 * MINUTE_MS)
    assert resumed.deadline(START + 45 * MINUTE_MS) == START + 115 * MINUTE_MS
    assert resumed.paused_since_ms is None and resumed.paused_ms == 15 * MINUTE_MS


def test_pauses_add_up_and_repeated_pause_or_resume_changes_nothing():
    clock = skd_clock().paused(START + 10 * MINUTE_MS)
    assert clock.paused(START + 20 * MINUTE_MS) == clock
    clock = clock.resumed(START + 15 * MINUTE_MS)
    assert clock.resumed(START + 50 * MINUTE_MS) == clock
    clock = clock.paused(START + 60 * MINUTE_MS).resumed(START + 62 * MINUTE_MS)
    assert clock.deadline(START) == START + 107 * MINUTE_MS


def test_an_extension_during_a_pause_counts_after_it():
    clock = skd_clock().paused(START + 90 * MINUTE_MS).extended(10)
    assert clock.remaining(START + 95 * MINUTE_MS) == 20 * MINUTE_MS
    assert clock.resumed(START + 95 * MINUTE_MS).deadline(START) == START + 115 * MINUTE_MS


def test_answers_in_transit_get_two_seconds_of_grace():
    clock = skd_clock()
    deadline = clock.deadline(START)
    assert GRACE_MS == 2 * SECOND
    assert clock.accepts_answer(deadline)
    assert clock.accepts_answer(deadline + 2_000)
    assert not clock.accepts_answer(deadline + 2_001)


def test_grace_follows_an_extension():
    clock = skd_clock().extended(1)
    deadline = START + 101 * MINUTE_MS
    assert clock.accepts_answer(deadline + 2_000)
    assert not clock.accepts_answer(deadline + 2_001)
