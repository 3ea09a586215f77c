"""Small-number suppression with a guarantee that no suppressed cell can be worked out.

Every table of the need report has the same structure. A row (a language, a county, ...) splits its
requests into four disjoint counts, the *atoms*: completed by a qualified interpreter (`cq`),
completed by an interpreter who was not qualified (`cu`), unfilled (`uf`) and cancelled (`cx`). The
report publishes five linear functions of the atoms for every row and for the table's total:

    requests = cq + cu + uf + cx     assignments = cq + cu     qualified = cq
    unfilled = uf                    cancelled = cx

(`qualified` is published as `qualified_share`, which together with `assignments` gives it away, so
it is treated as published.) A cell whose value is under the threshold (and not zero) is suppressed;
that is primary suppression. Then an attacker who knows every published cell and the totals can
solve a linear system; a suppressed cell is *recoverable* when its linear form lies in the span of
the published forms. `protect` adds secondary suppressions, cheapest first, until no suppressed cell
is recoverable. The test is exact linear algebra (the null space of the attacker's system), so it
also catches recoveries through chains of rows and columns, not only a single subtraction.

Zero cells are published: a zero is not a small number about anyone, and is what Statistics Norway
publishes. Hours and cost follow the suppression of assignments and requests respectively (their
columns have the same single sum constraint, so the same pattern protects them).
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
_TRIALS = 12

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


def _candidates(cell: Cell, values: pd.DataFrame, totals: pd.Series,
                suppressed: set[Cell]) -> list[Cell]:
    """Published cells whose suppression could protect `cell`, in the order they are tried: the
    same row, rows that already have suppressed cells, the same column, anything else, totals."""
    row, name = cell
    troubled = {r for r, _c in suppressed if r != TOTAL and r != row}
    published = [
        ((str(r), str(c)), int(v)) for r, cells in values.to_dict("index").items()
        for c, v in cells.items() if (str(r), str(c)) not in suppressed
    ]

    def rank(item: tuple[Cell, int]) -> tuple[int, int, str, int]:
        (r, c), value = item
        if row != TOTAL and r == row:
            group = 0
        elif r in troubled:
            group = 1
        elif c == name:
            group = 2
        else:
            group = 3
        return (group, value, r, CELLS.index(c))

    ordered = [c for c, _v in sorted(published, key=rank)]
    ordered += [
        (TOTAL, c) for c in sorted(CELLS, key=lambda c: int(totals[c]))
        if (TOTAL, c) not in suppressed
    ]
    return ordered


def _rectangle(
    target: Cell, values: pd.DataFrame, suppressed: set[Cell], rows: list[str]
) -> set[Cell] | None:
    """The cheapest 2x2 rectangle through `target` (its row r and column c, another column c' and
    another row s) that leaves `target` unrecoverable: the classic secondary pattern, needed when a
    cell is pinned both by its row and by its column."""
    row, name = target
    if row == TOTAL:
        return None
    table = values.to_dict("index")
    options: list[tuple[int, set[Cell]]] = []
    for other_cell in CELLS:
        if other_cell == name:
            continue
        for other_row in rows:
            if other_row == row:
                continue
            cells = {(row, other_cell), (other_row, name), (other_row, other_cell)}
            added = cells - suppressed
            cost = sum(int(table[r][c]) for r, c in added)
            options.append((cost, cells))
    options.sort(key=lambda item: (item[0], sorted(item[1])))
    for _cost, cells in options[: 4 * _TRIALS]:
        if target not in recoverable(rows, suppressed | cells):
            return cells - suppressed
    return None


def protect(
    atoms: pd.DataFrame, *, threshold: int, totals_suppressed: Iterable[str] = ()
) -> tuple[pd.DataFrame, set[str]]:
    """Which cells of a table to suppress.

    `atoms`: one row per key, columns cq, cu, uf, cx. `totals_suppressed`: total cells already
    suppressed (the totals are shared by every table). Returns a boolean frame (rows x CELLS) and
    the set of total cells that must be suppressed (a superset of `totals_suppressed`, larger only
    when a table cannot be protected otherwise).
    """
    values = cell_values(atoms)
    values.index = values.index.map(str)
    totals = values.sum()
    flags = primary(values, threshold).to_dict("index")
    suppressed: set[Cell] = {
        (str(r), str(c)) for r, cells in flags.items() for c, flag in cells.items() if flag
    }
    suppressed |= {(TOTAL, c) for c in totals_suppressed}
    rows = list(values.index)
    while True:
        exposed = recoverable(rows, suppressed)
        if not exposed:
            break
        target = exposed[0]
        candidates = _candidates(target, values, totals, suppressed)
        if not candidates:  # everything is suppressed already
            break
        chosen: set[Cell] = {candidates[0]}
        for candidate in candidates[:_TRIALS]:
            if target not in recoverable(rows, suppressed | {candidate}):
                chosen = {candidate}
                break
        else:
            rectangle = _rectangle(target, values, suppressed, rows)
            if rectangle:
                chosen = rectangle
        suppressed |= chosen
    mask = pd.DataFrame(False, index=values.index, columns=list(CELLS))
    for row, cell in suppressed:
        if row != TOTAL:
            mask.loc[row, cell] = True
    mask.index = atoms.index
    return mask, {c for r, c in suppressed if r == TOTAL}
