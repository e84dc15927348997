"""The scale bench's synthetic vectors: drawn with the covariance they claim, measured as they claim."""

from __future__ import annotations

import numpy as np

from bench.bench_scale import _step, effective_dims, spread


def test_steps_have_the_covariance_of_the_vectors_they_are_drawn_from() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 12)) @ rng.normal(size=(12, 12))  # correlated, uneven spread
    steps = _step(np.random.default_rng(4), 200_000, spread(x))
    want = np.cov(x, rowvar=False, bias=True)
    got = np.cov(steps, rowvar=False, bias=True)
    assert np.abs(got - want).max() < 0.03 * np.abs(want).max()


def test_effective_dimensions_count_the_directions_the_rows_use() -> None:
    rng = np.random.default_rng(5)
    assert 45 < effective_dims(rng.normal(size=(20_000, 50))) <= 50  # isotropic: every dimension
    flat = rng.normal(size=(20_000, 3)) @ rng.normal(size=(3, 50))  # three directions in fifty
    assert effective_dims(flat) <= 3.0 + 1e-6
