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


@pytest.mark.parametrize("level", ["realistic", "harsh"], ids=str)
@pytest.mark.parametrize("name", BUILTIN_NAMES, ids=BUILTIN_NAMES)
def test_noisy_series_agree_up_to_noise(
    name: str, level: NoiseLevel, run_builtin: Run, example_catalog: Catalog
) -> None:
    result = run_builtin(name, level, 7)
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


def test_active_active_survivor_carries_the_load(
    run_builtin: Run, example_catalog: Catalog
) -> None:
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
    # Users move once DNS-based location failover (45 minutes in the example) has happened;
    # until then the survivor sees its usual traffic and the users of fra1 keep failing.
    ref = next(r for r in result.rows.of_subscription if r == "shopwave/managed-k8s")
    sub = example_catalog.subscriptions[ref].subscription
    moved = int(decisive.start) + int(np.ceil(sub.location_failover_minutes))
    usual = np.median(rate[survivor, a - 30 : a - 5])
    assert np.median(rate[survivor, a : moved - 2]) / usual < 1.3
    assert np.median(rate[survivor, moved + 2 : b]) / usual > 1.6
    # Afterwards only stragglers with stale DNS entries still reach the lost site.
    assert np.median(rate[lost, moved + 2 : b]) < 0.2 * np.median(rate[lost, a - 30 : a - 5])


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


def test_random_catalogs_agree_with_propagation() -> None:
    from outagelens.sim.runner import simulate
    from outagelens.sim.suite import generate_suite

    for case in generate_suite(8, seed=21, sizes=(200, 1000), noise_levels=("clean",)):
        result = simulate(case.catalog, case.scenario, case.seed)
        series, catalog = result.signals.series, case.catalog
        hit, touched = _rows(catalog, result)
        assert hit, case.name  # suites pick faults that take a subscription or a location down
        decisive = result.effects[0].phases[-1]
        a, b = int(np.ceil(decisive.start)) + 1, int(decisive.end) - 1
        limit = 0.1 if decisive.mode == "down" else 1 - 0.5 * decisive.error_fraction
        for row in sorted(hit):
            assert np.median(_availability(series, row, a, b)) <= limit, (case.name, row)
        for row in sorted(set(range(len(series.keys))) - touched):
            assert _availability(series, row, 0, series.n_minutes).min() > 0.95, (case.name, row)
        prop = catalog.propagate(result.truth.root_causes)
        assert result.truth.affected_customers == prop.affected_customers, case.name


def test_losing_a_redundant_instance_is_a_short_failover_stutter() -> None:
    from outagelens.sim.runner import simulate
    from outagelens.sim.scenario import FaultSpec, NoiseConfig, Scenario
    from outagelens.sim.timeline import lost_locations
    from outagelens.topology.synthetic import generate_catalog

    catalog = Catalog(generate_catalog(1000, seed=5))
    target, sid = next(
        (cid, prop.partial_subscriptions[0])
        for cid in catalog.components
        if (prop := catalog.propagate([cid])).partial_subscriptions
        and not prop.subscriptions
        and not any(lost_locations(catalog, s, prop.down) for s in prop.partial_subscriptions)
    )
    fault = FaultSpec(
        category="hardware",
        target=target,
        onset_minutes=600,
        duration_minutes=60,
        parameters={"degrade_minutes": 0},
    )
    scenario = Scenario(name="instance", faults=[fault], noise=NoiseConfig.level("clean"))
    result = simulate(catalog, scenario, 1)
    owner = catalog.subscriptions[sid].customer.id
    assert owner in result.truth.affected_customers
    for row in result.rows.of_subscription[sid]:
        avail = result.signals.series.values["availability"][row]
        assert avail[600] < 0.9  # the failover stutter
        assert avail[605:660].min() > 0.95  # then the surviving instance carries on
