import datetime as dt

import pytest

from booking.register.selectors import is_qualified, qualification_on, qualified_interpreters
from tests.factories import InterpreterFactory, QualificationFactory, StatusEventFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)


def test_entry_valid_on_the_day_makes_qualified() -> None:
    q = QualificationFactory(language="ara", category="C", valid_from=dt.date(2020, 1, 1))
    assert qualification_on(interpreter=q.interpreter, language="ara", on=DAY) == q
    assert list(qualified_interpreters(language="ara", on=DAY)) == [q.interpreter]


def test_other_language_or_outside_validity_is_not_qualified() -> None:
    q = QualificationFactory(
        language="ara", valid_from=dt.date(2026, 7, 1), valid_to=dt.date(2027, 6, 30)
    )
    assert not is_qualified(interpreter=q.interpreter, language="ara", on=DAY)
    assert is_qualified(interpreter=q.interpreter, language="ara", on=dt.date(2026, 7, 1))
    assert not is_qualified(interpreter=q.interpreter, language="tir", on=dt.date(2026, 7, 1))
    assert not is_qualified(interpreter=q.interpreter, language="ara", on=dt.date(2027, 7, 1))


@pytest.mark.parametrize("kind", ["suspension", "exclusion", "revocation"])
def test_blocking_events_remove_qualification_for_their_period(kind: str) -> None:
    q = QualificationFactory(language="ara")
    StatusEventFactory(
        interpreter=q.interpreter, kind=kind, valid_from=dt.date(2026, 5, 1),
        valid_to=dt.date(2026, 5, 31),
    )
    assert not is_qualified(interpreter=q.interpreter, language="ara", on=dt.date(2026, 5, 15))
    assert is_qualified(interpreter=q.interpreter, language="ara", on=DAY)


def test_warning_does_not_block_and_language_specific_event_blocks_only_that_language() -> None:
    interpreter = InterpreterFactory()
    QualificationFactory(interpreter=interpreter, language="ara")
    QualificationFactory(interpreter=interpreter, language="tir")
    StatusEventFactory(interpreter=interpreter, kind="warning", valid_from=dt.date(2026, 1, 1))
    StatusEventFactory(
        interpreter=interpreter, kind="suspension", language="tir", valid_from=dt.date(2026, 1, 1)
    )
    assert is_qualified(interpreter=interpreter, language="ara", on=DAY)
    assert not is_qualified(interpreter=interpreter, language="tir", on=DAY)
