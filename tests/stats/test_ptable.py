"""The published p-table of the cell key method (`stats.ptable`)."""

from __future__ import annotations

import numpy as np
import pytest

from stats import ptable


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_every_row_is_a_distribution_without_bias_from_the_threshold_up(threshold: int) -> None:
    table = ptable.table(threshold)
    for n, row in table.items():
        assert sum(w for _p, w in row) == pytest.approx(1.0)
        assert [p for p, _w in row] == sorted(p for p, _w in row)
        if n >= threshold:
            assert sum(p * w for p, w in row) == pytest.approx(0.0)
        if n > threshold:
            assert max(abs(p) for p, _w in row) <= ptable.MAX_PERTURBATION
    assert ptable.parameters(threshold)["variance"] == pytest.approx(1.2)


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_small_counts_are_never_published_and_never_at_the_edge(threshold: int) -> None:
    """A small count is published only as 0, and 0 allows counts on both sides of every small
    count: so an attacker's range for it can only close if every other figure of an equation
    were known exactly."""
    keys = np.random.default_rng(7).integers(0, ptable.KEY_RANGE, 20_000)
    for n in range(0, 3 * threshold):
        published = set(ptable.perturbed_counts(np.full(keys.shape, n), keys, threshold).tolist())
        assert not any(0 < v < threshold for v in published), n
        if n == 0:
            assert published == {0}
        for value in published:
            options = ptable.possible_true_counts(value, threshold)
            assert n in options
            if 0 < n < threshold:
                assert min(options) < n < max(options), (n, value, options)


def test_the_same_key_gives_the_same_value() -> None:
    counts = np.array([7, 7, 120, 0, 3])
    keys = np.array([12345, 12345, 99, 0, 2**31 - 1])
    first = ptable.perturbed_counts(counts, keys)
    assert (first == ptable.perturbed_counts(counts, keys)).all()
    assert first[0] == first[1] and first[3] == 0 and first[4] == 0


def test_the_key_is_taken_modulo_the_key_range() -> None:
    counts = np.array([40, 40])
    assert len(set(ptable.perturbed_counts(
        counts, np.array([5, 5 + ptable.KEY_RANGE])).tolist())) == 1


def test_sums_move_by_at_most_two_facts_worth() -> None:
    keys = np.random.default_rng(3).integers(0, ptable.KEY_RANGE, 5_000)
    sums = np.full(keys.shape, 600.0)
    counts = np.full(keys.shape, 10)
    published = ptable.perturbed_sums(sums, counts, keys)
    assert (np.abs(published - 600.0) <= 2 * 60.0 + 1e-9).all()
    assert published.std() > 10  # noise, not a constant shift
    assert abs(published.mean() - 600.0) < 5
    assert ptable.perturbed_sums(np.array([0.0]), np.array([0]), np.array([9]))[0] == 0.0
