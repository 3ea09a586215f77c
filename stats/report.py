"""The yearly need report as pure functions: grouped counts in, the report's dictionary out.

The database does the heavy grouping (`stats.selectors.fact_counts`): one row per (key, outcome,
qualified) with the number of requests, the minutes of completed assignments and the cost. Here
those are turned into the published tables, the shortage measures and the year-over-year change,
and small numbers are suppressed (`stats.suppression`). Nothing in this module touches the
database.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from stats.suppression import ATOMS, CELLS, cell_values, protect

DIMENSIONS = ("language", "provider_type", "modality", "sector", "county", "category")
COUNT_COLUMNS = ("key", "outcome", "qualified", "n", "minutes", "cost")
CAPACITY_LEVELS = ("low", "medium", "high")


@dataclass
class Cube:
    """One year's grouped counts: dimension -> DataFrame with COUNT_COLUMNS."""

    year: int
    counts: dict[str, pd.DataFrame]


@dataclass
class ReportInput:
    year: int
    current: Cube
    previous: Cube | None
    register: Mapping[str, int]
    names: Mapping[str, Callable[[str], str]]
    threshold: int
    suppress: bool
    capacity: Mapping[str, int]
    key_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def atoms(counts: pd.DataFrame) -> pd.DataFrame:
    """Per key: the four atoms (cq, cu, uf, cx), minutes of completed assignments and cost."""
    if counts.empty:
        return pd.DataFrame(columns=[*ATOMS, "minutes", "cost"], dtype="int64")
    frame = counts.copy()
    completed = frame["outcome"] == "completed"
    frame["atom"] = np.select(
        [completed & frame["qualified"].astype(bool), completed, frame["outcome"] == "unfilled"],
        ["cq", "cu", "uf"],
        default="cx",
    )
    frame["minutes"] = frame["minutes"].fillna(0).astype("float64").where(completed, 0.0)
    frame["cost"] = frame["cost"].fillna(0).astype("float64")
    table = frame.pivot_table(
        index="key", columns="atom", values="n", aggfunc="sum", fill_value=0
    ).reindex(columns=list(ATOMS), fill_value=0).astype("int64")
    sums = frame.groupby("key")[["minutes", "cost"]].sum()
    table = table.join(sums)
    table.columns.name = None
    return table


def _share(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _hours(minutes: float) -> float:
    return round(minutes / 60.0, 1)


def _money(amount: float) -> float:
    return round(float(amount), 2)


def _change(current: float | None, previous: float | None) -> dict[str, Any] | None:
    if current is None or previous is None:
        return None
    absolute = current - previous
    return {
        "previous": previous,
        "absolute": round(absolute, 4) if isinstance(absolute, float) else absolute,
        "relative": round(absolute / previous, 4) if previous else None,
    }


@dataclass
class _Table:
    """A table's numbers and which of them are published."""

    atoms: pd.DataFrame
    counts: pd.DataFrame
    hidden: pd.DataFrame  # rows x CELLS, True = suppressed

    def published(self, key: str, cell: str) -> int | None:
        if bool(self.hidden.loc[key, cell]):
            return None
        return int(self.counts.loc[key, cell])


def _totals_values(table: pd.DataFrame) -> pd.Series:
    return cell_values(table[list(ATOMS)].sum().to_frame().T).iloc[0]


def _protect_all(
    tables: dict[str, pd.DataFrame], *, threshold: int, suppress: bool
) -> tuple[dict[str, _Table], set[str]]:
    """Suppress every table consistently: a total cell suppressed for one table is suppressed for
    all (they share the totals), so repeat until no table asks for more."""
    first = next(iter(tables.values()))
    totals = _totals_values(first)
    if not suppress:
        return (
            {
                name: _Table(t, cell_values(t[list(ATOMS)]),
                             pd.DataFrame(False, index=t.index, columns=list(CELLS)))
                for name, t in tables.items()
            },
            set(),
        )
    hidden_totals = {c for c in CELLS if 0 < totals[c] < threshold}
    while True:
        result: dict[str, _Table] = {}
        grown = set(hidden_totals)
        for name, table in tables.items():
            mask, needed = protect(
                table[list(ATOMS)], threshold=threshold, totals_suppressed=hidden_totals
            )
            grown |= needed
            result[name] = _Table(table, cell_values(table[list(ATOMS)]), mask)
        if grown == hidden_totals:
            return result, hidden_totals
        hidden_totals = grown


def _row(table: _Table, key: str, totals: pd.Series, hidden_totals: set[str],
         name: str) -> dict[str, Any]:
    requests = table.published(key, "requests")
    assignments = table.published(key, "assignments")
    qualified = table.published(key, "qualified")
    unfilled = table.published(key, "unfilled")
    cancelled = table.published(key, "cancelled")
    row_atoms = table.atoms.loc[key]
    share = (
        _share(assignments, float(totals["assignments"]))
        if assignments is not None and "assignments" not in hidden_totals else None
    )
    return {
        "key": key,
        "name": name,
        "requests": requests,
        "assignments": assignments,
        "share": share,
        "qualified_share": (
            _share(qualified, assignments)
            if qualified is not None and assignments is not None else None
        ),
        "unfilled": unfilled,
        "cancelled": cancelled,
        "hours": _hours(float(row_atoms["minutes"])) if assignments is not None else None,
        "cost_nok": _money(row_atoms["cost"]) if requests is not None else None,
        "suppressed": bool(table.hidden.loc[key].any()),
    }


def _language_extras(
    row: dict[str, Any], table: _Table, key: str, register: Mapping[str, int],
    capacity: Mapping[str, int],
) -> None:
    """The shortage measures of a language row, all on one base, the need (assignments +
    unfilled: the requests that needed an interpreter; a cancelled one did not):

    - `shortage_share`: the share of the need that was not met by a qualified interpreter
      (unfilled, or carried out by a non-qualified interpreter): what happened;
    - per capacity level, `coverage`: the share of the need the register's qualified interpreters
      could meet, each taking `capacity` assignments a year, and never less than what qualified
      interpreters did meet (those assignments were covered, whatever the register says);
      `uncovered` = need - covered; `interpreters_needed` = the qualified interpreters it would
      take to cover the rest.

    So coverage >= 1 - shortage_share always. Where coverage is high and the shortage too, the
    qualified interpreters exist but were not used; where coverage is low, there are too few.
    """
    assignments, unfilled = row["assignments"], row["unfilled"]
    qualified = table.published(key, "qualified")
    interpreters = int(register.get(key, 0))
    row["qualified_interpreters"] = interpreters
    need = assignments + unfilled if assignments is not None and unfilled is not None else None
    row["need"] = need
    if need is None or qualified is None:
        row["shortage_share"] = None
    else:
        row["shortage_share"] = _share(need - qualified, need)
    coverage: dict[str, Any] = {}
    for level in CAPACITY_LEVELS:
        per_interpreter = int(capacity[level])
        if need is None or qualified is None:
            coverage[level] = {"capacity": per_interpreter, "coverage": None,
                               "uncovered": None, "interpreters_needed": None}
            continue
        covered = min(need, max(qualified, interpreters * per_interpreter))
        uncovered = need - covered
        coverage[level] = {
            "capacity": per_interpreter,
            "coverage": _share(covered, need) if need else None,
            "uncovered": uncovered,
            "interpreters_needed": math.ceil(uncovered / per_interpreter),
        }
    row["coverage"] = coverage


def _totals(table: _Table, hidden: set[str], language_count: int) -> dict[str, Any]:
    values = _totals_values(table.atoms)
    minutes = float(table.atoms["minutes"].sum())
    cost = float(table.atoms["cost"].sum())

    def pub(cell: str) -> int | None:
        return None if cell in hidden else int(values[cell])

    assignments, qualified = pub("assignments"), pub("qualified")
    return {
        "requests": pub("requests"),
        "assignments": assignments,
        "unfilled": pub("unfilled"),
        "cancelled": pub("cancelled"),
        "hours": _hours(minutes) if assignments is not None else None,
        "cost_nok": _money(cost) if pub("requests") is not None else None,
        "qualified_share": (
            _share(qualified, assignments)
            if qualified is not None and assignments is not None else None
        ),
        "language_count": language_count,
        "suppressed": bool(hidden),
    }


def _ordered_language_keys(table: _Table) -> list[str]:
    """By assignments, largest first; rows whose assignments are suppressed go last (in code
    order) so that the cumulative share cannot be differenced to reveal them."""
    frame = pd.DataFrame({
        "assignments": table.counts["assignments"].to_numpy(),
        "hidden": table.hidden["assignments"].to_numpy(),
        "key": [str(k) for k in table.counts.index],
    })
    shown = frame.loc[~frame["hidden"]].sort_values(
        ["assignments", "key"], ascending=[False, True]
    )
    hidden = frame.loc[frame["hidden"]].sort_values("key")
    return [*shown["key"].tolist(), *hidden["key"].tolist()]


def _previous_languages(
    inp: ReportInput,
) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """Last year's published totals and language rows, suppressed as they were published."""
    if inp.previous is None:
        return None, {}
    table = atoms(inp.previous.counts["language"])
    if table.empty or int(table[list(ATOMS)].to_numpy().sum()) == 0:
        return None, {}
    tables, hidden = _protect_all({"language": table}, threshold=inp.threshold,
                                  suppress=inp.suppress)
    language = tables["language"]
    totals_values = _totals_values(table)
    count = int((language.counts["assignments"] > 0).sum())
    totals = _totals(language, hidden, count)
    rows = {
        str(key): _row(language, key, totals_values, hidden, "")
        for key in language.counts.index
    }
    return totals, rows


def build(inp: ReportInput) -> dict[str, Any]:
    """The need report for one year as a JSON-ready dictionary."""
    tables_raw = {}
    for name in DIMENSIONS:
        table = atoms(inp.current.counts[name])
        if name in inp.key_order:
            # Every category of a fixed classification is shown, zero or not.
            keys = [*inp.key_order[name], *(k for k in table.index if k not in inp.key_order[name])]
            table = table.reindex(keys, fill_value=0)
        tables_raw[name] = table
    tables, hidden = _protect_all(tables_raw, threshold=inp.threshold, suppress=inp.suppress)
    totals_values = _totals_values(tables_raw["language"])
    language = tables["language"]
    language_count = int((language.counts["assignments"] > 0).sum())
    totals = _totals(language, hidden, language_count)
    previous_totals, previous_rows = _previous_languages(inp)
    if previous_totals is None:
        totals["change"] = None
    else:
        totals["change"] = {
            cell: _change(totals[cell], previous_totals[cell])
            for cell in ("requests", "assignments", "unfilled", "cancelled", "hours",
                         "cost_nok", "qualified_share", "language_count")
        }

    report: dict[str, Any] = {"year": inp.year, **inp.extra, "totals": totals}

    by_language = []
    cumulative = 0
    cumulative_open = "assignments" not in hidden
    for key in _ordered_language_keys(language):
        row = _row(language, key, totals_values, hidden, inp.names["language"](key))
        if row["assignments"] is None:
            cumulative_open = False
        else:
            cumulative += row["assignments"]
        row["cumulative_share"] = (
            _share(cumulative, float(totals_values["assignments"])) if cumulative_open else None
        )
        _language_extras(row, language, key, inp.register, inp.capacity)
        before = previous_rows.get(key)
        row["change"] = None if before is None else {
            cell: _change(row[cell], before[cell])
            for cell in ("requests", "assignments", "share", "qualified_share", "unfilled")
        }
        by_language.append(row)
    report["top10_share"] = _top10(by_language, totals_values, hidden)
    report["by_language"] = by_language

    for name in DIMENSIONS[1:]:
        table = tables[name]
        order = {key: i for i, key in enumerate(inp.key_order.get(name, ()))}
        keys = sorted(table.counts.index, key=lambda k: (order.get(k, len(order)), str(k)))
        report[f"by_{name}"] = [
            _row(table, key, totals_values, hidden, inp.names[name](key)) for key in keys
        ]
    return report


def _top10(rows: list[dict[str, Any]], totals: pd.Series, hidden: set[str]) -> float | None:
    """Share of assignments in the ten largest languages; withheld if any of them is suppressed
    (it would give the suppressed value away)."""
    if "assignments" in hidden or not rows:
        return None
    top = rows[:10]
    if any(row["assignments"] is None for row in top):
        return None
    return _share(sum(row["assignments"] for row in top), float(totals["assignments"]))
