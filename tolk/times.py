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
        raise ValidationFailed(
            code="invalid", message_nb="Tidspunktet er utenfor kalenderen.",
            message_en="The time is outside the calendar.", fields={field: ["overflow"]},
        ) from None
    if early == late:
        return early
    shown = f"{wall:%H:%M}"
    if early.astimezone(zone).replace(tzinfo=None) != wall:
        raise ValidationFailed(
            code="nonexistent_local_time",
            message_nb=f"Klokken {shown} finnes ikke {wall:%d.%m.%Y} i norsk tid (klokken "
            "stilles fram). Velg et annet tidspunkt, eller oppgi tidssone (f.eks. +02:00).",
            message_en=f"{shown} does not exist on {wall:%Y-%m-%d} in Norwegian time (the "
            "clocks go forward). Choose another time, or give the offset (e.g. +02:00).",
            fields={field: ["nonexistent_local_time"]},
        )
    raise ValidationFailed(
        code="ambiguous_local_time",
        message_nb=f"Klokken {shown} finnes to ganger {wall:%d.%m.%Y} i norsk tid (klokken "
        "stilles tilbake). Oppgi tidssone: +02:00 for sommertid, +01:00 for vintertid.",
        message_en=f"{shown} occurs twice on {wall:%Y-%m-%d} in Norwegian time (the clocks go "
        "back). Give the offset: +02:00 for summer time, +01:00 for winter time.",
        fields={field: ["ambiguous_local_time"]},
    )
