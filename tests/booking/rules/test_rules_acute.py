"""When a booking is acute (booking.rules.times.is_acute): it starts within the installation's
acute hours of being made, in real time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from booking.rules.times import is_acute

OSLO = ZoneInfo("Europe/Oslo")


def test_within_the_hours_is_acute_and_beyond_is_not() -> None:
    now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=OSLO)
    assert is_acute(start=now + dt.timedelta(hours=2), now=now, hours=24)
    assert is_acute(start=now + dt.timedelta(hours=23, minutes=59), now=now, hours=24)
    assert not is_acute(start=now + dt.timedelta(hours=24), now=now, hours=24)
    assert not is_acute(start=now + dt.timedelta(days=3), now=now, hours=24)
    assert not is_acute(start=now + dt.timedelta(hours=2), now=now, hours=0)


def test_hours_are_real_hours_over_a_clock_change() -> None:
    # The night to 2026-10-25 has 25 hours in Norway: 10:00 the next day by the wall clock is 25
    # real hours away, so not acute at 24 hours.
    now = dt.datetime(2026, 10, 24, 10, 0, tzinfo=OSLO)
    assert not is_acute(start=dt.datetime(2026, 10, 25, 9, 30, tzinfo=OSLO), now=now, hours=24)
    assert is_acute(start=dt.datetime(2026, 10, 25, 8, 30, tzinfo=OSLO), now=now, hours=24)
