"""Small-number suppression with a guarantee that no suppressed cell can be worked out.

Every table of the need report has the same structure. A row (a language, a county, ...) splits its
requests into four disjoint counts, the *atoms*: completed by a qualified interpreter (`cq`),
completed by an interpreter who was not qualified (`cu`), unfilled (`uf`) and cancelled (`cx`). The
report publishes five linear functions of the atoms for every row and for the table's total:

    requests = cq + cu + uf + cx     assignments = cq + cu     qualified = cq
    unfilled = uf                    cancelled = cx

(`qualified` is published as `qualified_share`, which together with `assignments` gives it away, so
it is treated as published), plus hours and cost.

The rule (`protect`):
1. Primary: a row with any count under the threshold (zero excepted) is withheld *as a whole*: all
   its counts, shares, hours and cost. Within a row the counts are tied together (requests =
   assignments + unfilled + cancelled), so withholding one cell would let it be recomputed from its
   neighbours; withholding the row removes every within-row equation.
2. Secondary: what remains for an attacker are the column totals, which give only the *sums* of
   each atom over the withheld rows. With two or more withheld rows no single row's value follows
   from those sums, so when exactly one row is withheld, the smallest other row is withheld too.
3. Totals: if a total is itself under the threshold, all totals are withheld (the totals row has
   the same within-row equations), and every row that contributes to the small total is withheld
   by rule 1, so the total cannot be summed up from published rows either.

Zero cells of published rows are published: a zero is not a small number about anyone, and is what
Statistics Norway publishes. `recoverable` checks a suppression pattern with exact linear algebra
(the null space of the attacker's system), for tests and audits of any pattern.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

ATOMS = ("cq", "cu", "uf", "cx")
CELLS = ("requests", "assignments", "qualified", "unfilled", "cancelled")
FORMS: dict[str, np.ndarray] = {
    "requests": np.array([1.0, 1.0, 1.0, 1.0]),
    "assignments": np.array([1.0, 1.0, 0.0, 0.0]),
    "qualified": np.array([1.0, 0.0, 0.0, 0.0]),
    "unfilled": np.array([0.0, 0.0, 1.0, 0.0]),
    "cancelled": np.array([0.0, 0.0, 0.0, 1.0]),
}
TOTAL = "__total__"
_TOLERANCE = 1e-8

Cell = tuple[str, str]  # (row key or TOTAL, cell name)


def cell_values(atoms: pd.DataFrame) -> pd.DataFrame:
    """The five published counts of each row, from the atoms (columns cq, cu, uf, cx)."""
    return pd.DataFrame(
        {
            "requests": atoms["cq"] + atoms["cu"] + atoms["uf"] + atoms["cx"],
            "assignments": atoms["cq"] + atoms["cu"],
            "qualified": atoms["cq"],
            "unfilled": atoms["uf"],
            "cancelled": atoms["cx"],
        },
        index=atoms.index,
    )


def primary(values: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Cells under the threshold, zero excepted."""
    return (values > 0) & (values < threshold)


def _system(rows: list[str], suppressed: set[Cell]) -> tuple[list[str], np.ndarray]:
    """The attacker's equations over the atoms of the rows that have a suppressed cell (every other
    row is fully known and drops out into the constants)."""
    unknown_rows = sorted({row for row, _cell in suppressed if row != TOTAL})
    position = {row: i for i, row in enumerate(unknown_rows)}
    width = 4 * len(unknown_rows)
    equations: list[np.ndarray] = []
    for row in unknown_rows:
        for cell in CELLS:
            if (row, cell) not in suppressed:
                vector = np.zeros(width)
                vector[4 * position[row]: 4 * position[row] + 4] = FORMS[cell]
                equations.append(vector)
    if unknown_rows:
        equations.extend(
            np.tile(FORMS[cell], len(unknown_rows))
            for cell in CELLS if (TOTAL, cell) not in suppressed
        )
    matrix = np.array(equations) if equations else np.zeros((0, width))
    return unknown_rows, matrix


def _form(cell: Cell, unknown_rows: list[str]) -> np.ndarray:
    row, name = cell
    if row == TOTAL:
        return np.tile(FORMS[name], len(unknown_rows))
    vector = np.zeros(4 * len(unknown_rows))
    i = unknown_rows.index(row)
    vector[4 * i: 4 * i + 4] = FORMS[name]
    return vector


def recoverable(rows: Iterable[str], suppressed: set[Cell]) -> list[Cell]:
    """The suppressed cells an attacker can compute exactly from the published ones."""
    rows = list(rows)
    unknown_rows, matrix = _system(rows, suppressed)
    width = 4 * len(unknown_rows)
    if width == 0:
        return sorted(suppressed)  # only totals are suppressed: each is the sum of its column
    if matrix.shape[0]:
        _u, singular, vt = np.linalg.svd(matrix, full_matrices=True)
        rank = int((singular > _TOLERANCE * max(1.0, singular[0])).sum())
        null_space = vt[rank:].T
    else:
        null_space = np.eye(width)
    found = []
    for cell in sorted(suppressed):
        form = _form(cell, unknown_rows)
        if null_space.shape[1] == 0 or np.linalg.norm(form @ null_space) < 1e-7:
            found.append(cell)
    return found


def protect(
    atoms: pd.DataFrame, *, threshold: int, totals_suppressed: Iterable[str] = ()
) -> tuple[pd.DataFrame, set[str]]:
    """Which cells of a table to withhold (see the module's rule).

    `atoms`: one row per key, columns cq, cu, uf, cx. `totals_suppressed`: total cells withheld
    already (the totals are shared by every table). Returns a boolean frame (rows x CELLS) and the
    set of total cells to withhold: empty, or all of CELLS.
    """
    values = cell_values(atoms)
    totals = values.sum()
    hidden_totals = set(totals_suppressed)
    if hidden_totals or ((totals > 0) & (totals < threshold)).any():
        hidden_totals = set(CELLS)
    rows = primary(values, threshold).any(axis=1)
    if int(rows.sum()) == 1 and not hidden_totals:
        candidates = values.loc[~rows].sort_values("requests", kind="stable")
        nonzero = candidates.loc[candidates["requests"] > 0]
        pick = nonzero if not nonzero.empty else candidates
        if pick.empty:
            # The withheld row is the whole table: it equals the totals.
            hidden_totals = set(CELLS)
        else:
            rows.loc[pick.index[0]] = True
    if hidden_totals and not rows.any():
        # Withheld totals must not be the sum of published rows.
        nonzero = values.loc[values["requests"] > 0].sort_values("requests", kind="stable")
        if not nonzero.empty:
            rows.loc[nonzero.index[0]] = True
    mask = pd.DataFrame(
        np.repeat(rows.to_numpy()[:, None], len(CELLS), axis=1),
        index=atoms.index, columns=list(CELLS),
    )
    return mask, hidden_totals
