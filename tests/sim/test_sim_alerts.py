"""Alert noise knobs: missing, delayed, flapping, false alarms, clock skew."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from tests.sim.conftest import with_noise

from outagelens.sim.alerts import AlertRun, add_noise, false_alarm_runs, to_alerts
from outagelens.sim.builtin import BUILTINS
from outagelens.sim.runner import simulate
from outagelens.sim.scenario import NoiseConfig
from outagelens.topology import Catalog

CLEAN = NoiseConfig.level("clean")
START = datetime(2026, 11, 26, tzinfo=UTC)


def _runs(n: int) -> list[AlertRun]:
    labels = {"alertname": "ServiceDown", "severity": "critical", "customer": "c"}
    return [AlertRun({**labels, "service": f"s{i}"}, "down", "up == 0", 100, 160) for i in range(n)]


def test_clean_noise_keeps_alerts_exact() -> None:
    out = add_noise(_runs(20), CLEAN, np.random.default_rng(1))
    assert [(r.start, r.end) for r in out] == [(100, 160)] * 20


@pytest.mark.parametrize(
    ("knobs", "low", "high"),
    [({"missing_alert_rate": 0.5}, 30, 70), ({"missing_alert_rate": 1.0}, 0, 0)],
    ids=["half", "all"],
)
def test_missing_alerts_drop_at_the_rate(knobs: dict[str, float], low: int, high: int) -> None:
    out = add_noise(_runs(100), CLEAN.model_copy(update=knobs), np.random.default_rng(2))
    assert low <= len(out) <= high


def test_delays_are_positive_and_capped() -> None:
    noise = CLEAN.model_copy(update={"alert_delay_minutes": 3, "alert_delay_max_minutes": 6})
    out = add_noise(_runs(200), noise, np.random.default_rng(3))
    delays = np.array([r.start - 100 for r in out])
    assert delays.min() > 0 and delays.max() <= 6
    assert 2 < np.median(delays) < 4


def test_flapping_splits_an_alert_under_one_fingerprint() -> None:
    noise = CLEAN.model_copy(update={"flapping_rate": 1.0})
    out = add_noise(_runs(1), noise, np.random.default_rng(4))
    assert len(out) >= 2
    alerts = to_alerts(out, START, 1440, 0.0)
    assert len({a.fingerprint for a in alerts}) == 1
    for first, second in itertools.pairwise(alerts):
        assert first.ends_at is not None and first.ends_at < second.starts_at  # a real gap


def test_alerts_past_the_window_end_are_still_firing() -> None:
    run = AlertRun({"alertname": "X", "severity": "error", "location": "l"}, "x", "x", 1400, 1500)
    (alert,) = to_alerts([run], START, 1440, 0.0)
    assert alert.status == "firing" and alert.ends_at is None


def test_false_alarms_follow_the_rate(example_catalog: Catalog) -> None:
    from outagelens.sim.timeline import build_rows

    rows = build_rows(example_catalog, np.random.default_rng(0), START)
    population = len(rows.keys) + len(example_catalog.components)
    noise = CLEAN.model_copy(update={"false_alarm_rate": 1.0})
    runs = false_alarm_runs(example_catalog, rows, 1440 * 10, noise, np.random.default_rng(5))
    assert 0.8 * 10 * population < len(runs) < 1.2 * 10 * population
    assert all(r.labels["severity"] == "warning" for r in runs)


def test_clock_skew_shifts_each_source_within_its_bound(example_catalog: Catalog) -> None:
    noise = CLEAN.model_copy(update={"clock_skew_seconds": {"changes": 300}})
    scenario = with_noise(BUILTINS["three-customers"].build(), noise)
    spec = scenario.faults[0]
    lag = spec.parameters["lag_minutes"]
    exact = scenario.window_start + timedelta(minutes=spec.onset_minutes - lag)
    offsets = set()
    for seed in range(6):
        result = simulate(example_catalog, scenario, seed)
        change = next(c for c in result.signals.changes if c.component == "fra1-fabric")
        offset = (change.time - exact).total_seconds()
        assert abs(offset) <= 300
        offsets.add(round(offset))
        assert result.truth.onset == scenario.window_start + timedelta(minutes=spec.onset_minutes)
    assert len(offsets) > 1  # each run draws its own offset
