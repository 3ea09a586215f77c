from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from stats.models import AssignmentFact, StatsImport
from stats.services import imports
from stats.services.imports import assignments_import
from tests import factories
from tests.stats.helpers import MUNICIPAL_ORG, PRIVATE_ORG, csv_bytes, fact_row

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)


def run(rows: list[dict[str, str]], **kwargs: object) -> imports.ImportResult:
    return assignments_import(
        stream=csv_bytes(rows), file_name="levering.csv", today=TODAY, **kwargs  # type: ignore[arg-type]
    )


def test_valid_file_is_imported_with_derived_columns() -> None:
    result = run([
        fact_row(reference="R1"),
        fact_row(reference="R2", outcome="unfilled", interpreter_category="", duration_minutes="",
                 cost_nok="", municipality=""),
        fact_row(reference="R3", outcome="cancelled", interpreter_category="",
                 duration_minutes="", cost_nok="350.5", municipality="4601"),
    ])
    assert result.ok, result.errors
    assert (result.rows, result.added, result.changed, result.unchanged) == (3, 3, 0, 0)
    r1 = AssignmentFact.objects.get(reference="R1")
    assert r1.source == "import"
    assert r1.date == dt.date(2024, 3, 1)
    assert r1.county == "03" and r1.qualified is True and r1.duration_minutes == 60
    assert r1.cost_nok == Decimal("1000.00")
    r2 = AssignmentFact.objects.get(reference="R2")
    assert (r2.county, r2.qualified, r2.duration_minutes, r2.cost_nok) == ("", False, None, None)
    r3 = AssignmentFact.objects.get(reference="R3")
    assert r3.county == "46" and r3.cost_nok == Decimal("350.50")
    record = StatsImport.objects.get()
    assert (record.rows, record.added) == (3, 3)
    assert r1.stats_import_id == record.pk


def test_same_file_twice_changes_nothing() -> None:
    rows = [fact_row(reference=f"R{i}") for i in range(10)]
    first = run(rows)
    before = list(AssignmentFact.objects.order_by("id").values())
    second = run(rows)
    assert first.ok and second.ok
    assert (second.added, second.changed, second.unchanged) == (0, 0, 10)
    assert list(AssignmentFact.objects.order_by("id").values()) == before


def test_reimport_with_new_values_replaces_the_row() -> None:
    run([fact_row(reference="R1"), fact_row(reference="R2")])
    result = run([fact_row(reference="R1", outcome="cancelled", interpreter_category="",
                           duration_minutes="", cost_nok=""),
                  fact_row(reference="R2")])
    assert (result.added, result.changed, result.unchanged) == (0, 1, 1)
    assert AssignmentFact.objects.count() == 2
    fact = AssignmentFact.objects.get(reference="R1")
    assert (fact.outcome, fact.qualified, fact.duration_minutes) == ("cancelled", False, None)


def test_invalid_file_changes_nothing_and_reports_every_bad_row() -> None:
    run([fact_row(reference="KEEP")])
    before = list(AssignmentFact.objects.values())
    result = run([
        fact_row(reference="OK1"),
        fact_row(reference="B1", provider_org_number="123456789"),
        fact_row(reference="B2", date="2024-02-30"),
        fact_row(reference="B3", language="xx1", modality="fax"),
        fact_row(reference="B4", outcome="completed", duration_minutes=""),
        fact_row(reference="B5", interpreter_category="F", cost_nok="12.555"),
        fact_row(reference="B6", outcome="unfilled", duration_minutes="", cost_nok=""),
        fact_row(reference="B7", municipality="9999", duration_minutes="-5"),
        fact_row(reference="KEEP", provider_type="municipal"),
        fact_row(reference="OK1"),
        fact_row(reference="B9", date="2026-01-01"),
        fact_row(reference="", sector=""),
    ])
    assert not result.ok
    got = {(e.line, e.column, e.code) for e in result.errors}
    assert got == {
        (3, "provider_org_number", "invalid_org_number"),
        (4, "date", "invalid_date"),
        (5, "language", "unknown_language"),
        (5, "modality", "invalid_choice"),
        (6, "duration_minutes", "required"),
        (7, "interpreter_category", "invalid_choice"),
        (7, "cost_nok", "invalid_decimal"),
        (8, "interpreter_category", "category_without_interpreter"),
        (9, "municipality", "invalid_municipality"),
        (9, "duration_minutes", "invalid_integer"),
        (10, "provider_type", "inconsistent_provider_type"),
        (11, "reference", "duplicate_reference"),
        (12, "date", "future_date"),
        (13, "reference", "required"),
        (13, "sector", "required"),
    }
    assert result.error_count == len(result.errors) == 15
    assert [e.line for e in result.errors] == sorted(e.line for e in result.errors)
    assert list(AssignmentFact.objects.values()) == before
    assert StatsImport.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"provider_org_number,provider_type,reference\n", "invalid_header"),
        (",".join(imports.FACT_COLUMNS).encode() + b",extra\n", "invalid_header"),
        (",".join(imports.FACT_COLUMNS).encode() + b"\n", "empty_file"),
        (",".join(imports.FACT_COLUMNS).encode() + b"\n\xff\xfe,broken\n", "invalid_encoding"),
    ],
)
def test_broken_files_are_reported(content: bytes, code: str) -> None:
    import io

    result = assignments_import(stream=io.BytesIO(content), file_name="x.csv", today=TODAY)
    assert not result.ok
    assert result.errors[0].code == code
    assert AssignmentFact.objects.count() == 0


def test_rows_with_extra_fields_and_blank_lines_keep_line_numbers() -> None:
    import io

    good = csv_bytes([fact_row(reference="R1")]).getvalue()
    header, row = good.decode().splitlines()
    body = "\n".join([
        header, row,                       # line 2
        "",                                # line 3: blank, ignored
        row.replace("R1", "R2") + ",x",    # line 4: one field too many
        row.replace("R1", "R3"),           # line 5
        row.replace("R1", "R4").replace("ara", "zz9"),  # line 6
        "a,b,c",                           # line 7: too few fields, so values are missing
        "",
    ]).encode()
    result = assignments_import(stream=io.BytesIO(body), file_name="x.csv", today=TODAY)
    got = [(e.line, e.column, e.code) for e in result.errors]
    assert got[:3] == [(4, "", "field_count"), (6, "language", "unknown_language"),
                       (7, "provider_org_number", "invalid_org_number")]
    assert all(line == 7 for line, _c, _code in got[3:])
    assert result.rows == 5
    assert AssignmentFact.objects.count() == 0


def test_optional_columns_may_be_left_out_of_the_header() -> None:
    columns = tuple(c for c in imports.FACT_COLUMNS if c not in {"municipality", "cost_nok"})
    result = assignments_import(
        stream=csv_bytes([fact_row()], columns), file_name="x.csv", today=TODAY
    )
    assert result.ok, result.errors
    fact = AssignmentFact.objects.get()
    assert (fact.municipality, fact.county, fact.cost_nok) == ("", "", None)


def test_provider_type_must_match_the_register_of_organisations() -> None:
    factories.ProviderFactory(org_number=MUNICIPAL_ORG, provider_type="municipal")
    result = run([fact_row(provider_org_number=MUNICIPAL_ORG, provider_type="private")])
    assert [(e.line, e.code) for e in result.errors] == [(2, "provider_type_mismatch")]


def test_coordinator_imports_only_own_organisation() -> None:
    coordinator = factories.CoordinatorFactory(
        organisation=factories.ProviderFactory(org_number=MUNICIPAL_ORG)
    )
    result = run(
        [fact_row(provider_org_number=MUNICIPAL_ORG, provider_type="municipal"),
         fact_row(reference="R2", provider_org_number=PRIVATE_ORG)],
        user=coordinator,
    )
    assert [(e.line, e.code) for e in result.errors] == [(3, "other_provider")]
    ok = run([fact_row(provider_org_number=MUNICIPAL_ORG, provider_type="municipal")],
             user=coordinator)
    assert ok.ok
    assert StatsImport.objects.get().organisation == coordinator.organisation


def test_booker_may_not_import() -> None:
    from tolk.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        run([fact_row()], user=factories.BookerFactory())


def test_errors_are_counted_past_the_reporting_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_REPORTED_ERRORS", 3)
    result = run([fact_row(reference=f"R{i}", language="zz9") for i in range(7)])
    assert result.error_count == 7
    assert len(result.errors) == 3
    assert result.errors_truncated


def test_chunks_keep_line_numbers_and_find_duplicates_across_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 4)
    rows = [fact_row(reference=f"R{i}") for i in range(10)]
    rows[6] = fact_row(reference="R1")
    rows[9] = fact_row(reference="R9", language="qqq")
    result = run(rows)
    assert [(e.line, e.code) for e in result.errors] == [
        (8, "duplicate_reference"), (11, "unknown_language"),
    ]
    ok = run([fact_row(reference=f"R{i}") for i in range(10)])
    assert ok.ok and ok.added == 10


def test_key_already_stored_in_a_later_chunk_is_replaced_not_added(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 4)
    assert run([fact_row(reference=f"R{i}") for i in range(4)]).added == 4
    # The first chunk is all new; the second repeats R2 with a new value.
    rows = [fact_row(reference=f"N{i}") for i in range(7)] + [fact_row(reference="R2",
                                                                       language="tir")]
    result = run(rows)
    assert result.ok, result.errors
    assert (result.added, result.changed, result.unchanged) == (7, 1, 0)
    assert AssignmentFact.objects.count() == 11
    assert AssignmentFact.objects.get(reference="R2").language == "tir"


@pytest.mark.parametrize("stored", [False, True])
def test_broken_bytes_after_chunks_were_loaded_import_nothing(
    monkeypatch: pytest.MonkeyPatch, stored: bool
) -> None:
    import io

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2000)
    if stored:  # a key already stored: the file goes through the staging table
        assert run([fact_row(reference="R0")]).ok
    # Far enough into the file that several chunks were read (and loaded) before the bad bytes.
    good = csv_bytes([fact_row(reference=f"R{i}") for i in range(20_000)]).getvalue()
    result = assignments_import(stream=io.BytesIO(good + b"\xff\xfe,broken\n"),
                                file_name="x.csv", today=TODAY)
    assert not result.ok
    assert [e.code for e in result.errors] == ["invalid_encoding"]
    assert result.errors[0].line > 4000
    assert AssignmentFact.objects.count() == (1 if stored else 0)


# --- reading the file (tolk.csvimport, shared with the register file) ---------------------------


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_a_file_saved_by_excel_with_a_byte_order_mark_imports(ending: str) -> None:
    import io

    text = csv_bytes([fact_row(reference="R1"), fact_row(reference="R2")]).getvalue().decode()
    data = b"\xef\xbb\xbf" + text.replace("\n", ending).encode()
    result = assignments_import(stream=io.BytesIO(data), file_name="x.csv", today=TODAY)
    assert result.ok, result.errors
    assert AssignmentFact.objects.count() == 2


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_lines_are_counted_with_blank_lines_whatever_the_line_ending(ending: str) -> None:
    import io

    lines = csv_bytes([fact_row(reference="R1"), fact_row(reference="R2", modality="boat")])
    head, first, second = lines.getvalue().decode().splitlines()
    data = ending.join([head, first, "", second]) + ending
    result = assignments_import(stream=io.BytesIO(data.encode()), file_name="x.csv", today=TODAY)
    found = [(e.line, e.column, e.code) for e in result.errors]
    assert found == [(4, "modality", "invalid_choice")]


def test_header_problems_and_a_utf16_file_are_named_in_their_reasons() -> None:
    import io

    from django.utils import translation

    header = ",".join(imports.FACT_COLUMNS).replace("sector", "sektor") + ",reference\n"
    with translation.override("en"):
        result = assignments_import(stream=io.BytesIO(header.encode()), file_name="x.csv",
                                    today=TODAY)
        (error,) = result.errors
        assert (error.line, error.code) == (1, "invalid_header")
        assert "Missing: sector." in error.reason and "Unknown: sektor." in error.reason
        assert "Repeated: reference." in error.reason
        utf16 = csv_bytes([fact_row()]).getvalue().decode().encode("utf-16")
        result = assignments_import(stream=io.BytesIO(utf16), file_name="x.csv", today=TODAY)
    assert [e.code for e in result.errors] == ["invalid_encoding"]
    assert "UTF-16" in result.errors[0].reason
    assert not AssignmentFact.objects.exists()
