"""Each fault model leaves the evidence of its category, imperfect in the documented ways."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pytest
from tests.sim.conftest import with_noise

from outagelens.sim.builtin import BUILTINS
from outagelens.sim.runner import SimResult, simulate
from outagelens.sim.scenario import NoiseConfig, NoiseLevel
from outagelens.topology import Catalog

Run = Callable[[str, NoiseLevel, int], SimResult]
CLEAN = NoiseConfig.level("clean")


def _run(
    catalog: Catalog, name: str, noise: NoiseConfig, seed: int = 1, **fault: object
) -> SimResult:
    scenario = with_noise(BUILTINS[name].build(), noise)
    if fault:
        params = {**scenario.faults[0].parameters, **fault.pop("parameters", {})}  # type: ignore[dict-item]
        spec = scenario.faults[0].model_copy(update={**fault, "parameters": params})
        scenario = scenario.model_copy(update={"faults": [spec]})
    return simulate(catalog, scenario, seed)


# ---------------------------------------------------------------------------- hardware


def test_hardware_alarm_precedes_and_marks_the_failure(example_catalog: Catalog) -> None:
    result = _run(example_catalog, "hardware-san", CLEAN)
    onset = result.truth.onset
    assert onset is not None
    alarms = result.signals.hardware
    warnings = [a for a in alarms if a.component == "fra1-san" and a.time < onset]
    assert warnings and all(a.severity == "minor" for a in warnings)
    decisive = [a for a in alarms if a.severity == "critical"]
    assert [a.component for a in decisive] == ["fra1-san"]
    assert decisive[0].alarm == "controller_failure"
    scenario = BUILTINS["hardware-san"].build()
    failure = scenario.window_start + timedelta(minutes=scenario.faults[0].onset_minutes)
    assert timedelta(0) <= decisive[0].time - failure < timedelta(minutes=2)
    assert onset == failure - timedelta(minutes=6)  # it limped for degrade_minutes first


@pytest.mark.parametrize(
    ("knobs", "expected"),
    [
        ({"missing_alarm_rate": 1.0}, []),
        ({"peer_alarm_rate": 1.0}, ["fra1-spine-2"]),
    ],
    ids=["missing", "on-peer"],
)
def test_hardware_alarm_may_be_missing_or_on_a_peer(
    example_catalog: Catalog, knobs: dict[str, float], expected: list[str]
) -> None:
    noise = CLEAN.model_copy(update=knobs)
    scenario = BUILTINS["hardware-san"].build()
    spec = scenario.faults[0].model_copy(update={"target": "fra1-spine-1", "parameters": {}})
    scenario = scenario.model_copy(update={"faults": [spec], "noise": noise, "decoys": []})
    result = simulate(example_catalog, scenario, 2)
    decisive = [a.component for a in result.signals.hardware if a.severity == "critical"]
    assert decisive == expected


# ---------------------------------------------------------------------------- software


def test_software_change_lands_minutes_before_the_errors(example_catalog: Catalog) -> None:
    result = _run(example_catalog, "three-customers", CLEAN)
    onset = result.truth.onset
    assert onset is not None
    causal = [c for c in result.signals.changes if c.component == "fra1-fabric"]
    assert [c.kind for c in causal] == ["config", "rollback"]
    assert timedelta(minutes=1) <= onset - causal[0].time <= timedelta(minutes=10)
    decoys = {c.component for c in result.signals.changes} - {"fra1-fabric"}
    assert len(decoys) >= 2  # harmless changes elsewhere around the same time
    for comp in decoys:
        if comp in ("ams1-k8s", "fra2-lb"):
            assert not set(example_catalog.propagate([comp]).customers) & {"rheinlogistik"}


def test_software_deploy_names_versions(example_catalog: Catalog) -> None:
    result = _run(example_catalog, "software-lb", CLEAN)
    deploy = next(c for c in result.signals.changes if c.component == "ams1-lb")
    assert (deploy.kind, deploy.from_version, deploy.to_version) == ("deploy", "2.9.7", "3.0.3")


# ---------------------------------------------------------------------------- cyberattack


def test_ddos_spikes_traffic_with_new_sources(example_catalog: Catalog) -> None:
    result = _run(example_catalog, "ddos-edge", CLEAN)
    traffic = result.signals.traffic
    onset = traffic.minute_index(result.truth.onset)  # type: ignore[arg-type]
    key = ("ams1", "ams1-edge")
    req = traffic.get(key, "requests_per_s")
    new = traffic.get(key, "new_source_networks")
    distinct = traffic.get(key, "distinct_source_networks")
    syn = traffic.get(key, "syn_ratio")
    # The flash-sale decoy ends 35 minutes before the attack; compare with the quiet gap.
    before, during = slice(onset - 20, onset - 6), slice(onset + 10, onset + 40)
    assert np.median(req[during]) > 8 * np.median(req[before])
    assert (
        np.median(new[during] / distinct[during]) > 0.4 > np.median(new[before] / distinct[before])
    )
    assert np.median(syn[during]) > 0.5 > 0.1 > np.median(syn[before])
    other = traffic.get(("fra1", "fra1-edge"), "requests_per_s")
    assert np.median(other[during]) < 2 * np.median(other[before])


def test_edges_alert_on_surges_and_only_the_flood_looks_like_one(
    example_catalog: Catalog,
) -> None:
    result = _run(example_catalog, "ddos-edge", CLEAN)
    edge = [(a.alertname, a.location, a.starts_at.hour) for a in result.signals.alerts
            if a.labels.get("job") == "edge-flow-monitor"]  # fmt: skip
    # The flash sale (17:00, both ShopWave sites) raises ingress warnings; the 19:05 flood also
    # raises the SYN-flood alert on ams1.
    assert ("EdgeIngressHigh", "fra1", 17) in edge and ("EdgeIngressHigh", "ams1", 17) in edge
    assert ("EdgeSynFloodSuspected", "ams1", 19) in edge
    assert [x for x in edge if x[0] == "EdgeSynFloodSuspected"] == [
        ("EdgeSynFloodSuspected", "ams1", 19)
    ]


def test_flash_sale_decoy_raises_traffic_and_orders_without_errors(
    example_catalog: Catalog,
) -> None:
    result = _run(example_catalog, "ddos-edge", CLEAN)
    series = result.signals.series
    decoy = BUILTINS["ddos-edge"].build().decoys[0]
    a = int(decoy.at_minutes) + 15
    b = int(decoy.at_minutes + decoy.duration_minutes) - 5
    row = series.row(("shopwave", "managed-k8s", "fra1"))
    tp = series.values["throughput"][row]
    assert np.median(tp[a:b]) > 2 * np.median(tp[a - 120 : a - 30])
    assert np.nanmin(series.values["availability"][row, a:b]) > 0.95


# ---------------------------------------------------------------------------- natural / power


def test_power_loss_bridged_by_ups_then_site_goes_dark(example_catalog: Catalog) -> None:
    result = _run(example_catalog, "power-flood", CLEAN)
    kinds = {(a.component, a.alarm) for a in result.signals.hardware}
    assert {
        ("fra2-grid", "utility_power_loss"),
        ("fra2-ups", "ups_on_battery"),
        ("fra2-gen-1", "generator_start"),
    } <= kinds
    series = result.signals.series
    row = series.row(("nordpress", "vm-hosting", "fra2"))
    grid_loss = int(BUILTINS["power-flood"].build().faults[0].onset_minutes)
    avail = series.values["availability"][row]
    assert avail[grid_loss + 2 : grid_loss + 9].min() > 0.95  # on battery: nothing visible yet
    assert np.median(avail[grid_loss + 14 : grid_loss + 60]) < 0.1  # batteries last 11 minutes
    # The outage (truth onset) starts when the batteries run out, not at the grid loss.
    assert series.minute_index(result.truth.onset) == grid_loss + 11  # type: ignore[arg-type]
    hazard = result.signals.hazards[0]
    assert hazard.sent < result.truth.onset  # type: ignore[operator]


def test_short_power_loss_hides_behind_the_generator(example_catalog: Catalog) -> None:
    result = _run(example_catalog, "power-flood", CLEAN, parameters={"outcome": "hidden"})
    assert result.truth.affected_customers == ()
    assert min(np.nanmin(result.signals.series.values["availability"], axis=1)) > 0.95
    assert any(a.alarm == "generator_start" for a in result.signals.hardware)


def test_storm_cooling_fails_after_the_generator_took_over(example_catalog: Catalog) -> None:
    result = _run(
        example_catalog,
        "power-flood",
        CLEAN,
        parameters={"hazard": "storm", "outcome": "cooling_after_power", "cooling_lag_minutes": 20},
    )
    assert result.truth.root_causes == ("fra2-cooling", "fra2-grid")
    kinds = [a.alarm for a in result.signals.hardware]
    assert "utility_power_loss" in kinds and "cooling_failure" in kinds
    grid_loss = BUILTINS["power-flood"].build().faults[0].onset_minutes
    start = result.signals.meta.window_start
    assert result.truth.onset == start + timedelta(minutes=grid_loss + 20)


def test_heatwave_throttles_before_shutdown(example_catalog: Catalog) -> None:
    result = _run(example_catalog, "heatwave-cooling", CLEAN)
    phases = result.effects[0].phases
    assert [p.mode for p in phases] == ["degraded", "down"]
    assert result.truth.root_causes == ("ams1-cooling",)
    assert any(a.alarm == "over_temperature" for a in result.signals.hardware)


def test_degraded_component_alerts_on_itself_only(example_catalog: Catalog) -> None:
    result = _run(example_catalog, "software-lb", CLEAN)
    degraded = {a.component for a in result.signals.alerts if a.alertname == "ComponentDegraded"}
    down = {a.component for a in result.signals.alerts if a.alertname == "ComponentDown"}
    assert degraded == {"ams1-lb"} and down == set()
    customers = {a.customer for a in result.signals.alerts if a.alertname.startswith("Service")}
    assert customers == {"grachtenhuis", "shopwave"}
