"""Time as instants. Norway changes its clocks twice a year, so durations and order are computed
on instants (UTC), never on wall-clock times: Python subtracts and compares two datetimes that
share a `tzinfo` by their wall-clock fields, which is an hour wrong across a change.

A time without an offset from outside is Oslo time (`settings.TIME_ZONE`), unless that wall time
does not exist (the hour skipped in spring: `nonexistent_local_time`) or exists twice (the hour
repeated in autumn: `ambiguous_local_time`); the client then sends the offset."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from tolk.errors import ValidationFailed

UTC = dt.UTC


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def instant(value: dt.datetime) -> dt.datetime:
    """The same instant in UTC (for arithmetic and comparison). `value` must be aware."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a naive datetime is not an instant")
    return value.astimezone(UTC)


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes from `start` to `end` in real time (negative when end is before start)."""
    return int((instant(end) - instant(start)).total_seconds() // 60)


def seconds_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole seconds of real time from `start` to `end`, never negative."""
    return max(0, int((instant(end) - instant(start)).total_seconds()))


def local_instant(wall: dt.datetime, *, field: str) -> dt.datetime:
    """The instant (UTC) at which Oslo clocks show the naive `wall`. Raises `ValidationFailed`
    `nonexistent_local_time` or `ambiguous_local_time` (with `fields={field: [code]}`) on a clock
    change day, and `invalid` at the ends of the calendar."""
    zone = local_zone()
    wall = wall.replace(tzinfo=None)
    try:
        early = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        late = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    except OverflowError:
        raise ValidationFailed.of("time_outside_calendar", fields={field: ["overflow"]}) from None
    if early == late:
        return early
    shown = f"{wall:%H:%M}"
    if early.astimezone(zone).replace(tzinfo=None) != wall:
        raise ValidationFailed.of(
            "nonexistent_local_time", time=shown, date=wall.date(),
            fields={field: ["nonexistent_local_time"]},
        )
    raise ValidationFailed.of(
        "ambiguous_local_time", time=shown, date=wall.date(),
        fields={field: ["ambiguous_local_time"]},
    )
