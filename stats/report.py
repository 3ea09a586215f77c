"""The yearly need report as pure functions: grouped counts in, the report's dictionary out.

The database does the heavy grouping (`stats.selectors.fact_counts`): one row per (key, outcome,
qualified) with the number of requests, the minutes of completed assignments, the cost and the
sum of the facts' record keys. Here those are turned into the published tables, the shortage
measures and the year-over-year change. Nothing in this module touches the database.

Small numbers are protected with the cell key method (`stats.ptable`): every published count is
a cell (a set of facts: requests, assignments, qualified, unfilled or cancelled of a table row or
of the totals) whose value is its true count plus a perturbation fixed by the cell's facts. The
same facts give the same published value in every report, filter, year and format, so comparing
reports gives noise, never a hidden count. Hours and cost are perturbed from the same cell keys
and withheld for small published counts; every share is computed from the published figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from stats import ptable

DIMENSIONS = ("language", "provider_type", "modality", "sector", "county", "category")
COUNT_COLUMNS = ("key", "outcome", "qualified", "n", "minutes", "cost", "keys")
CAPACITY_LEVELS = ("low", "medium", "high")
# Each row's four disjoint parts: completed by a qualified interpreter, completed by one who was
# not qualified, unfilled, cancelled. Every published count is the sum of some of them.
ATOMS = ("cq", "cu", "uf", "cx")
CELLS: dict[str, tuple[str, ...]] = {
    "requests": ATOMS,
    "assignments": ("cq", "cu"),
    "qualified": ("cq",),
    "unfilled": ("uf",),
    "cancelled": ("cx",),
}


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


def _key_columns() -> list[str]:
    return [f"k_{atom}" for atom in ATOMS]


def atoms(counts: pd.DataFrame) -> pd.DataFrame:
    """Per key: the four atoms (cq, cu, uf, cx), their record key sums (k_cq, ...), minutes of
    completed assignments and cost."""
    columns = [*ATOMS, *_key_columns(), "minutes", "cost"]
    if counts.empty:
        return pd.DataFrame(columns=columns, dtype="int64")
    frame = counts.copy()
    if "keys" not in frame:
        frame["keys"] = 0
    completed = frame["outcome"] == "completed"
    frame["atom"] = np.select(
        [completed & frame["qualified"].astype(bool), completed, frame["outcome"] == "unfilled"],
        ["cq", "cu", "uf"],
        default="cx",
    )
    frame["minutes"] = frame["minutes"].fillna(0).astype("float64").where(completed, 0.0)
    frame["cost"] = frame["cost"].fillna(0).astype("float64")
    frame["keys"] = frame["keys"].fillna(0).astype("int64")
    table = frame.pivot_table(
        index="key", columns="atom", values="n", aggfunc="sum", fill_value=0
    ).reindex(columns=list(ATOMS), fill_value=0).astype("int64")
    keys = frame.pivot_table(
        index="key", columns="atom", values="keys", aggfunc="sum", fill_value=0
    ).reindex(columns=list(ATOMS), fill_value=0).astype("int64")
    keys.columns = _key_columns()
    sums = frame.groupby("key")[["minutes", "cost"]].sum()
    table = table.join(keys).join(sums)
    table.columns.name = None
    return table[columns]


def _total_atoms(table: pd.DataFrame) -> pd.DataFrame:
    """The table's facts as one row: the totals are a cell like any other."""
    return table.sum().to_frame().T.astype(table.dtypes.to_dict()).set_axis(["__total__"])


@dataclass
class Published:
    """A table as published: counts, hours and cost per row (None = withheld)."""

    counts: pd.DataFrame  # rows x CELLS, int
    hours: pd.Series  # float, NaN = withheld
    cost: pd.Series  # float, NaN = withheld
    _rows: dict[Any, dict[str, Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Plain dictionaries: a report reads every cell once, and pandas' lookups cost more
        # than the numbers.
        self._rows = {
            key: {**{c: int(v) for c, v in counts.items()},
                  "hours": None if pd.isna(hours) else float(hours),
                  "cost": None if pd.isna(cost) else float(cost)}
            for (key, counts), hours, cost in zip(
                self.counts.to_dict("index").items(), self.hours.tolist(), self.cost.tolist(),
                strict=True)
        }

    def count(self, key: Any, cell: str) -> int:
        return int(self._rows[key][cell])

    def magnitude(self, key: Any, name: str) -> float | None:
        return self._rows[key]["hours" if name == "hours" else "cost"]


def publish(table: pd.DataFrame, *, protect: bool, threshold: int) -> Published:
    """The published figures of a table of atoms: exact, or protected with the cell key method.

    Protected: each count is perturbed from its true count and cell key (`stats.ptable`); hours
    (a sum over the assignments cell) and cost (over the requests cell) get the magnitude noise
    of their cell's key, and are 0 where their cell's count is published as 0."""
    true = pd.DataFrame(
        {cell: table[list(parts)].sum(axis=1) for cell, parts in CELLS.items()},
        index=table.index,
    ).astype("int64")
    minutes = table["minutes"].astype("float64")
    cost = table["cost"].astype("float64")
    if not protect:
        return Published(true, (minutes / 60.0).round(1), cost.round(2))
    keys = pd.DataFrame(
        {cell: table[[f"k_{p}" for p in parts]].sum(axis=1) % ptable.KEY_RANGE
         for cell, parts in CELLS.items()},
        index=table.index,
    ).astype("int64")
    counts = pd.DataFrame(
        {cell: ptable.perturbed_counts(true[cell].to_numpy(), keys[cell].to_numpy(), threshold)
         for cell in CELLS},
        index=table.index,
    )
    hours = pd.Series(ptable.perturbed_sums(minutes.to_numpy(), true["assignments"].to_numpy(),
                                            keys["assignments"].to_numpy()) / 60.0,
                      index=table.index).round(1)
    money = pd.Series(ptable.perturbed_sums(cost.to_numpy(), true["requests"].to_numpy(),
                                            keys["requests"].to_numpy()),
                      index=table.index).round(2)
    return Published(counts, hours.where(counts["assignments"] > 0, 0.0),
                     money.where(counts["requests"] > 0, 0.0))


def protection(*, protect: bool, threshold: int) -> dict[str, Any]:
    """What the report says about its protection (the JSON's `protection`)."""
    if not protect:
        return {"method": "none", "exact": True}
    return {**ptable.parameters(threshold), "exact": False}


def _share(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _change(current: float | None, previous: float | None) -> dict[str, Any] | None:
    if current is None or previous is None:
        return None
    absolute = current - previous
    return {
        "previous": previous,
        "absolute": round(absolute, 4) if isinstance(absolute, float) else absolute,
        "relative": round(absolute / previous, 4) if previous else None,
    }


def _capped(value: float | None) -> float | None:
    """A share computed from perturbed figures stays a share: at most 1."""
    return None if value is None else min(value, 1.0)


def _row(table: Published, key: Any, total_assignments: int, name: str) -> dict[str, Any]:
    requests = table.count(key, "requests")
    assignments = table.count(key, "assignments")
    qualified = table.count(key, "qualified")
    hours, cost = table.magnitude(key, "hours"), table.magnitude(key, "cost")
    return {
        "key": key,
        "name": name,
        "requests": requests,
        "assignments": assignments,
        "share": _capped(_share(assignments, float(total_assignments))),
        "qualified_share": _capped(_share(qualified, assignments)),
        "unfilled": table.count(key, "unfilled"),
        "cancelled": table.count(key, "cancelled"),
        "hours": hours,
        "cost_nok": cost,
        "suppressed": hours is None or cost is None,
    }


def _language_extras(
    row: dict[str, Any], table: Published, key: str, register: Mapping[str, int],
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
    qualified = table.count(key, "qualified")
    interpreters = int(register.get(key, 0))
    row["qualified_interpreters"] = interpreters
    need = assignments + unfilled
    row["need"] = need
    # Perturbed figures need not add up: a share stays between 0 and 1, and the need met by a
    # qualified interpreter is never more than the assignments.
    met = min(qualified, assignments)
    row["shortage_share"] = _capped(_share(max(need - met, 0), need))
    coverage: dict[str, Any] = {}
    for level in CAPACITY_LEVELS:
        per_interpreter = int(capacity[level])
        covered = min(need, max(met, interpreters * per_interpreter))
        uncovered = need - covered
        coverage[level] = {
            "capacity": per_interpreter,
            "coverage": _share(covered, need) if need else None,
            "uncovered": uncovered,
            "interpreters_needed": math.ceil(uncovered / per_interpreter),
        }
    row["coverage"] = coverage


def _totals(totals: Published, language: Published) -> dict[str, Any]:
    key = totals.counts.index[0]
    assignments, qualified = totals.count(key, "assignments"), totals.count(key, "qualified")
    hours, cost = totals.magnitude(key, "hours"), totals.magnitude(key, "cost")
    return {
        "requests": totals.count(key, "requests"),
        "assignments": assignments,
        "unfilled": totals.count(key, "unfilled"),
        "cancelled": totals.count(key, "cancelled"),
        "hours": hours,
        "cost_nok": cost,
        "qualified_share": _capped(_share(qualified, assignments)),
        "language_count": int((language.counts["assignments"] > 0).sum()),
        "suppressed": hours is None or cost is None,
    }


def _ordered_language_keys(table: Published) -> list[str]:
    """By published assignments, largest first, then by code."""
    frame = pd.DataFrame({
        "assignments": table.counts["assignments"].to_numpy(),
        "key": [str(k) for k in table.counts.index],
    })
    return frame.sort_values(["assignments", "key"], ascending=[False, True])["key"].tolist()


def _publish_all(
    tables: dict[str, pd.DataFrame], *, protect: bool, threshold: int
) -> tuple[dict[str, Published], Published]:
    """Every table and the totals they share (all tables divide the same facts)."""
    published = {name: publish(t, protect=protect, threshold=threshold)
                 for name, t in tables.items()}
    totals = publish(_total_atoms(tables["language"]), protect=protect, threshold=threshold)
    return published, totals


def _previous_languages(
    inp: ReportInput,
) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """Last year's totals and language rows, as last year's report publishes them."""
    if inp.previous is None:
        return None, {}
    table = atoms(inp.previous.counts["language"])
    if table.empty or int(table[list(ATOMS)].to_numpy().sum()) == 0:
        return None, {}
    published, totals_table = _publish_all({"language": table}, protect=inp.suppress,
                                           threshold=inp.threshold)
    language = published["language"]
    if not _shown(totals_table, totals_table.counts.index[0]):
        return None, {}
    totals = _totals(totals_table, language)
    rows = {
        str(key): _row(language, key, totals["assignments"], "")
        for key in language.counts.index if _shown(language, key)
    }
    return totals, rows


def _shown(table: Published, key: Any) -> bool:
    """Whether a row of an open list (languages) is listed, or last year's figures are given: not
    when every published count is 0. That a row exists would otherwise tell that the facts are
    not none, which a published 0 (0 to the threshold) does not."""
    return any(table.count(key, cell) for cell in CELLS)


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
    # Every language of the register is listed, with or without requests: its row exists whatever
    # the facts, so published zeros there tell nothing about small numbers (a language with facts
    # but outside the register is listed only when something about it is published).
    language_raw = tables_raw["language"]
    unrequested = [key for key in sorted(inp.register) if key not in language_raw.index]
    if unrequested:
        tables_raw["language"] = language_raw.reindex(
            [*language_raw.index, *unrequested], fill_value=0
        )
    tables, totals_table = _publish_all(tables_raw, protect=inp.suppress,
                                        threshold=inp.threshold)
    language = tables["language"]
    totals = _totals(totals_table, language)
    total_assignments = totals["assignments"]
    previous_totals, previous_rows = _previous_languages(inp)
    if previous_totals is None:
        totals["change"] = None
    else:
        totals["change"] = {
            cell: _change(totals[cell], previous_totals[cell])
            for cell in ("requests", "assignments", "unfilled", "cancelled", "hours",
                         "cost_nok", "qualified_share", "language_count")
        }

    report: dict[str, Any] = {
        "year": inp.year, **inp.extra,
        "protection": protection(protect=inp.suppress, threshold=inp.threshold),
        "totals": totals,
    }

    by_language = []
    cumulative = 0
    for key in _ordered_language_keys(language):
        if not _shown(language, key) and key not in inp.register:
            continue
        row = _row(language, key, total_assignments, inp.names["language"](key))
        cumulative += row["assignments"]
        row["cumulative_share"] = _capped(_share(cumulative, float(total_assignments)))
        _language_extras(row, language, key, inp.register, inp.capacity)
        before = previous_rows.get(key)
        row["change"] = None if before is None else {
            cell: _change(row[cell], before[cell])
            for cell in ("requests", "assignments", "share", "qualified_share", "unfilled")
        }
        by_language.append(row)
    report["top10_share"] = _top10(by_language, total_assignments)
    report["by_language"] = by_language

    for name in DIMENSIONS[1:]:
        table = tables[name]
        order = {key: i for i, key in enumerate(inp.key_order.get(name, ()))}
        keys = sorted(table.counts.index, key=lambda k: (order.get(k, len(order)), str(k)))
        report[f"by_{name}"] = [
            _row(table, key, total_assignments, inp.names[name](key)) for key in keys
        ]
    return report


def _top10(rows: list[dict[str, Any]], total_assignments: int) -> float | None:
    """Share of assignments in the ten largest languages (by published assignments)."""
    if not rows:
        return None
    return _capped(_share(sum(row["assignments"] for row in rows[:10]),
                          float(total_assignments)))
