from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from stats.models import AssignmentFact
from tests.stats.helpers import csv_bytes, fact_row

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "levering.csv"
    path.write_bytes(csv_bytes(rows).getvalue())
    return path


def test_import_assignments(tmp_path: Path) -> None:
    path = write(tmp_path, [fact_row(reference="1", date="2023-05-05"),
                            fact_row(reference="2", date="2023-05-06")])
    out, err = io.StringIO(), io.StringIO()
    call_command("import_assignments", str(path), "--json", stdout=out, stderr=err)
    assert json.loads(out.getvalue())["added"] == 2
    assert "2 rows, 2 added" in err.getvalue()
    assert AssignmentFact.objects.count() == 2


def test_import_assignments_reports_lines_and_fails(tmp_path: Path) -> None:
    path = write(tmp_path, [fact_row(reference="1", date="2023-05-05"),
                            fact_row(reference="2", date="05.05.2023")])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_assignments", str(path), stderr=err)
    assert f"{path}: line 3, column date:" in err.getvalue()
    assert "[invalid_date]" in err.getvalue()
    assert AssignmentFact.objects.count() == 0


def test_import_assignments_missing_file() -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_assignments", "/nonexistent.csv")


def test_need_report_json_to_stdout(tail: None) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("need_report", "--year", "2024", stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert report["totals"]["requests"] == 132
    assert report["suppression"]["applied"] is True
    assert "need report 2024: 132 requests" in err.getvalue()


def test_need_report_unsuppressed_and_filtered(facts: None) -> None:
    out = io.StringIO()
    call_command("need_report", "--year", "2024", "--unsuppressed", "--provider-type",
                 "private", stdout=out, stderr=io.StringIO())
    report = json.loads(out.getvalue())
    assert report["totals"]["requests"] == 17
    assert report["suppression"]["applied"] is False


def test_need_report_csv_and_xlsx_files(tail: None, tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    call_command("need_report", "--year", "2024", "--format", "csv", "--output", str(target),
                 stderr=io.StringIO())
    lines = list(csv.DictReader(target.open(encoding="utf-8")))
    assert lines[0]["table"] == "totals" and abs(int(lines[0]["requests"]) - 132) <= 2
    assert lines[0]["protection"] == "cell_key"
    book = tmp_path / "r.xlsx"
    call_command("need_report", "--year", "2024", "--format", "xlsx", "--output", str(book),
                 stderr=io.StringIO())
    assert load_workbook(book, read_only=True).sheetnames[0]


def test_need_report_csv_for_norwegian_excel(tail: None, tmp_path: Path) -> None:
    import pandas as pd

    target = tmp_path / "r.csv"
    call_command("need_report", "--year", "2024", "--format", "csv-excel", "--output",
                 str(target), stderr=io.StringIO())
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfyear;table;") and b"\r\n" in raw
    assert b"\r\r\n" not in raw
    lines = list(csv.DictReader(target.open(encoding="utf-8-sig", newline=""), delimiter=";"))
    assert lines[0]["table"] == "totals" and lines[0]["requests"] == "132"
    frame = pd.read_csv(target, sep=";", decimal=",", encoding="utf-8-sig")
    assert frame.loc[0, "requests"] == 132


def test_need_report_errors() -> None:
    with pytest.raises(CommandError, match="--output"):
        call_command("need_report", "--year", "2024", "--format", "xlsx")
    with pytest.raises(CommandError, match="year"):
        call_command("need_report", "--year", "1800")
