"""The need report against a small data set whose every figure is worked out by hand below."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stats.selectors import need_report
from stats.services.imports import assignments_import
from tests import factories
from tests.stats.helpers import MUNICIPAL_ORG, PRIVATE_ORG, STATE_ORG, csv_bytes, fact_row

pytestmark = pytest.mark.django_db

IN_HOUSE_ORG = "983974899"


def rows(n: int, prefix: str, **values: Any) -> list[dict[str, str]]:
    return [fact_row(reference=f"{prefix}{i}", **values) for i in range(n)]


PRIVATE = {"provider_org_number": PRIVATE_ORG, "provider_type": "private"}
MUNICIPAL = {"provider_org_number": MUNICIPAL_ORG, "provider_type": "municipal"}
STATE = {"provider_org_number": STATE_ORG, "provider_type": "state"}
IN_HOUSE = {"provider_org_number": IN_HOUSE_ORG, "provider_type": "in_house"}
NOT_DONE = {"interpreter_category": "", "duration_minutes": ""}

# 2024, by hand:
#   ara: 10 completed, qualified (A), private, phone, health, Oslo, 60 min, 1000 NOK
#         4 completed, not qualified, private, on-site, welfare, Bergen, 90 min, 1500 NOK
#         2 unfilled, municipal, video, health, Oslo, no cost
#         1 cancelled, municipal, on-site, child welfare, Oslo, 500 NOK (late cancellation)
#   tir:  6 completed, qualified (B), state, video, justice, Trondheim, 30 min, 800 NOK
#         3 completed, not qualified, private, phone, health, no municipality, 40 min, 700 NOK
#   som:  2 completed, qualified (A), in-house, on-site, health, Oslo, 60 min, 1000 NOK
YEAR_2024 = [
    *rows(10, "ara-q-", date="2024-02-01", language="ara", **PRIVATE, modality="phone",
          sector="health", municipality="0301", interpreter_category="A",
          duration_minutes=60, cost_nok="1000"),
    *rows(4, "ara-u-", date="2024-03-01", language="ara", **PRIVATE, modality="onsite",
          sector="welfare", municipality="4601", interpreter_category="",
          duration_minutes=90, cost_nok="1500.00"),
    *rows(2, "ara-f-", date="2024-04-01", language="ara", **MUNICIPAL, modality="video",
          sector="health", municipality="0301", outcome="unfilled", cost_nok="", **NOT_DONE),
    *rows(1, "ara-c-", date="2024-12-31", language="ara", **MUNICIPAL, modality="onsite",
          sector="child_welfare", municipality="0301", outcome="cancelled", cost_nok="500",
          **NOT_DONE),
    *rows(6, "tir-q-", date="2024-05-01", language="tir", **STATE, modality="video",
          sector="justice", municipality="5001", interpreter_category="B",
          duration_minutes=30, cost_nok="800"),
    *rows(3, "tir-u-", date="2024-06-01", language="tir", **PRIVATE, modality="phone",
          sector="health", municipality="", interpreter_category="", duration_minutes=40,
          cost_nok="700"),
    *rows(2, "som-q-", date="2024-01-01", language="som", **IN_HOUSE, modality="onsite",
          sector="health", municipality="0301", interpreter_category="A",
          duration_minutes=60, cost_nok="1000"),
]
# 2023: ara 5 completed qualified, tir 5 completed not qualified; 60 min and 1000 NOK each.
YEAR_2023 = [
    *rows(5, "p-ara-", date="2023-06-01", language="ara", **PRIVATE),
    *rows(5, "p-tir-", date="2023-12-31", language="tir", **PRIVATE, interpreter_category=""),
]
# 2025 (must not leak into 2024): one request.
YEAR_2025 = [fact_row(reference="next", date="2025-01-01", **PRIVATE)]


@pytest.fixture
def facts(settings: Any) -> None:
    settings.TOLK_COVERAGE_CAPACITY = {"low": 2, "medium": 5, "high": 10}
    result = assignments_import(
        stream=csv_bytes([*YEAR_2024, *YEAR_2023, *YEAR_2025]), file_name="year.csv",
        today=dt.date(2025, 6, 1),
    )
    assert result.ok, result.errors[:5]
    # Register: ara counts I1, I2 and I5 (3); tir I1 (1); som nobody.
    i1 = factories.QualificationFactory(language="ara", valid_from=dt.date(2020, 1, 1)).interpreter
    factories.QualificationFactory(interpreter=i1, language="tir", category="B",
                                   valid_from=dt.date(2019, 1, 1))
    factories.QualificationFactory(language="ara", valid_from=dt.date(2024, 6, 1))  # I2
    factories.QualificationFactory(language="ara", valid_from=dt.date(2010, 1, 1),
                                   valid_to=dt.date(2023, 12, 31))  # I3: ended before 2024
    i4 = factories.QualificationFactory(language="ara").interpreter  # I4: suspended all 2024
    factories.StatusEventFactory(interpreter=i4, valid_from=dt.date(2023, 1, 1), valid_to=None)
    i5 = factories.QualificationFactory(language="ara").interpreter  # I5: suspended in March
    factories.StatusEventFactory(interpreter=i5, valid_from=dt.date(2024, 3, 1),
                                 valid_to=dt.date(2024, 4, 1))


def by_key(table: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in table}


CELLS = ("requests", "assignments", "share", "qualified_share", "unfilled", "cancelled",
         "hours", "cost_nok")


def cells(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in CELLS)


def test_totals_and_change(facts: None) -> None:
    report = need_report(year=2024, suppress=False)
    assert report["year"] == 2024
    totals = report["totals"]
    assert {k: totals[k] for k in ("requests", "assignments", "unfilled", "cancelled", "hours",
                                   "cost_nok", "qualified_share", "language_count")} == {
        "requests": 28, "assignments": 25, "unfilled": 2, "cancelled": 1, "hours": 23.0,
        "cost_nok": 25400.0, "qualified_share": 0.72, "language_count": 3,
    }
    assert totals["change"] == {
        "requests": {"previous": 10, "absolute": 18, "relative": 1.8},
        "assignments": {"previous": 10, "absolute": 15, "relative": 1.5},
        "unfilled": {"previous": 0, "absolute": 2, "relative": None},
        "cancelled": {"previous": 0, "absolute": 1, "relative": None},
        "hours": {"previous": 10.0, "absolute": 13.0, "relative": 1.3},
        "cost_nok": {"previous": 10000.0, "absolute": 15400.0, "relative": 1.54},
        "qualified_share": {"previous": 0.5, "absolute": 0.22, "relative": 0.44},
        "language_count": {"previous": 2, "absolute": 1, "relative": 0.5},
    }
    assert report["top10_share"] == 1.0


def test_by_language(facts: None) -> None:
    report = need_report(year=2024, suppress=False)
    table = report["by_language"]
    assert [row["key"] for row in table] == ["ara", "tir", "som"]
    ara, tir, som = table
    assert cells(ara) == (17, 14, 0.56, 0.7143, 2, 1, 16.0, 16500.0)
    assert cells(tir) == (9, 9, 0.36, 0.6667, 0, 0, 5.0, 6900.0)
    assert cells(som) == (2, 2, 0.08, 1.0, 0, 0, 2.0, 2000.0)
    assert [row["cumulative_share"] for row in table] == [0.56, 0.92, 1.0]
    assert [row["qualified_interpreters"] for row in table] == [3, 1, 0]
    assert [row["need"] for row in table] == [16, 9, 2]
    assert [row["shortage_share"] for row in table] == [0.3529, 0.3333, 0.0]
    assert ara["coverage"] == {
        "low": {"capacity": 2, "coverage": 0.375, "uncovered": 10, "interpreters_needed": 5},
        "medium": {"capacity": 5, "coverage": 0.9375, "uncovered": 1, "interpreters_needed": 1},
        "high": {"capacity": 10, "coverage": 1.0, "uncovered": 0, "interpreters_needed": 0},
    }
    assert tir["coverage"] == {
        "low": {"capacity": 2, "coverage": 0.2222, "uncovered": 7, "interpreters_needed": 4},
        "medium": {"capacity": 5, "coverage": 0.5556, "uncovered": 4, "interpreters_needed": 1},
        "high": {"capacity": 10, "coverage": 1.0, "uncovered": 0, "interpreters_needed": 0},
    }
    assert som["coverage"]["medium"] == {
        "capacity": 5, "coverage": 0.0, "uncovered": 2, "interpreters_needed": 1,
    }
    assert ara["change"] == {
        "requests": {"previous": 5, "absolute": 12, "relative": 2.4},
        "assignments": {"previous": 5, "absolute": 9, "relative": 1.8},
        "share": {"previous": 0.5, "absolute": 0.06, "relative": 0.12},
        "qualified_share": {"previous": 1.0, "absolute": -0.2857, "relative": -0.2857},
        "unfilled": {"previous": 0, "absolute": 2, "relative": None},
    }
    assert tir["change"]["share"] == {"previous": 0.5, "absolute": -0.14, "relative": -0.28}
    assert tir["change"]["qualified_share"] == {
        "previous": 0.0, "absolute": 0.6667, "relative": None,
    }
    assert som["change"] is None
    assert ara["name"] and ara["name"] != "ara"
    assert all(row["suppressed"] is False for row in table)


def test_by_provider_type(facts: None) -> None:
    table = need_report(year=2024, suppress=False)["by_provider_type"]
    assert [row["key"] for row in table] == ["private", "municipal", "state", "in_house"]
    got = by_key(table)
    assert cells(got["private"]) == (17, 17, 0.68, 0.5882, 0, 0, 18.0, 18100.0)
    assert cells(got["municipal"]) == (3, 0, 0.0, None, 2, 1, 0.0, 500.0)
    assert cells(got["state"]) == (6, 6, 0.24, 1.0, 0, 0, 3.0, 4800.0)
    assert cells(got["in_house"]) == (2, 2, 0.08, 1.0, 0, 0, 2.0, 2000.0)


def test_by_modality(facts: None) -> None:
    table = need_report(year=2024, suppress=False)["by_modality"]
    assert [row["key"] for row in table] == ["onsite", "video", "phone"]
    got = by_key(table)
    assert cells(got["onsite"]) == (7, 6, 0.24, 0.3333, 0, 1, 8.0, 8500.0)
    assert cells(got["video"]) == (8, 6, 0.24, 1.0, 2, 0, 3.0, 4800.0)
    assert cells(got["phone"]) == (13, 13, 0.52, 0.7692, 0, 0, 12.0, 12100.0)


def test_by_sector(facts: None) -> None:
    table = need_report(year=2024, suppress=False)["by_sector"]
    assert [row["key"] for row in table] == [
        "health", "welfare", "child_welfare", "education", "justice", "immigration", "other",
    ]
    got = by_key(table)
    assert cells(got["health"]) == (17, 15, 0.6, 0.8, 2, 0, 14.0, 14100.0)
    assert cells(got["welfare"]) == (4, 4, 0.16, 0.0, 0, 0, 6.0, 6000.0)
    assert cells(got["child_welfare"]) == (1, 0, 0.0, None, 0, 1, 0.0, 500.0)
    assert cells(got["justice"]) == (6, 6, 0.24, 1.0, 0, 0, 3.0, 4800.0)
    assert cells(got["education"]) == (0, 0, 0.0, None, 0, 0, 0.0, 0.0)


def test_by_county(facts: None) -> None:
    table = need_report(year=2024, suppress=False)["by_county"]
    got = by_key(table)
    assert table[-1]["key"] == "unknown"
    assert cells(got["03"]) == (15, 12, 0.48, 1.0, 2, 1, 12.0, 12500.0)
    assert cells(got["46"]) == (4, 4, 0.16, 0.0, 0, 0, 6.0, 6000.0)
    assert cells(got["50"]) == (6, 6, 0.24, 1.0, 0, 0, 3.0, 4800.0)
    assert cells(got["unknown"]) == (3, 3, 0.12, 0.0, 0, 0, 2.0, 2100.0)
    assert got["03"]["name"] == "Oslo"
    assert sum(row["requests"] for row in table) == 28


def test_by_category(facts: None) -> None:
    table = need_report(year=2024, suppress=False)["by_category"]
    assert [row["key"] for row in table] == ["A", "B", "C", "D", "E", "none"]
    got = by_key(table)
    assert cells(got["A"]) == (12, 12, 0.48, 1.0, 0, 0, 12.0, 12000.0)
    assert cells(got["B"]) == (6, 6, 0.24, 1.0, 0, 0, 3.0, 4800.0)
    assert cells(got["C"]) == (0, 0, 0.0, None, 0, 0, 0.0, 0.0)
    assert cells(got["none"]) == (10, 7, 0.28, 0.0, 2, 1, 8.0, 8600.0)


def test_filters_narrow_both_years(facts: None) -> None:
    report = need_report(year=2024, filters={"provider_type": "private"}, suppress=False)
    totals = report["totals"]
    assert (totals["requests"], totals["assignments"], totals["cost_nok"]) == (17, 17, 18100.0)
    # 2023 was all private: the change is against the same filter.
    assert totals["change"]["requests"] == {"previous": 10, "absolute": 7, "relative": 0.7}
    assert report["filters"] == {"provider_type": "private"}
    county = need_report(year=2024, filters={"county": "03", "sector": "health"}, suppress=False)
    assert county["totals"]["requests"] == 14  # ara 10 + 2 unfilled, som 2
    modality = need_report(year=2024, filters={"modality": "video"}, suppress=False)
    assert modality["totals"]["requests"] == 8


def test_year_without_previous_year_has_no_change(facts: None) -> None:
    report = need_report(year=2023, suppress=False)
    assert report["totals"]["change"] is None
    assert all(row["change"] is None for row in report["by_language"])


def test_empty_year() -> None:
    report = need_report(year=2010)
    assert report["totals"]["requests"] == 0
    assert report["by_language"] == []
    assert report["top10_share"] is None
    assert [row["requests"] for row in report["by_modality"]] == [0, 0, 0]
