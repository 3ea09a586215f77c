"""When a status event takes an interpreter's register entry out of use (tolkeloven §§ 20–21): the
rule as a pure function, and the register's one SQL form of it giving the same answers."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from booking.models import StatusEventKind
from booking.register.selectors import status_events_blocking
from booking.rules.status import BLOCKING_EVENT_KINDS, blocking_event, status_blocks
from tests.factories import InterpreterFactory, StatusEventFactory

FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


@dataclass(frozen=True)
class Event:
    kind: str
    language: str
    valid_from: dt.date
    valid_to: dt.date | None


def test_the_blocking_kinds_are_status_event_kinds_and_a_warning_is_not_one() -> None:
    assert set(BLOCKING_EVENT_KINDS) <= set(StatusEventKind.values)
    assert StatusEventKind.WARNING not in BLOCKING_EVENT_KINDS


@pytest.mark.parametrize("kind", ["suspension", "exclusion", "revocation"])
def test_a_suspension_exclusion_or_revocation_blocks_the_days_it_covers(kind: str) -> None:
    event = Event(kind, "ara", FIRST, LAST)
    assert status_blocks(event, language="ara", on=FIRST)
    assert status_blocks(event, language="ara", on=LAST)
    assert not status_blocks(event, language="ara", on=FIRST - dt.timedelta(days=1))
    assert not status_blocks(event, language="ara", on=LAST + dt.timedelta(days=1))


def test_an_open_ended_event_blocks_every_day_from_its_first() -> None:
    event = Event("revocation", "ara", FIRST, None)
    assert status_blocks(event, language="ara", on=dt.date(2040, 1, 1))
    assert not status_blocks(event, language="ara", on=FIRST - dt.timedelta(days=1))


def test_an_event_blocks_its_own_language_or_every_language_without_one() -> None:
    assert not status_blocks(Event("suspension", "ara", FIRST, LAST), language="tir", on=FIRST)
    assert status_blocks(Event("suspension", "", FIRST, LAST), language="tir", on=FIRST)


def test_a_warning_blocks_nothing() -> None:
    assert not status_blocks(Event("warning", "", FIRST, None), language="ara", on=FIRST)


def test_blocking_event_is_the_first_that_blocks() -> None:
    warning = Event("warning", "", FIRST, None)
    other = Event("suspension", "tir", FIRST, None)
    mine = Event("exclusion", "ara", FIRST, None)
    assert blocking_event([warning, other, mine], language="ara", on=FIRST) is mine
    assert blocking_event([warning, other], language="ara", on=FIRST) is None


@pytest.mark.django_db
def test_the_sql_form_gives_the_same_answers_as_the_rule() -> None:
    """Every kind × language × period against days before, inside and after, for the language
    of the event, another language and a day range."""
    interpreter = InterpreterFactory()
    events = [
        StatusEventFactory(interpreter=interpreter, kind=kind, language=language,
                           valid_from=FIRST, valid_to=valid_to)
        for kind, language, valid_to in itertools.product(
            StatusEventKind.values, ["", "ara"], [LAST, None]
        )
    ]
    days = [FIRST - dt.timedelta(days=1), FIRST, LAST, LAST + dt.timedelta(days=1)]
    for on, language in itertools.product(days, ["ara", "tir"]):
        in_sql = set(
            status_events_blocking(first=on, language=language).filter(interpreter=interpreter)
        )
        assert in_sql == {e for e in events if status_blocks(e, language=language, on=on)}, (
            on, language,
        )
    # Over a range: blocking on every day of it.
    for first, last in [(FIRST, LAST), (FIRST, LAST + dt.timedelta(days=1))]:
        in_sql = set(status_events_blocking(first=first, last=last, language="ara")
                     .filter(interpreter=interpreter))
        expected = {
            e for e in events
            if all(status_blocks(e, language="ara", on=first + dt.timedelta(days=n))
                   for n in range((last - first).days + 1))
        }
        assert in_sql == expected, (first, last)
