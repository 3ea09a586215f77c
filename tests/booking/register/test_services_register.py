"""The register import: valid files, all-or-nothing rejection, idempotency and status changes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from booking.models import Interpreter, Qualification, RegisterImport, RegisterStatusEvent
from booking.register.selectors import is_qualified
from booking.register.services import REGISTER_COLUMNS, RegisterImportResult, register_import

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


# --- reading the file (tolk.csvimport, shared with the provider file) -----------------------


def run_bytes(data: bytes) -> RegisterImportResult:
    return register_import(stream=io.BytesIO(data), file_name="reg.csv", today=TODAY)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_a_file_saved_by_excel_with_a_byte_order_mark_imports(ending: str) -> None:
    text = ending.join([HEADER, row(), row(register_number="T-2", language="tir")]) + ending
    result = run_bytes(b"\xef\xbb\xbf" + text.encode())
    assert result.ok, result.errors
    assert Interpreter.objects.count() == 2


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_lines_are_counted_with_blank_lines_whatever_the_line_ending(ending: str) -> None:
    text = ending.join([HEADER, row(), "", row(register_number="T-2", gender="x")]) + ending
    result = run_bytes(text.encode())
    assert [(e.line, e.column, e.code) for e in result.errors] == [(4, "gender", "invalid_choice")]


@pytest.mark.parametrize(
    ("content", "line", "code"),
    [
        (b"", 1, "empty_file"),
        (b"\r\n", 1, "empty_file"),
        (HEADER.encode() + b"\n", 2, "empty_file"),
        (HEADER.encode() + b",register_number\n", 1, "invalid_header"),
        (HEADER.encode() + b",colour\n", 1, "invalid_header"),
        ("\n".join([HEADER, row()]).encode("utf-16"), 1, "invalid_encoding"),
        ("\n".join([HEADER, row(), row(given_name="Bjørn", register_number="T-2")])
         .encode("latin-1"), 1, "invalid_encoding"),
        ("\n".join([HEADER, row(), "T-2," + "x" * 200_000]).encode(), 3, "invalid_csv"),
    ],
)
def test_broken_files_are_one_error_and_change_nothing(content: bytes, line: int,
                                                       code: str) -> None:
    result = run_bytes(content)
    assert [(e.line, e.code) for e in result.errors] == [(line, code)]
    assert not Interpreter.objects.exists() and not RegisterImport.objects.exists()


def test_header_problems_are_named() -> None:
    with translation.override("en"):
        result = run_bytes((HEADER.replace("phone", "telefon") + ",email\n").encode())
    (error,) = result.errors
    assert "Missing: phone." in error.reason
    assert "Unknown: telefon." in error.reason
    assert "Repeated: email." in error.reason


def test_a_utf16_file_is_named_in_its_reason() -> None:
    with translation.override("en"):
        result = run_bytes("\n".join([HEADER, row()]).encode("utf-16"))
    assert "UTF-16" in result.errors[0].reason


def test_a_nul_character_is_a_row_error_for_its_column() -> None:
    result = run(row(), row(register_number="T-2", family_name="Ha\x00ddad"))
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (3, "family_name", "invalid_character"),
    ]
    assert not Interpreter.objects.exists()


def test_row_errors_are_in_the_requests_language() -> None:
    rows = (row(gender="x", valid_from=""), row(register_number="T-2"), row(register_number="T-2"))
    with translation.override("nb"):
        norwegian = [e.reason for e in run(*rows).errors]
    with translation.override("en"):
        english = [e.reason for e in run(*rows).errors]
    assert norwegian == [
        "'x' er ikke en av: female, male, other.",
        "En dato (ÅÅÅÅ-MM-DD) er påkrevd.",
        "Registernummer T-2 og språk ara står allerede på linje 3.",
    ]
    assert english == [
        "'x' is not one of: female, male, other.",
        "A date (YYYY-MM-DD) is required.",
        "Register number T-2 and language ara already appear on line 3.",
    ]


def test_the_command_reports_in_english_whatever_the_default_language(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"  # type: ignore[operator]
    bad.write_text("\n".join([HEADER, row(gender="x", language="xxq")]) + "\n", encoding="utf-8")
    with translation.override("nb"), pytest.raises(CommandError):
        call_command("import_register", str(bad))
    err = capsys.readouterr().err
    assert (f"{bad}: line 2, column gender: 'x' is not one of: female, male, other. "
            "[invalid_choice]") in err
    assert "line 2, column language: 'xxq' is not an ISO 639-3" in err
