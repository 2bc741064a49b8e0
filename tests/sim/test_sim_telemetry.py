"""Blocked series arithmetic gives exactly the values of the straightforward formulas."""

from __future__ import annotations

import numpy as np
import pytest

from outagelens.sim.telemetry import F32, _scale_rows, correlated_noise


def _reference_noise(n: int, n_minutes: int, rng: np.random.Generator) -> np.ndarray:
    """The whole-array formula: knots every 10 minutes, linear interpolation, variance fix."""
    knots = rng.standard_normal((n, n_minutes // 10 + 2), dtype=F32)
    t = np.arange(n_minutes)
    left, weight = t // 10, (t % 10).astype(F32) / F32(10)
    slow = knots[:, left] * (1 - weight) + knots[:, left + 1] * weight
    slow /= np.sqrt((1 - weight) ** 2 + weight**2)
    out = rng.standard_normal((n, n_minutes), dtype=F32)
    out += slow
    out *= F32(np.sqrt(0.5))
    return out


@pytest.mark.parametrize(
    ("n", "n_minutes"),
    [(3, 1440), (800, 1440), (5, 7), (1, 25), (0, 60)],
    ids=["day", "two-blocks", "short", "one-row", "no-rows"],
)
def test_blocked_noise_equals_the_whole_array_formula(n: int, n_minutes: int) -> None:
    got = correlated_noise(n, n_minutes, np.random.default_rng(4))
    want = _reference_noise(n, n_minutes, np.random.default_rng(4))
    assert got.dtype == np.float32 and got.shape == (n, n_minutes)
    assert np.array_equal(got, want)


def test_blocked_row_scaling_equals_the_whole_array_product() -> None:
    rng = np.random.default_rng(9)
    shape = rng.uniform(0.2, 1, size=(900, 1440)).astype(F32)
    per_row = rng.uniform(1, 500, size=900).astype(F32)
    wobble = rng.uniform(0.5, 1.5, size=(900, 1440)).astype(F32)
    want = per_row[:, None] * shape
    want *= wobble
    got = _scale_rows(wobble.copy(), per_row, shape)
    assert np.array_equal(got, want)
