"""Localization and attribution end to end on hand-built failures, each with a decoy."""

from __future__ import annotations

import gc
from dataclasses import replace

import pytest
from tests.rca.engine_builders import (
    Injection,
    at,
    build_signals,
    small_catalog,
    small_catalog_dict,
)

from outagelens.investigate import InvestigateConfig, investigate
from outagelens.rca.localize import LocalizeConfig
from outagelens.rca.models import CauseCategory, Evidence, Hypothesis
from outagelens.signals.types import Alert, SignalSet
from outagelens.topology.loader import catalog_from_dict

CASES = [
    (
        "san-hardware+innocent-deploy",
        Injection(["san"], alarms=[("san", "controller_failure", 60)], changes=[("lb-b", 52)]),
        ("san",),
        CauseCategory.HARDWARE,
    ),
    (
        "fabric-software+alarm-on-redundant-peer",
        Injection(["fabric"], changes=[("fabric", 56)], alarms=[("spine-2", "psu_failure", 20)]),
        ("fabric",),
        CauseCategory.SOFTWARE,
    ),
    (
        "edge-ddos",
        Injection(["edge-a"], surges=[("a", 12.0, 0.6, 0.7)]),
        ("edge-a",),
        CauseCategory.CYBERATTACK,
    ),
    (
        "lb-software+flash-sale",
        Injection(["lb"], changes=[("lb", 55)], surges=[("a", 3.0, 0.02, 0.04)]),
        ("lb",),
        CauseCategory.SOFTWARE,
    ),
    (
        "power-grid-and-generator+flood-warning",
        Injection(
            ["grid-a", "gen-a"],
            hazards=[("A1", 20)],
            alarms=[("grid-a", "utility_power_loss", 55), ("gen-a", "generator_start", 56)],
        ),
        ("gen-a", "grid-a"),
        CauseCategory.NATURAL_DISASTER,
    ),
    (
        "hv-hardware+cap-for-neighbouring-area",
        Injection(["hv"], alarms=[("hv", "memory_failure", 60)], hazards=[("B1", 30)]),
        ("hv",),
        CauseCategory.HARDWARE,
    ),
    (
        "san-series-only+missing-customer",
        Injection(
            ["san"],
            component_alerts=False,
            missing_series=("tenant",),
            alarms=[("san", "disk_failure", 50)],
        ),
        ("san",),
        CauseCategory.HARDWARE,
    ),
    (
        "fabric-staggered-alerts",
        Injection(["fabric"], alert_delay=8, changes=[("fabric", 50)]),
        ("fabric",),
        CauseCategory.SOFTWARE,
    ),
]


@pytest.mark.parametrize(
    ("inj", "root", "category"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rank_one_root_cause_and_category(
    inj: Injection, root: tuple[str, ...], category: CauseCategory
) -> None:
    cat = small_catalog()
    result = investigate(cat, build_signals(cat, inj))
    top = result.incidents[0].hypotheses[0]
    assert tuple(sorted(top.entities)) == root
    assert top.category is category
    assert top.evidence_for and top.summary
    assert all(ev.sentence for ev in (*top.evidence_for, *top.evidence_against))


def test_healthy_dependents_separate_fabric_from_san() -> None:
    # SAN fails: the colocation tenant (behind the fabric, not the SAN) stays healthy.
    cat = small_catalog()
    signals = build_signals(cat, Injection(["san"], component_alerts=False))
    result = investigate(cat, signals, config=InvestigateConfig(localize=LocalizeConfig(top_k=30)))
    hyps = {h.entities: h for h in result.incidents[0].hypotheses}
    assert ("fabric",) in hyps
    assert "tenant/colo@a" in hyps[("fabric",)].contradicted
    assert hyps[("fabric",)].rank > 1
    assert any(ev.kind == "healthy_dependent" for ev in hyps[("fabric",)].evidence_against)
    # Partly built without validation for speed: each must equal the validated model and
    # serialize so.
    every = [ev for h in hyps.values() for ev in (*h.evidence_for, *h.evidence_against)]
    assert {"explains_symptoms", "unexplained_symptoms", "healthy_dependent"} <= {
        ev.kind for ev in every
    }
    for ev in every:
        validated = Evidence.model_validate(ev.model_dump())
        assert validated == ev
        assert validated.model_dump_json() == ev.model_dump_json()
    # Unvalidated hypotheses still own their mutable values (no dict shared between two).
    assert len({id(h.category_probabilities) for h in hyps.values()}) == len(hyps)
    for h in hyps.values():
        checked = Hypothesis.model_validate(h.model_dump())
        assert checked == h
        assert checked.model_dump_json() == h.model_dump_json()


@pytest.mark.parametrize("enabled", [True, False], ids=["gc-on", "gc-off"])
def test_investigate_restores_the_garbage_collector_state(enabled: bool) -> None:
    # investigate pauses the cyclic collector while it runs; the caller's setting comes back.
    cat = small_catalog()
    signals = build_signals(cat, Injection(["san"]))
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        result = investigate(cat, signals)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert result.incidents[0].hypotheses[0].entities == ("san",)


def test_confidences_are_a_distribution_and_ranks_ordered() -> None:
    cat = small_catalog()
    result = investigate(cat, build_signals(cat, Injection(["hv"])))
    hyps = result.incidents[0].hypotheses
    assert [h.rank for h in hyps] == list(range(1, len(hyps) + 1))
    assert sum(h.confidence for h in hyps) <= 1.0 + 1e-6
    assert [h.log_likelihood for h in hyps] == sorted(
        (h.log_likelihood for h in hyps), reverse=True
    )


def test_no_symptoms_no_incident() -> None:
    cat = small_catalog()
    result = investigate(cat, build_signals(cat, Injection([])))
    assert result.incidents == []


@pytest.mark.parametrize(
    ("floor", "lone_listed"), [(0.01, "floor"), (0.0, "all")], ids=["floor", "no-floor"]
)
def test_lone_symptom_lists_only_likely_hypotheses(floor: float, lone_listed: str) -> None:
    # A SAN failure (many symptoms) and, 45 minutes after it ends, one alert on the lb (lone).
    cat = small_catalog()
    main = build_signals(cat, Injection(["san"]))
    other = build_signals(cat, Injection(["lb"], onset=150, duration=10), seed=2)
    lone_alerts = tuple(a for a in other.alerts if a.labels.get("component") == "lb")
    assert lone_alerts, "the lb failure must raise an alert on the lb"
    signals = SignalSet(
        meta=main.meta, series=main.series, traffic=main.traffic, alerts=main.alerts + lone_alerts
    )
    config = InvestigateConfig(localize=LocalizeConfig(lone_min_confidence=floor))
    result = investigate(cat, signals, config=config)
    big, lone = result.incidents[0], result.incidents[-1]
    assert len(big.incident.symptoms) > 1 and len(lone.incident.symptoms) == 1
    assert len(big.hypotheses) == 5  # where several symptoms are explained: the top 5
    assert lone.hypotheses[0].entities == ("lb",)
    if lone_listed == "floor":
        assert all(h.confidence >= floor for h in lone.hypotheses)
        assert len(lone.hypotheses) < 5
    else:
        assert len(lone.hypotheses) == 5
        assert min(h.confidence for h in lone.hypotheses) < 0.01


def test_lone_symptom_pruned_by_the_best_lists_what_scoring_every_single_lists() -> None:
    # A lone symptom scores only the singles within `prune_margin` of its best (not the top
    # k): what it lists must equal what scoring every candidate lists.
    cat = small_catalog()
    failed = build_signals(cat, Injection(["lb"], onset=150, duration=10), seed=2)
    lone = tuple(a for a in failed.alerts if a.labels.get("component") == "lb")
    signals = replace(build_signals(cat, Injection([])), alerts=lone)
    pruned = investigate(cat, signals)
    every = investigate(
        cat, signals, config=InvestigateConfig(localize=LocalizeConfig(prune_margin=1e9))
    )
    [incident] = pruned.incidents
    assert incident.hypotheses[0].explained == ("lb",)  # one symptomatic observation
    assert len(incident.hypotheses) < 5  # others below the floor are not listed
    assert pruned == every


def _with_alert_on(signals: SignalSet, component: str, severity: str) -> SignalSet:
    alert = Alert.model_validate(
        {
            "status": "resolved",
            "labels": {"alertname": "X", "severity": severity, "component": component},
            "startsAt": at(61),
            "endsAt": at(106),
        }
    )
    return replace(signals, alerts=(*signals.alerts, alert))


@pytest.mark.parametrize(
    ("grid_alert", "alarm", "on_down_device", "want"),
    [
        ("critical", True, True, ("grid-a", "hv")),
        ("critical", True, False, ("hv",)),
        ("critical", False, True, ("grid-a", "hv")),
        (None, True, True, ("hv",)),
        ("error", False, True, ("hv",)),
        ("warning", False, True, ("hv",)),
    ],
    ids=["down+alarm", "down+alarm-rule-off", "down", "alarm-only", "degraded", "warning"],
)
def test_a_device_left_down_is_tried_as_a_second_fault(
    grid_alert: str | None, alarm: bool, on_down_device: bool, want: tuple[str, ...]
) -> None:
    # The hypervisor fails, and the utility feed is lost at the same time (the generator
    # carries the load, so the feed takes nothing down): the feed reporting itself down is a
    # second fault; a feed that only reports errors, or only raises a hardware alarm (a failed
    # part of a redundant unit), is not.
    cat = small_catalog()
    alarms = [("grid-a", "utility_power_loss", 60)] if alarm else []
    signals = build_signals(cat, Injection(["hv"], alarms=alarms))
    if grid_alert is not None:
        signals = _with_alert_on(signals, "grid-a", grid_alert)
    config = InvestigateConfig(localize=LocalizeConfig(pair_on_down_device=on_down_device))
    top = investigate(cat, signals, config=config).incidents[0].hypotheses[0]
    assert tuple(sorted(top.entities)) == want


@pytest.mark.parametrize(
    ("bystander", "want"),
    [
        (False, ("gen-a", "grid-a")),
        (True, ("gen-a", "grid-a")),
    ],
    ids=["grid-and-generator", "with-a-separate-alarmed-ups"],
)
def test_alarmed_set_keeps_only_the_members_needed_together(
    bystander: bool, want: tuple[str, ...]
) -> None:
    # Utility feed and generator fail together; a spine below them also raises an alarm (its
    # failure follows from theirs). A UPS on battery that depends on neither reports errors:
    # once it is dropped from the set as a separate unit, its own symptom must not keep the
    # spine in the set.
    raw = small_catalog_dict()
    raw["components"].append({"id": "ups-x", "kind": "ups", "location": "a"})
    cat = catalog_from_dict(raw, source="small+ups")
    alarms = [
        ("grid-a", "utility_power_loss", 59),
        ("gen-a", "generator_start", 59),
        ("spine-1", "fan_failure", 60),
    ]
    if bystander:
        alarms.append(("ups-x", "ups_on_battery", 59))
    signals = build_signals(cat, Injection(["grid-a", "gen-a"], alarms=alarms))
    if bystander:
        signals = _with_alert_on(signals, "ups-x", "error")
    top = investigate(cat, signals).incidents[0].hypotheses[0]
    assert tuple(sorted(top.entities)) == want
