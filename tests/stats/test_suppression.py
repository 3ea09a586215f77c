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


def test_small_cell_pinned_by_row_and_column_gets_the_cheapest_rectangle() -> None:
    # X has 3 unfilled. Its row (requests - assignments - cancelled) and its column (the total
    # unfilled) both give it away, so a 2x2 rectangle is needed; Z's (8 + 7) plus X's cancelled
    # (6) is the cheapest.
    atoms = frame({"X": (20, 10, 3, 6), "Y": (30, 8, 7, 9), "Z": (12, 9, 8, 7)})
    mask, totals = suppression.protect(atoms, threshold=5)
    assert hidden_cells(mask) == {("X", "unfilled"), ("X", "cancelled"),
                                  ("Z", "unfilled"), ("Z", "cancelled")}
    assert totals == set()


def test_two_small_rows_protect_each_other() -> None:
    atoms = frame({"big": (100, 50, 20, 10), "a": (2, 1, 0, 0), "b": (3, 0, 1, 0)})
    mask, _totals = suppression.protect(atoms, threshold=5)
    hidden = hidden_cells(mask)
    # Every count under 5 (zeros excepted) is hidden.
    assert {("a", "requests"), ("a", "assignments"), ("a", "qualified"),
            ("b", "requests"), ("b", "assignments"), ("b", "qualified"),
            ("b", "unfilled")} <= hidden
    assert suppression.recoverable(list(mask.index), hidden) == []
    assert not mask.loc["big"].any()


def test_a_lone_small_row_drags_a_second_row_along() -> None:
    atoms = frame({"big": (100, 50, 20, 10), "mid": (40, 10, 6, 5), "small": (3, 0, 0, 0)})
    mask, _totals = suppression.protect(atoms, threshold=5)
    assert mask.loc["small", ["requests", "assignments", "qualified"]].all()
    assert mask.loc["mid"].any(), "one hidden row alone would be total minus the others"
    assert suppression.recoverable(list(mask.index), hidden_cells(mask)) == []


def test_small_total_is_protected() -> None:
    atoms = frame({"a": (10, 0, 0, 0), "b": (10, 0, 2, 0), "c": (10, 0, 1, 0)})
    mask, totals = suppression.protect(atoms, threshold=5, totals_suppressed={"unfilled"})
    cells = hidden_cells(mask) | {("__total__", c) for c in totals}
    assert ("b", "unfilled") in cells and ("c", "unfilled") in cells
    assert suppression.recoverable(list(mask.index), cells) == []


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


def test_report_is_suppressed_by_default_and_nothing_can_be_recovered(facts: None) -> None:
    report = need_report(year=2024)
    assert report["suppression"] == {"applied": True, "threshold": 5}
    _all_tables_safe(report)
    language = {row["key"]: row for row in report["by_language"]}
    som = language["som"]  # 2 requests
    assert som["suppressed"] is True
    assert (som["requests"], som["assignments"], som["share"], som["cumulative_share"],
            som["hours"], som["cost_nok"]) == (None, None, None, None, None, None)
    assert som["coverage"]["medium"]["coverage"] is None
    # Hidden rows come last, so the cumulative share does not give them away.
    keys = [row["key"] for row in report["by_language"]]
    hidden = [row["assignments"] is None for row in report["by_language"]]
    assert hidden == sorted(hidden)
    assert keys[-2:] == ["som", "tir"]
    # tir's 9 requests would be total minus the others: it is hidden along with som.
    assert language["tir"]["assignments"] is None
    assert report["top10_share"] is None
    # The small totals (2 unfilled, 1 cancelled) are hidden too.
    assert report["totals"]["unfilled"] is None and report["totals"]["cancelled"] is None
    assert report["totals"]["requests"] == 28


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
    ara = next(row for row in report["by_language"] if row["key"] == "ara")
    # 2023's ara (5) was published, 2024's ara is published: the change is shown.
    if ara["requests"] is not None:
        assert ara["change"]["requests"]["previous"] == 5
    assert report["totals"]["change"]["unfilled"] is None  # 2024's unfilled (2) is hidden

