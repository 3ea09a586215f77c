"""The provider-file import stores languages as the language table's codes, so the need report
counts a language once and finds the register's interpreters for it."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from booking.register.services import REGISTER_COLUMNS, register_import
from stats.models import AssignmentFact
from stats.selectors import need_report
from tests.stats.helpers import fact_row
from tests.stats.test_services_imports import run

pytestmark = pytest.mark.django_db


def test_codes_are_mapped_to_the_table_codes() -> None:
    result = run([
        fact_row(reference="R1", language="fas"),
        fact_row(reference="R2", language="per"),
        fact_row(reference="R3", language="fa"),
        fact_row(reference="R4", language="pes"),
        fact_row(reference="R5", language="zho"),
        fact_row(reference="R6", language="arb"),
        fact_row(reference="R7", language="FUF"),
    ])
    assert result.ok, result.errors
    assert dict(AssignmentFact.objects.values_list("reference", "language")) == {
        "R1": "pes", "R2": "pes", "R3": "pes", "R4": "pes", "R5": "cmn", "R6": "ara",
        "R7": "ful",
    }
    again = run([fact_row(reference="R1", language="pes"),
                 fact_row(reference="R5", language="cmn")])
    assert again.ok and (again.added, again.changed, again.unchanged) == (0, 0, 2)


def test_unmappable_codes_are_row_errors() -> None:
    result = run([
        fact_row(reference="R1"),
        fact_row(reference="R2", language="kur"),
        fact_row(reference="R3", language="aka"),
        fact_row(reference="R4", language="zz"),
        fact_row(reference="R5", language="kur"),
    ])
    assert not result.ok
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (3, "language", "ambiguous_language"),
        (4, "language", "ambiguous_language"),
        (5, "language", "unknown_language"),
        (6, "language", "ambiguous_language"),
    ]
    assert "ckb, kmr, sdh" in result.errors[0].reason
    assert "fat, twi" in result.errors[1].reason
    assert AssignmentFact.objects.count() == 0


def test_need_report_counts_register_interpreters_under_the_same_code() -> None:
    header = ",".join(REGISTER_COLUMNS)
    register_rows = [
        f"T-{n},Shirin,Karimi,female,0301,full_time,phone,,,{code},B,2020-01-01,,active,"
        for n, code in ((1, "fas"), (2, "per"), (3, "prs"))
    ]
    text = "\n".join([header, *register_rows]) + "\n"
    registered = register_import(stream=io.StringIO(text), file_name="reg.csv",
                                 today=dt.date(2024, 1, 1))
    assert registered.ok, registered.errors
    rows = [fact_row(reference=f"P{i}", language=("fas", "pes", "per")[i % 3]) for i in range(12)]
    assert run(rows).ok
    report = need_report(year=2024, suppress=False)
    by_code = {row["key"]: row for row in report["by_language"]}
    persian = by_code["pes"]
    assert persian["assignments"] == 12
    assert persian["qualified_interpreters"] == 2
    assert persian["coverage"]["low"]["coverage"] > 0
    assert "fas" not in by_code and "per" not in by_code
