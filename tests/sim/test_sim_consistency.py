"""What the truth says is down is what the series show down (up to the noise knobs)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from tests.sim.conftest import BUILTIN_NAMES

from outagelens.signals.frames import SeriesSet
from outagelens.sim.runner import SimResult
from outagelens.sim.scenario import NoiseLevel
from outagelens.sim.timeline import lost_rows
from outagelens.topology import Catalog

Run = Callable[[str, NoiseLevel, int], SimResult]


def _rows(catalog: Catalog, result: SimResult) -> tuple[set[int], set[int]]:
    """(rows hit by the root causes, rows of subscriptions the root causes touch at all)."""
    prop = catalog.propagate(result.truth.root_causes)
    hit: set[int] = set()
    touched: set[int] = set()
    for sid in prop.subscriptions:
        rows = result.rows.of_subscription[sid]
        hit.update(lost_rows(catalog, result.rows, sid, prop.down) or rows)
        touched.update(rows)
    for sid in prop.partial_subscriptions:
        hit.update(lost_rows(catalog, result.rows, sid, prop.down))
        touched.update(result.rows.of_subscription[sid])
    return hit, touched


def _secondary_rows(catalog: Catalog, result: SimResult) -> set[int]:
    rows: set[int] = set()
    for fault in result.truth.secondary_faults:
        prop = catalog.propagate([fault.entity])
        for sid in (*prop.subscriptions, *prop.partial_subscriptions):
            rows.update(result.rows.of_subscription[sid])
    return rows


def _availability(series: SeriesSet, row: int, a: int, b: int) -> np.ndarray:
    values = series.values["availability"][row, a:b]
    return values[~np.isnan(values)]


@pytest.mark.parametrize("name", BUILTIN_NAMES, ids=BUILTIN_NAMES)
def test_truth_customers_match_catalog_propagation(
    name: str, run_builtin: Run, example_catalog: Catalog
) -> None:
    result = run_builtin(name, "clean", 7)
    prop = example_catalog.propagate(result.truth.root_causes)
    assert result.truth.affected_customers == prop.affected_customers
    assert result.truth.affected_customers, "every built-in scenario hurts someone"


@pytest.mark.parametrize("name", BUILTIN_NAMES, ids=BUILTIN_NAMES)
def test_clean_series_show_exactly_what_is_down(
    name: str, run_builtin: Run, example_catalog: Catalog
) -> None:
    result = run_builtin(name, "clean", 7)
    series = result.signals.series
    hit, touched = _rows(example_catalog, result)
    decisive = result.effects[0].phases[-1]
    a, b = int(np.ceil(decisive.start)) + 1, int(decisive.end) - 1
    onset = series.minute_index(result.truth.onset)
    for row in sorted(hit):
        during = np.median(_availability(series, row, a, b))
        if decisive.mode == "down":
            assert during < 0.1, f"{series.keys[row]} should be down, availability {during}"
        else:
            assert during <= 1 - 0.5 * decisive.error_fraction, series.keys[row]
        before = _availability(series, row, 0, onset - 10)
        assert before.min() > 0.95, f"{series.keys[row]} unhealthy before the onset"
    for row in sorted(set(range(len(series.keys))) - touched):
        assert _availability(series, row, 0, series.n_minutes).min() > 0.95, series.keys[row]


@pytest.mark.parametrize("name", BUILTIN_NAMES, ids=BUILTIN_NAMES)
def test_realistic_series_agree_up_to_noise(
    name: str, run_builtin: Run, example_catalog: Catalog
) -> None:
    result = run_builtin(name, "realistic", 7)
    series = result.signals.series
    hit, touched = _rows(example_catalog, result)
    decisive = result.effects[0].phases[-1]
    a, b = int(np.ceil(decisive.start)) + 1, int(decisive.end) - 1
    for row in sorted(hit):
        # Partial degradation (a noise knob) may leave a row at 20-70 % errors instead of down.
        assert np.median(_availability(series, row, a, b)) < 0.8, series.keys[row]
    quiet = set(range(len(series.keys))) - touched - _secondary_rows(example_catalog, result)
    for row in sorted(quiet):
        assert _availability(series, row, 0, series.n_minutes).min() > 0.95, series.keys[row]


def test_active_active_survivor_carries_the_load(run_builtin: Run) -> None:
    result = run_builtin("three-customers", "clean", 7)
    series = result.signals.series
    decisive = result.effects[0].phases[-1]
    a, b = int(decisive.start) + 2, int(decisive.end) - 2
    lost = series.row(("shopwave", "managed-k8s", "fra1"))
    survivor = series.row(("shopwave", "managed-k8s", "ams1"))
    rate = series.values["request_rate"]
    assert np.median(series.values["availability"][lost, a:b]) < 0.1
    assert np.median(series.values["availability"][survivor, a:b]) > 0.95
    # Before the fault the two sites share the traffic; during it ams1 takes about all of it.
    before = np.median(rate[survivor, a - 60 : a - 10] / rate[lost, a - 60 : a - 10])
    assert 0.7 < before < 1.4
    during = np.median(rate[survivor, a:b]) / np.median(rate[survivor, a - 30 : a - 5])
    assert during > 1.6


def test_down_rows_lose_business_throughput(run_builtin: Run) -> None:
    result = run_builtin("three-customers", "clean", 7)
    series = result.signals.series
    decisive = result.effects[0].phases[-1]
    a, b = int(decisive.start) + 2, int(decisive.end) - 2
    row = series.row(("hansa-direktbank", "vm-hosting", "fra1"))
    tp = series.values["throughput"][row]
    assert np.nanmedian(tp[a:b]) < 0.05 * np.nanmedian(tp[a - 60 : a - 5])
    err = series.values["error_rate"][row]
    req = series.values["request_rate"][row]
    assert np.nanmedian(err[a:b] / req[a:b]) > 0.9  # error_rate is failed requests per second


def test_rows_without_business_kpi_have_no_throughput(run_builtin: Run) -> None:
    series = run_builtin("three-customers", "clean", 7).signals.series
    row = series.row(("shopwave", "managed-postgres", "fra1"))  # no transactions_per_minute
    assert np.isnan(series.values["throughput"][row]).all()
    assert not np.isnan(series.values["request_rate"][row]).any()
