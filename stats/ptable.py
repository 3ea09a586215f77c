"""The published perturbation table (p-table) of the need report: the cell key method.

This table is part of the statistics' documentation: a reader may know it completely, and the
protection does not depend on keeping it secret. It only depends on the record keys, which are
never published.

How a published count is made (Australian Bureau of Statistics TableBuilder, ONS 2021 census,
Eurostat's recommendation for the 2021 census hypercubes):

1. Every fact gets a *record key* once, when it is stored: a random whole number in
   [0, KEY_RANGE), kept for as long as the fact exists (`AssignmentFact.record_key`).
2. A cell (any count the report publishes: requests, assignments, qualified, unfilled or
   cancelled for a set of filters and a table row, or the totals) has the *cell key*: the sum of
   its facts' record keys modulo KEY_RANGE. The same facts always give the same cell key, whatever
   report, filter, year or format the cell appears in.
3. The published count is the true count plus a perturbation looked up in the table by the true
   count (every count from the threshold + 2 up uses the same row) and the cell key as a position
   u = cell key / KEY_RANGE in [0, 1): the perturbations of a row are laid out from the most
   negative to the most positive, each taking a slice of [0, 1) as wide as its probability.

The table for the small-number threshold t (`TOLK_SUPPRESSION_THRESHOLD`, default 5; `table`):

    true count      published as (probability)
    0               0 (1)
    1 .. t-1        0 (1)
    t               0 (0.5/t), t (0.5 - 0.5/t + 0.1), t+1 (0.3), t+2 (0.1)
    t+1             t (0.25), t+1 (0.5), t+2 (0.25)
    n >= t+2        n-2 (0.1), n-1 (0.2), n (0.4), n+1 (0.2), n+2 (0.1)

With t = 5: a count of 5 is published as 0, 5, 6 or 7 with probabilities 0.1, 0.5, 0.3, 0.1.

Parameters (`parameters`):
- maximum perturbation D = 2 for every count from t+1 up (a count of t may be published as 0);
- variance V = 1.2 for counts from t+2 up (0.5 for t+1); the expected perturbation is 0 from t up;
- zeros stay zero: a count of 0 is always published as 0;
- small-count rule: no count from 1 to t-1 is ever published (ABS publishes no 1 or 2; here no
  1 to 4). A small count is published as 0, and a published 0 may be any count from 0 to t, so
  it never shows itself. Why so strict: a published value v >= t comes only from true counts of
  at least t, so every small count lies strictly inside the range of counts its published 0
  allows; an attacker who subtracts reports or solves the tables as linear equations gets only
  ranges, and pins a small count only if every other figure of an equation were known exactly.

Sums (hours, cost) get a perturbation driven by the same cell key (`perturbed_sums`): up to
MAGNITUDE_SCALE facts' worth of the cell's mean value per fact either way, so a national sum is
nearly exact while the difference of two reports cannot give a small cell's hours or cost back.
A sum is 0 where its count is published as 0, so a small cell's hours and cost are never
published.
"""

from __future__ import annotations

from functools import cache
from typing import Final

import numpy as np

KEY_RANGE: Final = 2**31
MAX_PERTURBATION: Final = 2
MAGNITUDE_SCALE: Final = 2.0
DEFAULT_THRESHOLD: Final = 5

Row = tuple[tuple[int, float], ...]  # (perturbation, probability), most negative first


@cache
def table(threshold: int = DEFAULT_THRESHOLD) -> dict[int, Row]:
    """The p-table for a small-number threshold: true count -> row; the last row serves every
    larger count."""
    t = max(int(threshold), 2)
    rows: dict[int, Row] = {0: ((0, 1.0),)}
    for n in range(1, t):
        rows[n] = ((-n, 1.0),)
    to_zero = 0.5 / t
    rows[t] = ((-t, to_zero), (0, 0.5 - to_zero + 0.1), (1, 0.3), (2, 0.1))
    rows[t + 1] = ((-1, 0.25), (0, 0.5), (1, 0.25))
    rows[t + 2] = ((-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1))
    return rows


def _variance(row: Row) -> float:
    mean = sum(p * w for p, w in row)
    return sum(w * (p - mean) ** 2 for p, w in row)


def parameters(threshold: int = DEFAULT_THRESHOLD) -> dict[str, object]:
    """What the report publishes about its protection."""
    rows = table(threshold)
    return {
        "method": "cell_key",
        "key_range": KEY_RANGE,
        "max_perturbation": MAX_PERTURBATION,
        "variance": round(_variance(rows[max(rows)]), 4),
        "small_counts": [1, max(int(threshold), 2) - 1],
        "small_counts_published_as": 0,
        "zeros_stay_zero": True,
        "magnitude_scale": MAGNITUDE_SCALE,
    }


@cache
def _lookup(threshold: int) -> tuple[int, dict[int, np.ndarray], dict[int, np.ndarray]]:
    rows = table(threshold)
    bounds = {}
    for n, row in rows.items():
        edges = np.cumsum([w for _p, w in row])
        edges[-1] = 1.0  # no gap at the top from rounding
        bounds[n] = edges
    steps = {n: np.array([p for p, _w in row], dtype=np.int64) for n, row in rows.items()}
    return max(rows), bounds, steps


def _position(cell_keys: np.ndarray) -> np.ndarray:
    return (np.asarray(cell_keys, dtype=np.int64) % KEY_RANGE) / KEY_RANGE


def perturbation(counts: np.ndarray, cell_keys: np.ndarray,
                 threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """The perturbation of each cell (true count, cell key) from the table."""
    last, bounds, steps = _lookup(threshold)
    counts = np.asarray(counts, dtype=np.int64)
    position = _position(cell_keys)
    rows = np.minimum(counts, last)
    result = np.zeros(counts.shape, dtype=np.int64)
    for n in bounds:
        mask = rows == n
        if mask.any():
            index = np.searchsorted(bounds[n], position[mask], side="right")
            result[mask] = steps[n][np.minimum(index, len(steps[n]) - 1)]
    return result


def perturbed_counts(counts: np.ndarray, cell_keys: np.ndarray,
                     threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """The published counts: true count plus its perturbation."""
    counts = np.asarray(counts, dtype=np.int64)
    return counts + perturbation(counts, cell_keys, threshold)


def _mixed(cell_keys: np.ndarray) -> np.ndarray:
    """A second position in [0, 1) from the cell key, unrelated to the count's position: an
    integer hash (xorshift-multiply), so the sums' noise does not follow the counts' noise."""
    x = np.asarray(cell_keys, dtype=np.uint64) % np.uint64(KEY_RANGE)
    mask = np.uint64(0xFFFFFFFF)
    with np.errstate(over="ignore"):
        x = ((x ^ (x >> np.uint64(16))) * np.uint64(0x45D9F3B)) & mask
        x = ((x ^ (x >> np.uint64(16))) * np.uint64(0x45D9F3B)) & mask
        x = x ^ (x >> np.uint64(16))
    return (x & mask).astype(np.float64) / float(2**32)


def magnitude_noise(cell_keys: np.ndarray) -> np.ndarray:
    """The sums' noise factor z in [-1, 1) of each cell, from its cell key."""
    return 2.0 * _mixed(cell_keys) - 1.0


def perturbed_sums(sums: np.ndarray, counts: np.ndarray, cell_keys: np.ndarray) -> np.ndarray:
    """Published sums: the true sum plus z * MAGNITUDE_SCALE facts' worth of the cell's mean
    value per fact (never below 0). A cell without facts keeps its sum of 0."""
    sums = np.asarray(sums, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    mean = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return np.maximum(sums + magnitude_noise(cell_keys) * MAGNITUDE_SCALE * mean, 0.0)


def possible_true_counts(published: int, threshold: int = DEFAULT_THRESHOLD) -> list[int]:
    """Every true count that can be published as `published` (what a reader who knows the table
    can tell from one cell alone)."""
    rows = table(threshold)
    last = max(rows)
    found = []
    for n in range(0, max(published, last) + MAX_PERTURBATION + 1):
        row = rows[min(n, last)]
        if any(n + p == published and w > 0 for p, w in row):
            found.append(n)
    return found
