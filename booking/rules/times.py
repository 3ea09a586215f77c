"""When a booking may be: how long it lasts and how far ahead, measured in real time.

Pure functions over aware datetimes; every comparison is between instants (UTC), so a booking over
a clock change lasts what it really lasts. Each refusal has its own code:
`end_before_start`, `duration_too_short`, `duration_too_long`, `start_in_past`,
`start_too_far_ahead` (and `timezone_required` for a naive datetime from Python code)."""

from __future__ import annotations

import datetime as dt

from tolk.errors import ValidationFailed
from tolk.times import instant

MIN_DURATION = dt.timedelta(minutes=15)
MAX_DURATION = dt.timedelta(hours=12)
MAX_AHEAD = dt.timedelta(days=2 * 366)
PAST_GRACE = dt.timedelta(minutes=5)
# A completed assignment may have run over its booked time, up to this.
MAX_ACTUAL_DURATION = dt.timedelta(hours=24)


def _refuse(name: str, fields: dict[str, list[str]]) -> ValidationFailed:
    """The catalogue error `name` (tolk.error_catalogue) for the fields it concerns."""
    return ValidationFailed.of(name, fields=fields)


def _require_aware(**values: dt.datetime) -> None:
    naive = {name: ["timezone_required"] for name, value in values.items()
             if value.tzinfo is None or value.utcoffset() is None}
    if naive:
        raise _refuse("timezone_required", naive)


def _check_order(start: dt.datetime, end: dt.datetime, *, end_field: str) -> dt.timedelta:
    length = end - start
    if length <= dt.timedelta(0):
        raise _refuse("end_before_start", {end_field: ["end_before_start"]})
    return length


def check_booking_times(*, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    """A booking lasts from 15 minutes to 12 hours of real time and starts between now (a few
    minutes' grace) and two years ahead."""
    _require_aware(start=start, end=end)
    start, end, now = instant(start), instant(end), instant(now)
    length = _check_order(start, end, end_field="end")
    if length < MIN_DURATION:
        raise _refuse("duration_too_short", {"end": ["duration_too_short"]})
    if length > MAX_DURATION:
        raise _refuse("duration_too_long", {"end": ["duration_too_long"]})
    if start < now - PAST_GRACE:
        raise _refuse("start_in_past", {"start": ["start_in_past"]})
    if start > now + MAX_AHEAD:
        raise _refuse("start_too_far_ahead", {"start": ["start_too_far_ahead"]})


def is_acute(*, start: dt.datetime, now: dt.datetime, hours: int) -> bool:
    """A booking made at `now` that starts within `hours` real hours is acute (the installation's
    `TOLK_ACUTE_HOURS`): it is dispatched faster. Decided once, when the booking is made."""
    return instant(start) - instant(now) < dt.timedelta(hours=hours)


def check_completion_times(*, actual_start: dt.datetime, actual_end: dt.datetime,
                           now: dt.datetime) -> None:
    """What took place: after it started, at most 24 hours of real time, not in the future."""
    _require_aware(actual_start=actual_start, actual_end=actual_end)
    actual_start, actual_end, now = instant(actual_start), instant(actual_end), instant(now)
    length = _check_order(actual_start, actual_end, end_field="actual_end")
    if length > MAX_ACTUAL_DURATION:
        raise _refuse("assignment_too_long", {"actual_end": ["duration_too_long"]})
    if actual_start > now + PAST_GRACE:
        raise _refuse("not_started", {"actual_start": ["not_started"]})
