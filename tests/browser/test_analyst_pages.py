"""The analyst in a browser: a provider file with errors is refused row by row, a good one is
imported, the need report shows figures and charts, and both downloads arrive with their names."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from tests.browser.conftest import Pages, check_page

HEADER = (
    "provider_org_number,provider_type,reference,date,language,modality,sector,municipality,"
    "interpreter_category,outcome,duration_minutes,cost_nok"
)
# Nordisk Tolkeformidling AS in the demo data: a private provider.
PROVIDER = "920039596,private"


def _provider_file(tmp: Path, year: int) -> Path:
    rows = [HEADER]
    languages = ["ara"] * 6 + ["tir"] * 3 + ["som"] * 2 + ["ukr"] * 4 + ["pol"]
    for previous in (year - 1, year):
        for i in range(160 if previous == year else 120):
            language = languages[i % len(languages)]
            outcome = "unfilled" if i % 11 == 0 else "completed"
            done = outcome == "completed"
            rows.append(
                f"{PROVIDER},browser-{previous}-{i},{previous}-{1 + i % 12:02d}-{1 + i % 27:02d},"
                f"{language},{['onsite', 'video', 'phone'][i % 3]},"
                f"{['health', 'welfare', 'child_welfare'][i % 3]},0301,"
                f"{'ABCDE'[i % 5] if done and i % 4 else ''},{outcome},"
                f"{60 if done else ''},{'1200.00' if done else ''}"
            )
    path = tmp / "leverandor.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _smallest_chart_text_px(page: Any) -> float:
    """The smallest chart text as drawn on the screen, in CSS pixels."""
    return float(page.evaluate("""() => Math.min(...Array.from(
        document.querySelectorAll('figure.chart svg text')).map((text) => {
            const size = parseFloat(getComputedStyle(text).fontSize);
            return size * text.ownerSVGElement.getScreenCTM().a;
        }))"""))


def test_provider_file_report_and_downloads(pages: Pages, tmp_path: Path) -> None:
    year = dt.datetime.now(tz=dt.UTC).year - 1
    analyst = pages.login("analyst")
    analyst.goto(pages.base + "/statistics/import/")

    bad = tmp_path / "feil.csv"
    bad.write_text(
        HEADER + f"\n{PROVIDER},b-1,{year}-13-01,ara,onsite,health,0301,,completed,60,100.00"
        f"\n{PROVIDER},b-2,{year}-02-01,xxx,boat,health,0301,,completed,60,100.00\n",
        encoding="utf-8",
    )
    analyst.get_by_label("Leverandørfil (CSV)").set_input_files(str(bad))
    analyst.get_by_role("button", name="Importer").click()
    assert analyst.get_by_role("alert").filter(has_text="Ingenting ble importert").is_visible()
    problems = analyst.locator("table").first.inner_text()
    assert "date" in problems and "language" in problems and "modality" in problems
    check_page(analyst, "analyst-import-errors")

    analyst.get_by_label("Leverandørfil (CSV)").set_input_files(str(_provider_file(tmp_path, year)))
    analyst.get_by_role("button", name="Importer").click()
    assert analyst.get_by_text("Filen er importert.").is_visible()
    check_page(analyst, "analyst-import-ok")

    # The page opens on the last complete year, not on the one just begun.
    analyst.goto(f"{pages.base}/statistics/")
    assert analyst.get_by_role("heading", name=f"Tolkebehov {year}").is_visible()
    assert "fra i fjor" in analyst.locator(".figures").inner_text()
    assert analyst.locator("figure.chart svg").count() == 5
    assert _smallest_chart_text_px(analyst) >= 12
    # Languages without published requests wait behind a closed disclosure.
    more = analyst.locator("details[data-other-languages]")
    assert more.count() == 1 and more.get_attribute("open") is None
    assert not more.locator("table").is_visible()
    more.locator("summary").click()
    assert more.locator("table").is_visible()
    more.locator("summary").click()
    assert analyst.get_by_text("Slik leses de sammen").is_visible()
    check_page(analyst, "analyst-need-report")

    with analyst.expect_download() as csv_download:
        analyst.get_by_role("link", name="Last ned CSV", exact=True).click()
    assert csv_download.value.suggested_filename == f"tolk-need-report-{year}.csv"
    csv_path = tmp_path / "report.csv"
    csv_download.value.save_as(csv_path)
    assert csv_path.read_text(encoding="utf-8").startswith("year,table,")

    with analyst.expect_download() as excel_csv_download:
        analyst.get_by_role("link", name="Last ned CSV for Excel").click()
    assert excel_csv_download.value.suggested_filename == f"tolk-need-report-{year}.csv"
    excel_csv_path = tmp_path / "report-excel.csv"
    excel_csv_download.value.save_as(excel_csv_path)
    rows = list(csv.DictReader(excel_csv_path.open(encoding="utf-8-sig", newline=""),
                               delimiter=";"))
    assert excel_csv_path.read_bytes().startswith(b"\xef\xbb\xbfyear;")
    assert any(row["key"] == "ara" for row in rows)

    with analyst.expect_download() as xlsx_download:
        analyst.get_by_role("link", name="Last ned Excel (XLSX)").click()
    assert xlsx_download.value.suggested_filename == f"tolk-need-report-{year}.xlsx"
    xlsx_path = tmp_path / "report.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    assert xlsx_path.read_bytes()[:2] == b"PK"

    # The report filtered to phone interpreting, on a phone.
    phone = pages.login("analyst", phone=True)
    phone.goto(f"{pages.base}/statistics/?year={year}&modality=phone")
    assert phone.get_by_role("heading", name=f"Tolkebehov {year}").is_visible()
    assert _smallest_chart_text_px(phone) >= 12
    check_page(phone, "analyst-need-report-phone")
