"""When a cancellation is late (booking.rules.cancellation): never before an acceptance, inside
the window before the start, and from the acceptance for a booking made inside the window."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from booking.rules.cancellation import cancellation_is_late, created_inside_late_window

OSLO = ZoneInfo("Europe/Oslo")
START = dt.datetime(2026, 10, 26, 10, 0, tzinfo=OSLO)
HOURS = 24


def _late(*, created: dt.timedelta, accepted: dt.timedelta | None,
          cancelled: dt.timedelta) -> bool:
    """Times given as how long before the start."""
    return cancellation_is_late(
        start=START, created_at=START - created,
        accepted_at=START - accepted if accepted is not None else None,
        cancelled_at=START - cancelled, hours=HOURS,
    )


def test_never_late_when_nobody_has_accepted() -> None:
    h = dt.timedelta(hours=1)
    assert not _late(created=10 * 24 * h, accepted=None, cancelled=h)
    # The case from the issue: made seconds before it was cancelled, nobody had accepted.
    assert not _late(created=2 * h, accepted=None, cancelled=2 * h - dt.timedelta(seconds=5))


def test_booked_in_good_time_late_only_inside_the_window() -> None:
    h = dt.timedelta(hours=1)
    assert not _late(created=10 * 24 * h, accepted=5 * 24 * h, cancelled=25 * h)
    assert _late(created=10 * 24 * h, accepted=5 * 24 * h, cancelled=24 * h)
    assert _late(created=10 * 24 * h, accepted=5 * 24 * h, cancelled=h)


def test_booked_inside_the_window_counts_from_the_acceptance() -> None:
    h = dt.timedelta(hours=1)
    assert created_inside_late_window(start=START, created_at=START - 5 * h, hours=HOURS)
    assert not created_inside_late_window(start=START, created_at=START - 25 * h, hours=HOURS)
    # Accepted 4 hours before the start: late right after, not before (nobody had accepted).
    assert _late(created=5 * h, accepted=4 * h, cancelled=4 * h - dt.timedelta(minutes=1))
    assert not _late(created=5 * h, accepted=None, cancelled=4 * h + dt.timedelta(minutes=1))


def test_window_is_measured_in_real_time_over_a_clock_change() -> None:
    # The clocks go back in Norway in the night to 2026-10-25: 24 real hours before 12:00 that
    # day is 13:00 on the 24th by the wall clock, not 12:00.
    start = dt.datetime(2026, 10, 25, 12, 0, tzinfo=OSLO)
    accepted = dt.datetime(2026, 10, 20, 9, 0, tzinfo=OSLO)
    created = accepted - dt.timedelta(days=1)
    outside = dt.datetime(2026, 10, 24, 12, 30, tzinfo=OSLO)
    inside = dt.datetime(2026, 10, 24, 13, 0, tzinfo=OSLO)
    assert not cancellation_is_late(start=start, created_at=created, accepted_at=accepted,
                                    cancelled_at=outside, hours=HOURS)
    assert cancellation_is_late(start=start, created_at=created, accepted_at=accepted,
                                cancelled_at=inside, hours=HOURS)
