"""DR drill: RTO from the recovery model, RPO from replication of lost stateful components."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from tests.resilience.conftest import build, comp

from outagelens.resilience.diversity import geographic_diversity
from outagelens.resilience.drill import dr_drill, run_scenario
from outagelens.topology import Catalog, load_catalog

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "three-customers.yaml"
LOCS = (("l1", "r1"), ("l2", "r1"), ("l3", "r2"))


def _db_catalog(replication: dict[str, Any] | None, dr: dict[str, float]) -> Catalog:
    db: dict[str, Any] = comp("db", kind="database", location="l1")
    if replication is not None:
        db["replication"] = replication
    standby = comp("standby", kind="database", location="l3")
    return build(
        [db, standby],
        service_requires=["db"],
        locations=LOCS,
        sub={"locations": ["l1"], "dr": dr},
    )


@pytest.mark.parametrize(
    ("replication", "dr", "loss", "status"),
    [
        ({"mode": "sync", "target": "standby"}, {"rto_minutes": 90, "rpo_minutes": 0}, 0.0, "pass"),
        (
            {"mode": "async", "lag_seconds": 120, "target": "standby"},
            {"rto_minutes": 90, "rpo_minutes": 1},
            2.0,
            "fail",
        ),
        (
            {"mode": "async", "lag_seconds": 30, "target": "standby"},
            {"rto_minutes": 90, "rpo_minutes": 1},
            0.5,
            "pass",
        ),
        (None, {"rto_minutes": 90, "rpo_minutes": 60}, math.inf, "fail"),
        ({"mode": "sync", "target": "standby"}, {"rto_minutes": 30, "rpo_minutes": 0}, 0.0, "fail"),
    ],
    ids=["sync", "async-too-slow", "async-ok", "no-replication", "rto-too-short"],
)
def test_site_loss_checks_rpo_and_rto(
    replication: dict[str, Any] | None, dr: dict[str, float], loss: float, status: str
) -> None:
    catalog = _db_catalog(replication, dr)
    scenario = run_scenario(catalog, "location", "l1", ["l1"])
    (check,) = scenario.checks
    assert check.data_loss_minutes == loss
    assert check.recovery_minutes == 60.0  # default location restore time
    assert check.status == status
    assert scenario.customer_status() == {"acme": status}


SYNC = {"mode": "sync", "target": "standby"}


def test_replica_lost_with_primary_is_unbounded() -> None:
    catalog = _db_catalog(SYNC, {"rto_minutes": 90, "rpo_minutes": 5})
    scenario = run_scenario(catalog, "region", "all", ["l1", "l3"])
    assert scenario.checks[0].data_loss_minutes == math.inf
    assert scenario.checks[0].status == "fail"


def test_drill_covers_every_location_and_region() -> None:
    catalog = _db_catalog(SYNC, {"rto_minutes": 90, "rpo_minutes": 0})
    names = [(s.kind, s.name) for s in dr_drill(catalog)]
    assert names == [
        ("location", "l1"),
        ("location", "l2"),
        ("location", "l3"),
        ("region", "r1"),
        ("region", "r2"),
    ]
    l2 = dr_drill(catalog)[1]
    assert l2.customer_status() == {"acme": "unaffected"}


def test_example_drill_story() -> None:
    scenarios = {(s.kind, s.name): s for s in dr_drill(load_catalog(EXAMPLE))}
    fra1 = scenarios[("location", "fra1")].customer_status()
    assert fra1["hansa-direktbank"] == "fail"  # RTO 120 < 480 minutes to restore fra1
    assert fra1["rheinlogistik"] == "pass"  # RTO 480, no stateful component lost
    assert fra1["grachtenhuis"] == "unaffected"
    fra2 = scenarios[("location", "fra2")].customer_status()
    assert fra2["nordpress"] == "no-target"


def test_example_diversity() -> None:
    findings = {f.subscription: f for f in geographic_diversity(load_catalog(EXAMPLE))}
    assert findings["hansa-direktbank/online-banking"].single_locations == ("fra1",)
    assert findings["hansa-direktbank/online-banking"].single_regions == ("eu-central",)
    assert not findings["shopwave/managed-k8s"].weak
    assert findings["rheinlogistik/colocation"].power_spofs == ("fra1-colo-power",)
    assert findings["nordpress/vm-hosting"].power_spofs == ("fra2-power", "fra2-ups")


def test_stateful_index_matches_dependency_closure() -> None:
    from outagelens.resilience.drill import STATEFUL_KINDS, _StatefulIndex

    catalog = load_catalog(EXAMPLE)
    index = _StatefulIndex(catalog)
    for sid in catalog.subscriptions:
        expected = sorted(
            d
            for d in catalog.dependencies(sid)
            if d in catalog.components
            and (
                catalog.components[d].kind in STATEFUL_KINDS
                or catalog.components[d].replication is not None
            )
        )
        assert list(index.of_subscription[sid]) == expected, sid


def test_region_diversity_on_hand_built_catalog() -> None:
    locs = (("a1", "ra"), ("a2", "ra"), ("b1", "rb"))
    same_region = build(
        [], locations=locs, sub={"locations": ["a1", "a2"], "min_healthy_locations": 1}
    )
    (finding,) = geographic_diversity(same_region)
    assert finding.single_locations == ()
    assert finding.single_regions == ("ra",)
    assert finding.weak
    two_regions = build(
        [], locations=locs, sub={"locations": ["a1", "b1"], "min_healthy_locations": 1}
    )
    (finding,) = geographic_diversity(two_regions)
    assert (finding.single_regions, finding.weak) == ((), False)
