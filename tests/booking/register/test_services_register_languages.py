"""The register import stores languages as the language table's codes: ISO 639-1 and 639-2/B
codes and macrolanguages are mapped, and a code that names no single language is a row error."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.models import Qualification
from booking.register.selectors import is_qualified, qualified_interpreters
from tests.booking.register.test_services_register import TODAY, row, run

pytestmark = pytest.mark.django_db


def entries() -> list[tuple[str, str, str]]:
    return sorted(Qualification.objects.values_list(
        "interpreter__register_number", "language", "category"))


def test_register_codes_are_mapped_to_the_table_codes() -> None:
    result = run(
        row(language="fas"),
        row(register_number="T-2", language="per", category="B"),
        row(register_number="T-3", language="fa", category="C"),
        row(register_number="T-4", language="zho", category="D", valid_to="2030-01-01"),
        row(register_number="T-5", language="arb"),
        row(register_number="T-6", language="PRS"),
    )
    assert result.ok, result.errors
    assert entries() == [("T-1", "pes", "A"), ("T-2", "pes", "B"), ("T-3", "pes", "C"),
                         ("T-4", "cmn", "D"), ("T-5", "ara", "A"), ("T-6", "prs", "A")]


def test_reimporting_with_another_code_for_the_same_language_changes_nothing() -> None:
    assert run(row(language="fas")).ok
    again = run(row(language="pes"))
    assert again.ok and (again.added, again.unchanged) == (0, 1)
    assert entries() == [("T-1", "pes", "A")]


def test_two_codes_for_one_language_on_one_interpreter_is_a_duplicate() -> None:
    result = run(row(language="fas"), row(language="pes", category="B"))
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (3, "language", "duplicate_entry")
    ]
    assert Qualification.objects.count() == 0


def test_unmappable_codes_are_row_errors_and_nothing_is_imported() -> None:
    result = run(
        row(),
        row(register_number="T-2", language="kur"),
        row(register_number="T-3", language="aka"),
        row(register_number="T-4", language="qaa"),
        row(register_number="T-5", language="persisk"),
    )
    assert not result.ok
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (3, "language", "ambiguous_language"),
        (4, "language", "ambiguous_language"),
        (5, "language", "unknown_language"),
        (6, "language", "unknown_language"),
    ]
    kurdish = result.errors[0].reason
    assert "'kur'" in kurdish and "ckb, kmr, sdh" in kurdish
    assert Qualification.objects.count() == 0


def test_a_persian_entry_qualifies_for_persisk_and_not_for_dari() -> None:
    """The law-facing rule: an entry counts for the language tested, never for a sibling in the
    same macrolanguage (the register tests Persisk and Dari separately)."""
    assert run(row(language="fas")).ok
    day = TODAY + dt.timedelta(days=3)
    assert [i.register_number for i in qualified_interpreters(language="pes", on=day)] == ["T-1"]
    assert not qualified_interpreters(language="prs", on=day).exists()
    person = qualified_interpreters(language="pes", on=day).get()
    assert is_qualified(interpreter=person, language="pes", on=day)
    assert not is_qualified(interpreter=person, language="prs", on=day)
