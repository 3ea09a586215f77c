"""The need report against a small data set whose every figure is worked out by hand below."""

from __future__ import annotations

from typing import Any

import pytest

from stats.selectors import need_report

pytestmark = pytest.mark.django_db

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
    # Of the need (assignments + unfilled), the share not met by a qualified interpreter.
    assert [row["shortage_share"] for row in table] == [0.375, 0.3333, 0.0]
    # Coverage is never below what qualified interpreters did meet: 10 of Arabic's 16.
    assert ara["coverage"] == {
        "low": {"capacity": 2, "coverage": 0.625, "uncovered": 6, "interpreters_needed": 3},
        "medium": {"capacity": 5, "coverage": 0.9375, "uncovered": 1, "interpreters_needed": 1},
        "high": {"capacity": 10, "coverage": 1.0, "uncovered": 0, "interpreters_needed": 0},
    }
    assert tir["coverage"] == {
        "low": {"capacity": 2, "coverage": 0.6667, "uncovered": 3, "interpreters_needed": 2},
        "medium": {"capacity": 5, "coverage": 0.6667, "uncovered": 3, "interpreters_needed": 1},
        "high": {"capacity": 10, "coverage": 1.0, "uncovered": 0, "interpreters_needed": 0},
    }
    # Somali has no qualified interpreter in the register, yet both its assignments were done
    # by one: they were covered.
    assert som["coverage"]["medium"] == {
        "capacity": 5, "coverage": 1.0, "uncovered": 0, "interpreters_needed": 0,
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


def test_shortage_coverage_and_interpreters_needed_agree_on_demo_like_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On data shaped like the national figures (and like `make run`'s demo): a register with
    a few Arabic interpreters, one Tigrinya and no Sorani one, while the provider files say Sorani
    assignments were done by qualified interpreters."""
    import datetime as dt
    import math

    from stats import demo
    from tests import factories

    monkeypatch.setattr(demo, "DEMO_ROWS_PER_YEAR", {2022: 10, 2023: 10, 2024: 3000, 2025: 10})
    demo.seed(today=dt.date(2025, 6, 30))
    for _ in range(3):
        factories.QualificationFactory(language="ara")
    factories.QualificationFactory(language="tir")
    report = need_report(year=2024)
    rows = {row["key"]: row for row in report["by_language"] if row["need"]}
    assert {"ara", "tir", "ckb"} <= set(rows)
    for row in rows.values():
        qualified = round(row["qualified_share"] * row["assignments"])
        need = row["assignments"] + row["unfilled"]
        assert row["need"] == need
        # Shortage and coverage are shares of the same need.
        assert row["shortage_share"] == round((need - qualified) / need, 4)
        for level, measures in row["coverage"].items():
            capacity = report["coverage_capacity"][level]
            # What qualified interpreters did is covered: coverage never says less.
            assert measures["coverage"] >= round(1 - row["shortage_share"], 4), (row["key"], level)
            assert measures["uncovered"] == need - round(measures["coverage"] * need)
            assert measures["interpreters_needed"] == math.ceil(measures["uncovered"] / capacity)
            assert (measures["interpreters_needed"] == 0) == (measures["coverage"] == 1.0)
    # No one in the register for Sorani, yet its qualified assignments happened.
    assert rows["ckb"]["qualified_interpreters"] == 0
    assert rows["ckb"]["coverage"]["medium"]["coverage"] > 0.5
    # Three Arabic interpreters at the low assumption cover 750 of the need (950), not all.
    assert rows["ara"]["coverage"]["low"]["interpreters_needed"] > 0
