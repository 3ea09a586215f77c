"""An attacker on the published need reports, written independently of `stats.report`: it reads
only published reports (any number of them: every filter, every year) and what is published about
the method, and tries to pin down small counts, hours and cost.

Every published figure is a *cell*: a year, a set of (dimension, value) conditions and a measure.
The attacker keeps, per cell, the interval its true value must lie in:
- from the cell's own published value: exactly that value when the report publishes exact
  figures, anything (from 0) when a figure is withheld, and the true counts the published p-table
  allows for a perturbed figure (`possible` below);
- from linear equations between cells: every table of a report divides the report's facts, so the
  totals are the sum of the rows (national = sum of the counties, and so on, for every filter);
  requests = assignments + unfilled + cancelled; qualified <= assignments; the same for hours
  (of the assignments) and cost (of the requests).
It tightens the intervals through the equations until nothing changes (interval constraint
propagation, which finds every subtraction, every "total minus the rest" and chains of them), and
checks that one cell never shows two different values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

COUNTS = ("requests", "assignments", "qualified", "unfilled", "cancelled")
MAGNITUDES = ("hours", "cost_nok")
TABLES = ("language", "provider_type", "modality", "sector", "county", "category")
FILTERS = ("county", "sector", "provider_type", "modality")
# Half a unit of the published rounding.
ROUNDING = {"hours": 0.05, "cost_nok": 0.005}
INF = math.inf

CellId = tuple[int, frozenset[tuple[str, str]], str]


class Inconsistent(AssertionError):
    """The same cell was published with two different values."""


class Attacker:
    def __init__(
        self, possible: Callable[[int], Iterable[int]] | None = None,
        magnitude_scale: float | None = None,
    ) -> None:
        """`possible(v)`: the true counts that can be published as v (None: published counts
        are exact). `magnitude_scale`: published sums are within this many facts' mean value of
        the true sum (None: exact)."""
        self.possible = possible
        self.magnitude_scale = magnitude_scale
        self.bounds: dict[CellId, list[float]] = {}
        self.seen: dict[CellId, Any] = {}
        self.equations: list[tuple[CellId, list[CellId]]] = []
        self.at_most: list[tuple[CellId, CellId]] = []
        self.reports: set[tuple[int, frozenset[tuple[str, str]]]] = set()
        self.language_tables: set[tuple[int, frozenset[tuple[str, str]]]] = set()
        self.values: dict[str, set[str]] = {dimension: set() for dimension in TABLES}

    # --- reading --------------------------------------------------------------------------------

    def _cell(self, cell: CellId, value: Any) -> None:
        """Record a published value (None: withheld here, which a value published elsewhere
        gives away)."""
        known = self.seen.get(cell)
        if value is not None and known is not None and known != value:
            raise Inconsistent(f"{cell}: published as {known} and as {value}")
        if value is not None:
            self.seen[cell] = value
        self.bounds.setdefault(cell, [0.0, INF])

    def _count_bounds(self, value: int | None) -> tuple[float, float]:
        if value is None:
            return 0.0, INF
        if self.possible is None:
            return float(value), float(value)
        options = list(self.possible(value))
        return float(min(options)), float(max(options))

    def _tighten(self, cell: CellId, low: float, high: float) -> None:
        bounds = self.bounds[cell]
        bounds[0], bounds[1] = max(bounds[0], low), min(bounds[1], high)

    def _row(self, year: int, conditions: frozenset[tuple[str, str]], row: dict[str, Any]) -> None:
        cells = {m: (year, conditions, m) for m in (*COUNTS, *MAGNITUDES)}
        for measure in ("requests", "assignments", "unfilled", "cancelled"):
            self._cell(cells[measure], row.get(measure))
            self._tighten(cells[measure], *self._count_bounds(row.get(measure)))
        assignments, share = row.get("assignments"), row.get("qualified_share")
        self._cell(cells["qualified"], share)
        if share is not None and assignments is not None:
            qualified = round(share * assignments)
            if share < 1 or self.possible is None:
                self._tighten(cells["qualified"], *self._count_bounds(qualified))
            else:  # a share of 1 may be capped: the published qualified is at least this
                self._tighten(cells["qualified"], self._count_bounds(qualified)[0], INF)
        elif assignments == 0 and self.possible is None:
            self._tighten(cells["qualified"], 0.0, 0.0)
        for measure, count in (("hours", "assignments"), ("cost_nok", "requests")):
            self._cell(cells[measure], row.get(measure))
            self._tighten(cells[measure], *self._magnitude_bounds(
                row.get(measure), measure, self._count_bounds(row.get(count))[0]))
        self.equations.append((cells["requests"], [cells["assignments"], cells["unfilled"],
                                                   cells["cancelled"]]))
        self.at_most.append((cells["qualified"], cells["assignments"]))

    def _magnitude_bounds(self, value: float | None, measure: str,
                          fewest: float) -> tuple[float, float]:
        if value is None:
            return 0.0, INF
        half = ROUNDING[measure]
        if self.magnitude_scale is None:
            return max(value - half, 0.0), value + half
        if value == 0:
            return 0.0, INF  # a perturbed count of 0 may hide a few facts
        scale = self.magnitude_scale
        if fewest <= scale:
            return max(value - half, 0.0) / (1 + scale / max(fewest, 1.0)), INF
        return ((value - half) / (1 + scale / fewest), (value + half) / (1 - scale / fewest))

    def read(self, report: dict[str, Any], filters: dict[str, str]) -> None:
        year = int(report["year"])
        base = frozenset(filters.items())
        self.reports.add((year, base))
        self._row(year, base, report["totals"])
        for dimension in TABLES:
            rows = report[f"by_{dimension}"]
            self.values[dimension].update(str(row["key"]) for row in rows)
            parts: dict[str, list[CellId]] = {m: [] for m in (*COUNTS, *MAGNITUDES)}
            for row in rows:
                key = str(row["key"])
                if dimension in filters:
                    if filters[dimension] != key:
                        # Outside the filter: no facts; a published value must be 0.
                        for measure in ("requests", "assignments", "unfilled", "cancelled"):
                            if row.get(measure) not in (0, None):
                                raise Inconsistent(f"{filters} {dimension}={key}: {measure}")
                        continue
                    conditions = base
                else:
                    conditions = base | {(dimension, key)}
                self._row(year, conditions, row)
                for measure in parts:
                    parts[measure].append((year, conditions, measure))
            if dimension in filters or not rows:
                continue
            if dimension == "language":
                # An open list: a language not listed is published as 0 (see `link`).
                self.language_tables.add((year, base))
                continue
            for measure, cells in parts.items():
                self.equations.append(((year, base, measure), cells))
        # Last year's figures as this report shows them (they must match last year's report).
        change = report["totals"].get("change") or {}
        for measure in ("requests", "assignments", "unfilled", "cancelled"):
            if change.get(measure) is not None:
                self._cell((year - 1, base, measure), change[measure]["previous"])
        for row in report["by_language"]:
            for measure in ("requests", "assignments", "unfilled"):
                before = (row.get("change") or {}).get(measure)
                if before is not None:
                    self._cell((year - 1, base | {("language", str(row["key"]))}, measure),
                               before["previous"])

    def _unlisted(self, measure: str) -> list[float]:
        """A row not listed where it would be: every count published as 0."""
        if measure in COUNTS:
            return list(self._count_bounds(0))
        return [0.0, 0.0 if self.magnitude_scale is None else INF]

    def link(self) -> None:
        """The cube's equations across reports: a cell is the sum of its parts along any filter
        dimension, e.g. Slovenian nationally = Slovenian on-site + video + phone, each read from
        the report filtered on that modality (a language missing from a report it would appear
        in is published as 0 there)."""
        for year, base in self.language_tables:
            for measure in (*COUNTS, *MAGNITUDES):
                parts = []
                for value in sorted(self.values["language"]):
                    part = (year, base | {("language", value)}, measure)
                    if part not in self.bounds:
                        self.bounds[part] = self._unlisted(measure)
                    parts.append(part)
                self.equations.append(((year, base, measure), parts))
        for year, conditions, measure in list(self.bounds):
            dimensions = {d for d, _v in conditions}
            filters = frozenset((d, v) for d, v in conditions if d in FILTERS)
            for dimension in FILTERS:
                if dimension in dimensions or not self.values[dimension]:
                    continue
                parts = []
                for value in sorted(self.values[dimension]):
                    part = (year, conditions | {(dimension, value)}, measure)
                    if part not in self.bounds:
                        if (year, filters | {(dimension, value)}) not in self.reports:
                            break  # that part was never looked at
                        self.bounds[part] = self._unlisted(measure)
                    parts.append(part)
                else:
                    self.equations.append(((year, conditions, measure), parts))

    # --- solving --------------------------------------------------------------------------------

    def solve(self, rounds: int = 50) -> dict[CellId, tuple[float, float]]:
        self.link()
        bounds = self.bounds
        for _round in range(rounds):
            changed = False
            for total, parts in self.equations:
                t = bounds[total]
                ps = [bounds[p] for p in parts]
                low_sum = sum(p[0] for p in ps)
                high_sum = sum(p[1] for p in ps)
                if low_sum > t[0] + 1e-9:
                    t[0], changed = low_sum, True
                if high_sum < t[1] - 1e-9:
                    t[1], changed = high_sum, True
                for p in ps:
                    others_low = low_sum - p[0]
                    others_high = high_sum - p[1] if p[1] < INF else (
                        sum(q[1] for q in ps if q is not p))
                    low = t[0] - others_high
                    high = t[1] - others_low
                    if low > p[0] + 1e-9:
                        p[0], changed = low, True
                    if high < p[1] - 1e-9:
                        p[1], changed = high, True
            for small, large in self.at_most:
                if bounds[small][1] > bounds[large][1] + 1e-9:
                    bounds[small][1], changed = bounds[large][1], True
                if bounds[large][0] < bounds[small][0] - 1e-9:
                    bounds[large][0], changed = bounds[small][0], True
            if not changed:
                break
        return {cell: (b[0], b[1]) for cell, b in bounds.items()}

    def recovered(
        self, truth: Callable[[CellId], float], threshold: int, *, hours_width: float = 0.5,
        cost_width: float = 100.0,
    ) -> list[tuple[CellId, float, tuple[float, float]]]:
        """Cells about fewer than `threshold` facts (`truth` gives a cell's exact figure) that
        the attacker pins down: a count to one whole number, hours or cost to within the widths."""
        solved = self.solve()
        found = []
        for cell, (low, high) in solved.items():
            year, conditions, measure = cell
            if measure in COUNTS:
                if high == INF or math.floor(high + 1e-9) != math.ceil(low - 1e-9):
                    continue
                # Pinned: the true count is that number (the bounds always hold the truth).
                true = math.ceil(low - 1e-9)
                if 0 < true < threshold:
                    assert truth(cell) == true, (cell, truth(cell), low, high)
                    found.append((cell, true, (low, high)))
            else:
                width = hours_width if measure == "hours" else cost_width
                if high - low > width:
                    continue
                count = truth((year, conditions,
                               "assignments" if measure == "hours" else "requests"))
                if 0 < count < threshold:
                    found.append((cell, truth(cell), (low, high)))
        return sorted(found, key=lambda f: (f[0][0], sorted(f[0][1]), f[0][2]))


FACT_COLUMNS = {"language": "language", "provider_type": "provider_type",
                "modality": "modality", "sector": "sector", "county": "county",
                "category": "interpreter_category"}


def truth_from_facts(facts: list[dict[str, Any]]) -> Callable[[CellId], float]:
    """The exact figure of any cell, from the facts themselves (dicts of the fact's fields)."""

    def truth(cell: CellId) -> float:
        year, conditions, measure = cell
        chosen = []
        for fact in facts:
            if fact["date"].year != year:
                continue
            for dimension, value in conditions:
                actual = fact[FACT_COLUMNS[dimension]] or {"category": "none",
                                                           "county": "unknown"}.get(dimension)
                if actual != value:
                    break
            else:
                chosen.append(fact)
        completed = [f for f in chosen if f["outcome"] == "completed"]
        if measure == "requests":
            return len(chosen)
        if measure == "assignments":
            return len(completed)
        if measure == "qualified":
            return sum(1 for f in completed if f["qualified"])
        if measure in ("unfilled", "cancelled"):
            return sum(1 for f in chosen if f["outcome"] == measure)
        if measure == "hours":
            return round(sum(f["duration_minutes"] or 0 for f in completed) / 60, 1)
        return float(sum(f["cost_nok"] or 0 for f in chosen))

    return truth
