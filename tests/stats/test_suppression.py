from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from stats import suppression
from stats.selectors import need_report
from tests.stats.attack import recoverable_cells, single_subtractions

TABLES = ("by_language", "by_provider_type", "by_modality", "by_sector", "by_county",
          "by_category")
COUNTS = ("requests", "assignments", "unfilled", "cancelled")


def frame(rows: dict[str, tuple[int, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(suppression.ATOMS))


def hidden_cells(mask: pd.DataFrame) -> set[tuple[str, str]]:
    return {(str(r), str(c)) for r in mask.index for c in mask.columns if mask.loc[r, c]}


def test_a_lone_small_row_drags_the_smallest_other_row_along() -> None:
    # "small" has 3 requests. Alone it would be the total minus the published rows, so the
    # smallest other row ("mid", 61 requests) is withheld with it; "big" stays.
    atoms = frame({"big": (100, 50, 20, 10), "mid": (40, 10, 6, 5), "small": (3, 0, 0, 0)})
    mask, totals = suppression.protect(atoms, threshold=5)
    assert mask.all(axis=1).to_dict() == {"big": False, "mid": True, "small": True}
    assert mask.any(axis=1).equals(mask.all(axis=1)), "rows are withheld whole"
    assert totals == set()
    assert suppression.recoverable(list(mask.index), hidden_cells(mask)) == []


def test_one_small_cell_withholds_its_row() -> None:
    # X has 3 unfilled: requests - assignments - cancelled would give it away, so the whole row
    # goes, and Z (the smallest other row) with it.
    atoms = frame({"X": (20, 10, 3, 6), "Y": (30, 8, 7, 9), "Z": (12, 9, 8, 7)})
    mask, _totals = suppression.protect(atoms, threshold=5)
    assert mask.all(axis=1).to_dict() == {"X": True, "Y": False, "Z": True}
    assert suppression.recoverable(list(mask.index), hidden_cells(mask)) == []


def test_two_small_rows_protect_each_other() -> None:
    atoms = frame({"big": (100, 50, 20, 10), "a": (2, 1, 0, 0), "b": (3, 0, 1, 0)})
    mask, _totals = suppression.protect(atoms, threshold=5)
    assert mask.all(axis=1).to_dict() == {"big": False, "a": True, "b": True}
    assert suppression.recoverable(list(mask.index), hidden_cells(mask)) == []


def test_small_total_withholds_all_totals_and_its_rows() -> None:
    atoms = frame({"a": (10, 0, 0, 0), "b": (10, 0, 2, 0), "c": (10, 0, 1, 0)})
    mask, totals = suppression.protect(atoms, threshold=5)
    assert totals == set(suppression.CELLS)
    assert mask.all(axis=1).to_dict() == {"a": False, "b": True, "c": True}
    cells = hidden_cells(mask) | {("__total__", c) for c in totals}
    assert suppression.recoverable(list(mask.index), cells) == []


def test_withheld_totals_are_never_the_sum_of_published_rows() -> None:
    atoms = frame({"a": (10, 0, 0, 0), "b": (20, 0, 0, 0)})
    mask, totals = suppression.protect(atoms, threshold=5, totals_suppressed={"requests"})
    assert totals == set(suppression.CELLS)
    assert mask.all(axis=1).to_dict() == {"a": True, "b": False}


def test_the_audit_finds_a_single_withheld_cell() -> None:
    # The audit itself must be able to fail: one hidden cell in a published row is recoverable.
    atoms = frame({"a": (10, 0, 3, 0), "b": (20, 0, 7, 0)})
    values = suppression.cell_values(atoms)
    assert suppression.recoverable(list(values.index), {("a", "unfilled")}) == [("a", "unfilled")]
    # Two full rows withheld under published totals: nothing recoverable.
    both = {(r, c) for r in ("a", "b") for c in suppression.CELLS}
    assert suppression.recoverable(list(values.index), both) == []


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_leave_nothing_recoverable(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 14))
    values = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40, 120], size=(size, 4),
                        p=[0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05])
    atoms = pd.DataFrame(values, columns=list(suppression.ATOMS),
                         index=[f"k{i}" for i in range(size)])
    totals = suppression.cell_values(atoms).sum()
    small_totals = {c for c in suppression.CELLS if 0 < totals[c] < 5}
    mask, hidden_totals = suppression.protect(atoms, threshold=5,
                                              totals_suppressed=small_totals)
    cells = suppression.cell_values(atoms)
    # Every small non-zero cell is hidden ...
    assert not ((cells > 0) & (cells < 5) & ~mask).to_numpy().any()
    # ... and the independent attacker cannot compute any hidden one.
    table = []
    for key in atoms.index:
        row: dict[str, Any] = {"key": key}
        for c in COUNTS:
            row[c] = None if mask.loc[key, c] else int(cells.loc[key, c])
        a, q = row["assignments"], None if mask.loc[key, "qualified"] else cells.loc[key,
                                                                                   "qualified"]
        row["qualified_share"] = None if a is None or q is None or a == 0 else q / a
        table.append(row)
    total_row: dict[str, Any] = {
        c: None if c in hidden_totals else int(totals[c]) for c in COUNTS
    }
    ta = total_row["assignments"]
    total_row["qualified_share"] = (
        None if ta in (None, 0) or "qualified" in hidden_totals else totals["qualified"] / ta
    )
    assert recoverable_cells(table, total_row) == []


def _all_tables_safe(report: dict[str, Any], threshold: int = 5) -> None:
    totals = report["totals"]
    for name in TABLES:
        table = report[name]
        for row in table:
            for cell in COUNTS:
                value = row[cell]
                assert value is None or value == 0 or value >= threshold, (name, row["key"], cell)
            if row["suppressed"]:
                assert any(row[c] is None for c in (*COUNTS, "qualified_share")), row
        assert recoverable_cells(table, totals) == [], name
        assert single_subtractions(table, totals) == [], name


def test_language_table_withholds_the_small_language_and_its_partner(tail: None) -> None:
    report = need_report(year=2024)
    assert [(r["key"], r["suppressed"]) for r in report["by_language"]] == [
        ("ara", False), ("tir", False), ("pol", True), ("som", True),
    ]
    ara, tir, pol, som = report["by_language"]
    assert (ara["requests"], ara["assignments"], ara["unfilled"],
            ara["cancelled"]) == (61, 50, 6, 5)
    assert [ara["cumulative_share"], tir["cumulative_share"]] == [0.5051, 0.7879]
    for row in (pol, som):
        assert all(row[c] is None for c in ("requests", "assignments", "share", "qualified_share",
                                             "unfilled", "cancelled", "hours", "cost_nok",
                                             "cumulative_share", "need", "shortage_share"))
    assert report["top10_share"] is None
    totals = report["totals"]
    assert (totals["requests"], totals["assignments"], totals["unfilled"],
            totals["cancelled"]) == (132, 99, 16, 17)
    _all_tables_safe(report)
    # The unsuppressed report has the numbers the attacker cannot get.
    plain = {r["key"]: r for r in need_report(year=2024, suppress=False)["by_language"]}
    assert (plain["pol"]["requests"], plain["som"]["requests"]) == (3, 28)


def test_tiny_report_withholds_its_small_totals(facts: None) -> None:
    report = need_report(year=2024)
    assert report["suppression"] == {"applied": True, "threshold": 5}
    _all_tables_safe(report)
    totals = report["totals"]  # 2 unfilled and 1 cancelled: every total goes
    assert all(totals[c] is None for c in ("requests", "assignments", "unfilled", "cancelled",
                                           "hours", "cost_nok", "qualified_share"))
    assert totals["suppressed"] is True
    som = next(row for row in report["by_language"] if row["key"] == "som")
    assert som["suppressed"] is True and som["requests"] is None
    hidden = [row["assignments"] is None for row in report["by_language"]]
    assert hidden == sorted(hidden), "withheld rows come last"


def test_unsuppressed_report_shows_everything(facts: None) -> None:
    report = need_report(year=2024, suppress=False)
    assert report["suppression"]["applied"] is False
    assert all(row["suppressed"] is False for name in TABLES for row in report[name])


@pytest.mark.parametrize("filters", [
    {"county": "03"}, {"sector": "health"}, {"provider_type": "private"}, {"modality": "onsite"},
    {"county": "46", "sector": "welfare"},
])
def test_filtered_reports_are_safe(facts: None, filters: dict[str, str]) -> None:
    _all_tables_safe(need_report(year=2024, filters=filters))


def test_change_is_withheld_when_either_year_is_hidden(facts: None) -> None:
    report = need_report(year=2024)
    change = report["totals"]["change"]
    assert all(change[c] is None for c in ("requests", "assignments", "unfilled", "cancelled",
                                           "hours", "cost_nok", "qualified_share"))
    assert change["language_count"] == {"previous": 2, "absolute": 1, "relative": 0.5}
    plain = need_report(year=2024, suppress=False)
    assert plain["totals"]["change"]["requests"] == {"previous": 10, "absolute": 18,
                                                     "relative": 1.8}
