"""When a register status event takes an interpreter's entry out of use (tolkeloven §§ 20–21): a
suspension, an exclusion or a revocation does, on every day from its first day to its last (open-
ended without one), for its language or, when it names no language, for every language. A warning
takes nothing out of use.

This is the rule's one statement. The register's reads apply the same rule in SQL in one place,
`booking.register.selectors.status_events_blocking`, and a test holds the two equal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar

# `StatusEventKind` values (booking.choices).
BLOCKING_EVENT_KINDS: tuple[str, ...] = ("suspension", "exclusion", "revocation")


class StatusEvent(Protocol):
    """What the rule reads of a status event (a `RegisterStatusEvent` has it)."""

    @property
    def kind(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def valid_from(self) -> dt.date: ...

    @property
    def valid_to(self) -> dt.date | None: ...


EventT = TypeVar("EventT", bound=StatusEvent)


def status_blocks(event: StatusEvent, *, language: str, on: dt.date) -> bool:
    """Does `event` take the interpreter's entry for `language` out of use on `on`?"""
    return (
        event.kind in BLOCKING_EVENT_KINDS
        and event.language in ("", language)
        and event.valid_from <= on
        and (event.valid_to is None or on <= event.valid_to)
    )


def blocking_event(events: Iterable[EventT], *, language: str, on: dt.date) -> EventT | None:
    """The first of `events` that takes the entry for `language` out of use on `on`, or None."""
    return next((event for event in events if status_blocks(event, language=language, on=on)),
                None)
