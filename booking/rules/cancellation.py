"""When a cancellation is late and may be invoiced (the body's guidelines, tolkeloven § 9, set the
window in hours; the fairness rules are a design choice).

Pure functions over aware datetimes, compared as instants:

- a booking that no interpreter has accepted is never cancelled late: nobody set time aside;
- otherwise the cancellation is late inside the window before the start;
- a booking created inside the window (at short notice) would be late from the moment it was made,
  so there the window counts from the acceptance: never before an interpreter has accepted, and
  from then on at once. The booking form says so before the booking is sent.
"""

from __future__ import annotations

import datetime as dt

from tolk.times import instant


def late_window_start(*, start: dt.datetime, hours: int) -> dt.datetime:
    """The instant the guideline's late-cancellation window opens before `start`."""
    return instant(start) - dt.timedelta(hours=hours)


def created_inside_late_window(*, start: dt.datetime, created_at: dt.datetime,
                               hours: int) -> bool:
    """A booking made this close to its start: a cancellation right after an interpreter has
    accepted it is already late."""
    return instant(created_at) >= late_window_start(start=start, hours=hours)


def cancellation_is_late(*, start: dt.datetime, created_at: dt.datetime,
                         accepted_at: dt.datetime | None, cancelled_at: dt.datetime,
                         hours: int) -> bool:
    """Is a cancellation at `cancelled_at` late? `accepted_at` is when the interpreter of the live
    assignment accepted it (None: nobody has, never late)."""
    if accepted_at is None:
        return False
    opens = late_window_start(start=start, hours=hours)
    if created_inside_late_window(start=start, created_at=created_at, hours=hours):
        opens = max(opens, instant(accepted_at))
    return instant(cancelled_at) >= opens
