"""An attacker on a published table, written independently of `stats.suppression`: it reads only
the published JSON and tries to compute the suppressed counts exactly."""

from __future__ import annotations

from typing import Any

import numpy as np

# Each row's four disjoint parts: completed qualified, completed not qualified, unfilled, cancelled.
PUBLISHED = {
    "requests": (1, 1, 1, 1),
    "assignments": (1, 1, 0, 0),
    "unfilled": (0, 0, 1, 0),
    "cancelled": (0, 0, 0, 1),
    "qualified": (1, 0, 0, 0),
}


def _qualified(row: dict[str, Any]) -> int | None:
    if row.get("qualified_share") is None or row.get("assignments") is None:
        return None
    return round(row["qualified_share"] * row["assignments"])


def published_values(row: dict[str, Any]) -> dict[str, int | None]:
    values = {name: row.get(name) for name in ("requests", "assignments", "unfilled", "cancelled")}
    values["qualified"] = _qualified(row)
    if row.get("assignments") == 0:
        values["qualified"] = 0
    return values


def recoverable_cells(
    table: list[dict[str, Any]], totals: dict[str, Any]
) -> list[tuple[str, str, float]]:
    """Every (row key, cell, value) among the suppressed cells that the published cells and the
    totals determine exactly, found by comparing matrix ranks."""
    keys = [row["key"] for row in table]
    width = 4 * len(keys)
    equations: list[np.ndarray] = []
    unknown: list[tuple[str, str, np.ndarray]] = []
    for i, row in enumerate(table):
        values = published_values(row)
        for name, form in PUBLISHED.items():
            vector = np.zeros(width)
            vector[4 * i: 4 * i + 4] = form
            if values[name] is None:
                unknown.append((row["key"], name, vector))
            else:
                equations.append(vector)
    total_values = published_values(totals)
    for name, form in PUBLISHED.items():
        vector = np.tile(np.array(form, dtype=float), len(keys))
        if total_values[name] is None:
            unknown.append(("__total__", name, vector))
        else:
            equations.append(vector)
    matrix = np.array(equations) if equations else np.zeros((0, width))
    base = np.linalg.matrix_rank(matrix) if len(equations) else 0
    found = []
    for key, name, vector in unknown:
        stacked = np.vstack([matrix, vector]) if len(equations) else vector[None, :]
        if np.linalg.matrix_rank(stacked) == base:
            found.append((key, name, 0.0))
    return found


def single_subtractions(table: list[dict[str, Any]], totals: dict[str, Any]) -> list[str]:
    """The naive attack: a column with exactly one suppressed cell under a published total."""
    exposed = []
    for name in ("requests", "assignments", "unfilled", "cancelled", "hours", "cost_nok"):
        hidden = [row["key"] for row in table if row[name] is None]
        if len(hidden) == 1 and totals.get(name) is not None:
            exposed.append(f"{hidden[0]}.{name}")
    return exposed
