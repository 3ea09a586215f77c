"""The register import: valid files, all-or-nothing rejection, idempotency and status changes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from booking.models import Interpreter, Qualification, RegisterImport, RegisterStatusEvent
from booking.selectors import is_qualified
from booking.services.register import REGISTER_COLUMNS, register_import

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
HEADER = ",".join(REGISTER_COLUMNS)


def row(**overrides: str) -> str:
    values = {
        "register_number": "T-1",
        "given_name": "Amal",
        "family_name": "Haddad",
        "gender": "female",
        "municipality": "0301",
        "availability": "part_time",
        "modalities": "onsite|video",
        "email": "amal@example.no",
        "phone": "+47 90000000",
        "language": "ara",
        "category": "A",
        "valid_from": "2020-01-01",
        "valid_to": "",
        "status": "active",
        "police_certificate_valid_until": "2027-06-30",
    }
    values.update(overrides)
    return ",".join(values[c] for c in REGISTER_COLUMNS)


def run(*rows: str, today: dt.date = TODAY) -> object:
    text = "\n".join([HEADER, *rows]) + "\n"
    return register_import(stream=io.BytesIO(text.encode()), file_name="reg.csv", today=today)


def test_valid_file_creates_interpreters_and_entries() -> None:
    result = run(
        row(),
        row(language="tir", category="C"),
        row(register_number="T-2", given_name="Yonas", gender="male", language="tir",
            municipality="4601", modalities="phone", category="E", valid_to="2028-01-01"),
    )
    assert result.ok, result.errors
    assert (result.rows, result.added, result.changed, result.unchanged) == (3, 3, 0, 0)
    amal = Interpreter.objects.get(register_number="T-1")
    assert amal.county == "03"
    assert amal.modalities == ["onsite", "video"]
    assert amal.police_certificate_valid_until == dt.date(2027, 6, 30)
    assert sorted(amal.qualifications.values_list("language", "category")) == [
        ("ara", "A"), ("tir", "C"),
    ]
    yonas = Interpreter.objects.get(register_number="T-2")
    assert yonas.county == "46" and yonas.modalities == ["phone"]
    assert RegisterImport.objects.get().added == 3


def test_one_bad_row_rejects_the_whole_file_and_lists_every_problem() -> None:
    result = run(
        row(),
        row(register_number="T-2", language="xxq", category="F"),
        row(register_number="T-3", municipality="99", valid_from="2020-13-01"),
    )
    assert not result.ok
    found = {(e.line, e.column, e.code) for e in result.errors}
    assert found == {
        (3, "language", "unknown_language"),
        (3, "category", "invalid_choice"),
        (4, "municipality", "invalid_municipality"),
        (4, "valid_from", "invalid_date"),
    }
    assert Interpreter.objects.count() == 0
    assert Qualification.objects.count() == 0
    assert RegisterImport.objects.count() == 0


def test_missing_column_is_reported_and_nothing_changes() -> None:
    text = "register_number,given_name\nT-1,Amal\n"
    result = register_import(stream=io.StringIO(text), file_name="x.csv", today=TODAY)
    assert not result.ok
    assert result.errors[0].line == 1
    assert Interpreter.objects.count() == 0


def test_reimporting_the_same_file_changes_nothing() -> None:
    rows = (row(), row(language="tir", category="C"))
    first = run(*rows)
    fields = ("id", "category", "valid_from", "status")
    before = list(Qualification.objects.values_list(*fields))
    second = run(*rows)
    assert first.ok and second.ok
    assert (second.added, second.changed, second.unchanged) == (0, 0, 2)
    assert list(Qualification.objects.values_list(*fields)) == before
    assert RegisterStatusEvent.objects.count() == 0


def test_changed_category_is_reported_as_changed() -> None:
    run(row(category="D", valid_to="2027-01-01"))
    result = run(row(category="B"))
    assert (result.added, result.changed) == (0, 1)
    assert Qualification.objects.get().category == "B"


def test_suspension_exclusion_and_revocation_are_reported_and_block_qualification() -> None:
    run(row(), row(register_number="T-2", language="som"), row(register_number="T-3"))
    result = run(
        row(status="suspended"),
        row(register_number="T-2", language="som", status="excluded"),
        row(register_number="T-3", status="revoked"),
    )
    assert result.ok, result.errors
    assert [e["register_number"] for e in result.newly_suspended] == ["T-1"]
    assert [e["register_number"] for e in result.newly_excluded] == ["T-2"]
    assert [e["register_number"] for e in result.newly_revoked] == ["T-3"]
    kinds = set(RegisterStatusEvent.objects.values_list("interpreter__register_number", "kind"))
    assert kinds == {("T-1", "suspension"), ("T-2", "exclusion"), ("T-3", "revocation")}
    amal = Interpreter.objects.get(register_number="T-1")
    assert not is_qualified(interpreter=amal, language="ara", on=TODAY)
    # Importing the same statuses again is not a new suspension.
    again = run(
        row(status="suspended"),
        row(register_number="T-2", language="som", status="excluded"),
        row(register_number="T-3", status="revoked"),
    )
    assert again.newly_suspended == again.newly_excluded == again.newly_revoked == []
    assert RegisterStatusEvent.objects.count() == 3


def test_lifting_a_suspension_reinstates() -> None:
    run(row())
    run(row(status="suspended"))
    lifted = TODAY + dt.timedelta(days=10)
    result = run(row(), today=lifted)
    assert [e["register_number"] for e in result.reinstated] == ["T-1"]
    amal = Interpreter.objects.get(register_number="T-1")
    assert is_qualified(interpreter=amal, language="ara", on=lifted)
    # The history keeps the suspension for the days it lasted.
    assert not is_qualified(interpreter=amal, language="ara", on=TODAY + dt.timedelta(days=5))


def test_person_columns_must_agree_between_rows_of_one_interpreter() -> None:
    result = run(row(), row(language="tir", family_name="Other"))
    assert not result.ok
    assert any(e.column == "family_name" for e in result.errors)


def test_duplicate_row_for_the_same_language_is_an_error() -> None:
    result = run(row(), row())
    assert not result.ok
    assert Interpreter.objects.count() == 0


def test_command_imports_and_reports(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reg.csv"  # type: ignore[operator]
    path.write_text("\n".join([HEADER, row()]) + "\n", encoding="utf-8")
    call_command("import_register", str(path))
    assert "1 added" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"  # type: ignore[operator]
    bad.write_text("\n".join([HEADER, row(gender="x")]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_register", str(bad))
    err = capsys.readouterr().err
    assert "line 2" in err and "gender" in err
