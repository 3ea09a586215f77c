"""The need report as downloads: a tidy CSV (one line per table row) and an XLSX workbook (one sheet
per table). Both are built from the report dictionary, so they publish exactly what the JSON
publishes (the same protected figures). The CSV's last column `protection` names the method
(`cell_key`, or `none` for the exact figures); every sheet of the workbook ends with a note on it.
A withheld value (none in the cell key method) is empty in the CSV and ':' in the workbook.

The CSV comes in two dialects with the same columns and rows:

- `csv`, for programs: UTF-8 without a byte order mark, comma-separated, decimal point, `\n`.
  Unchanged, since a byte order mark would become part of the first column's name for readers
  that do not expect one (Python's `csv` with `utf-8`, Go, R's `read.csv`).
- `csv-excel`, for spreadsheets with Norwegian settings: UTF-8 with a byte order mark (so Excel
  reads æ, ø and å), semicolon-separated and with a decimal comma (Norwegian Excel's list
  separator and decimal sign: a comma-separated file lands in one column, and 0.25 would be
  read as text or a date), `\r\n`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from stats.report import CAPACITY_LEVELS

TABLES = ("by_language", "by_provider_type", "by_modality", "by_sector", "by_county",
          "by_category")
ROW_COLUMNS = ("requests", "assignments", "share", "cumulative_share", "qualified_share",
               "unfilled", "cancelled", "hours", "cost_nok")
LANGUAGE_COLUMNS = ("qualified_interpreters", "need", "shortage_share")
COVERAGE_COLUMNS = tuple(
    f"{measure}_{level}" for level in CAPACITY_LEVELS
    for measure in ("coverage", "uncovered", "interpreters_needed")
)
CHANGE_COLUMNS = ("change_requests", "change_assignments")
CSV_COLUMNS = ("year", "table", "key", "name", *ROW_COLUMNS, *LANGUAGE_COLUMNS,
               *COVERAGE_COLUMNS, *CHANGE_COLUMNS, "suppressed", "protection")
SHARES = {"share", "cumulative_share", "qualified_share", "shortage_share",
          *(f"coverage_{level}" for level in CAPACITY_LEVELS)}
SUPPRESSED_MARK = ":"


def filename(year: int, extension: str) -> str:
    return f"tolk-need-report-{year}.{extension}"


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    flat = dict(row)
    for level, measures in (row.get("coverage") or {}).items():
        for measure in ("coverage", "uncovered", "interpreters_needed"):
            flat[f"{measure}_{level}"] = measures[measure]
    change = row.get("change") or {}
    for cell in ("requests", "assignments"):
        flat[f"change_{cell}"] = (change.get(cell) or {}).get("absolute")
    return flat


def _rows(report: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    totals = dict(report["totals"])
    totals.update({"key": "total", "name": _("All"), "share": 1.0 if totals["assignments"]
                   else None})
    yield "totals", _flat(totals)
    for table in TABLES:
        for row in report[table]:
            yield table, _flat(row)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


CSV_FORMATS = ("csv", "csv-excel")
BOM = "\ufeff"


def _excel_value(value: Any) -> Any:
    value = _csv_value(value)
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return value


def report_csv(report: dict[str, Any], *, dialect: str = "csv") -> str:
    """The report as CSV text: `dialect` "csv" (programs) or "csv-excel" (Norwegian Excel)."""
    if dialect not in CSV_FORMATS:
        raise ValueError(f"unknown CSV dialect {dialect!r}")
    excel = dialect == "csv-excel"
    out = io.StringIO()
    if excel:
        out.write(BOM)
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    else:
        writer = csv.writer(out, lineterminator="\n")
    value = _excel_value if excel else _csv_value
    writer.writerow(CSV_COLUMNS)
    method = (report.get("protection") or {}).get("method", "none")
    for table, row in _rows(report):
        row = {**row, "year": report["year"], "table": table, "protection": method}
        writer.writerow([value(row.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


def _labels() -> dict[str, str]:
    return {
        "key": _("Code"), "name": _("Name"), "requests": _("Requests"),
        "assignments": _("Assignments"), "share": _("Share"),
        "cumulative_share": _("Cumulative share"), "qualified_share": _("Qualified share"),
        "unfilled": _("Unfilled"), "cancelled": _("Cancelled"), "hours": _("Hours"),
        "cost_nok": _("Cost (NOK)"), "qualified_interpreters": _("Qualified interpreters"),
        "need": _("Need"), "shortage_share": _("Shortage share"),
        "change_requests": _("Change in requests"),
        "change_assignments": _("Change in assignments"), "suppressed": _("Suppressed"),
        **{
            f"{measure}_{level}": label % {"level": level_label}
            for level, level_label in (("low", _("low")), ("medium", _("medium")),
                                       ("high", _("high")))
            for measure, label in (
                ("coverage", _("Coverage (%(level)s)")),
                ("uncovered", _("Uncovered (%(level)s)")),
                ("interpreters_needed", _("Interpreters needed (%(level)s)")),
            )
        },
    }


def _sheet_titles() -> dict[str, str]:
    return {
        "totals": _("Totals"), "by_language": _("By language"),
        "by_provider_type": _("By provider type"), "by_modality": _("By modality"),
        "by_sector": _("By sector"), "by_county": _("By county"),
        "by_category": _("By category"),
    }


def _cell(sheet: WriteOnlyWorksheet, value: Any, column: str, *, bold: bool = False) -> Any:
    if value is None and column not in {"key", "name"}:
        value = SUPPRESSED_MARK
    elif isinstance(value, bool):
        value = _("yes") if value else _("no")
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    if column in SHARES and isinstance(value, float):
        cell.number_format = "0.0%"
    elif column == "cost_nok" and isinstance(value, float):
        cell.number_format = "#,##0.00"
    return cell


def protection_note(report: dict[str, Any]) -> str:
    """One sentence on how the figures are protected ("" for the exact figures)."""
    protection = report.get("protection") or {}
    if protection.get("method") != "cell_key":
        return ""
    return _(
        "Protected with the cell key method: counts under %(threshold)s are shown as 0 (a "
        "count of %(threshold)s sometimes too), other counts are changed by at most "
        "%(perturbation)s, hours and cost slightly. Totals may differ slightly from the sum "
        "of the rows and from the exact figures."
    ) % {"perturbation": protection.get("max_perturbation"),
         "threshold": (protection.get("small_counts") or [0, 0])[1] + 1}


def report_xlsx(report: dict[str, Any]) -> bytes:
    workbook = Workbook(write_only=True)
    labels = _labels()
    titles = _sheet_titles()
    rows_by_table: dict[str, list[dict[str, Any]]] = {}
    for table, row in _rows(report):
        rows_by_table.setdefault(table, []).append(row)
    for table in ("totals", *TABLES):
        sheet = workbook.create_sheet(title=titles[table][:31])
        columns = ["key", "name", *ROW_COLUMNS, "suppressed"]
        if table == "by_language":
            columns = ["key", "name", *ROW_COLUMNS, *LANGUAGE_COLUMNS, *COVERAGE_COLUMNS,
                       *CHANGE_COLUMNS, "suppressed"]
        if table == "totals":
            columns.remove("cumulative_share")
        sheet.append([_cell(sheet, _("Need report %(year)s") % {"year": report["year"]}, "name",
                            bold=True)])
        filters = report.get("filters") or {}
        if filters:
            sheet.append([_cell(sheet, _("Filters") + ": " + ", ".join(
                f"{k}={v}" for k, v in sorted(filters.items())), "name")])
        sheet.append([_cell(sheet, labels.get(c, c), "name", bold=True) for c in columns])
        for row in rows_by_table.get(table, []):
            sheet.append([_cell(sheet, row.get(c), c) for c in columns])
        if table == "totals":
            sheet.append([])
            sheet.append([_cell(sheet, _("Top ten languages' share"), "name"),
                          _cell(sheet, report.get("top10_share"), "share")])
        note = protection_note(report)
        if note:
            sheet.append([])
            sheet.append([_cell(sheet, note, "name")])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
