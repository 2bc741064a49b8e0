"""What-if outage lengths under the recovery model, and the stand-in cost estimate."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.resilience.conftest import build, comp, group

from outagelens.errors import UnknownEntityError
from outagelens.resilience.costs import estimate_outage_cost, sla_credit
from outagelens.resilience.cutsets import ResilienceError
from outagelens.resilience.whatif import whatif
from outagelens.topology import load_catalog
from outagelens.topology.models import Subscription

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "three-customers.yaml"


def _restore(minutes: float) -> dict[str, dict[str, float]]:
    return {"recovery": {"restore_minutes": minutes}}


@pytest.mark.parametrize(
    ("failed", "expected"),
    [(["a"], None), (["a", "b"], 30.0), (["p"], 200.0), (["a", "b", "p"], 200.0)],
    ids=["one-member-survives", "up-when-first-restored", "series", "longest-dominates"],
)
def test_down_until_enough_roots_restored(failed: list[str], expected: float | None) -> None:
    catalog = build(
        [comp("a", **_restore(30)), comp("b", **_restore(90)), comp("p", **_restore(200))],
        service_requires=["p"],
        service_groups=[group("pair", 1, ["a", "b"])],
    )
    outages = {o.subscription: o for o in whatif(catalog, failed).outages}
    if expected is None:
        assert outages == {}
    else:
        assert outages["acme/svc"].state == "down"
        assert outages["acme/svc"].minutes == expected


def test_group_failover_is_a_brief_outage() -> None:
    catalog = build(
        [comp("a"), comp("b")], service_groups=[group("pair", 1, ["a", "b"], failover=2.5)]
    )
    (outage,) = whatif(catalog, ["a"]).outages
    assert (outage.state, outage.minutes) == ("failover", 2.5)
    assert outage.cost.revenue_lost == pytest.approx(2.5 * 10)


def test_location_failover_uses_subscription_figure() -> None:
    catalog = build(
        [],
        locations=(("l1", "r1"), ("l2", "r2")),
        sub={"locations": ["l1", "l2"], "min_healthy_locations": 1, "location_failover_minutes": 5},
    )
    (outage,) = whatif(catalog, ["l1"]).outages
    assert (outage.state, outage.minutes) == ("failover", 5)
    both = whatif(catalog, ["l1", "l2"])
    assert both.outages[0].state == "down"
    assert both.customers_down == ("acme",)


def test_example_site_loss() -> None:
    catalog = load_catalog(EXAMPLE)
    result = whatif(catalog, ["fra1"])
    assert result.customers_down == ("hansa-direktbank", "rheinlogistik")
    states = {o.subscription: (o.state, o.minutes) for o in result.outages}
    assert states["rheinlogistik/colocation"] == ("down", 480.0)
    # active-active across fra1 and ams1: users move to ams1 within location_failover_minutes
    assert states["shopwave/managed-k8s"] == ("failover", 45.0)
    banking = next(o for o in result.outages if o.subscription.endswith("online-banking"))
    assert banking.cost.revenue_lost == pytest.approx(350 * 480)
    assert banking.path[0] == "hansa-direktbank/online-banking"
    assert banking.path[-1] == "fra1"


def test_errors_name_the_entity() -> None:
    catalog = load_catalog(EXAMPLE)
    with pytest.raises(UnknownEntityError, match="fra1-coolin"):
        whatif(catalog, ["fra1-coolin"])
    with pytest.raises(ResilienceError, match="shopwave"):
        whatif(catalog, ["shopwave"])
    with pytest.raises(ResilienceError):
        whatif(catalog, [])


SLA = {
    "target_percent": 99.9,
    "credit_tiers": [
        {"below_percent": 99.9, "credit_percent": 10},
        {"below_percent": 99.0, "credit_percent": 25},
    ],
}


@pytest.mark.parametrize(
    ("minutes", "credit"),
    [(0, 0.0), (40, 0.0), (50, 100.0), (500, 250.0)],
    ids=["none", "within-target", "first-tier", "second-tier"],
)
def test_sla_credit_tiers(minutes: float, credit: float) -> None:
    sub = Subscription.model_validate(
        {"service": "s", "locations": ["l"], "monthly_fee": 1000, "sla": SLA}
    )
    # 43 200 minutes a month: 99.9% allows 43.2 minutes, 99.0% allows 432
    assert sla_credit(sub, minutes) == credit
    cost = estimate_outage_cost(sub, minutes)
    assert cost.sla_credit == credit
    assert cost.revenue_lost == 0.0


def test_min_credit_suppresses_small_credits() -> None:
    sub = Subscription.model_validate(
        {"service": "s", "locations": ["l"], "monthly_fee": 1000, "sla": {**SLA, "min_credit": 150}}
    )
    assert sla_credit(sub, 50) == 0.0
    assert sla_credit(sub, 500) == 250.0


def test_failover_path_leads_to_a_failed_root() -> None:
    catalog = build(
        [
            comp("top", redundancy=[group("pair", 1, ["a", "b"], failover=1.5)]),
            comp("a"),
            comp("b"),
        ],
        service_requires=["top"],
    )
    (outage,) = whatif(catalog, ["b"]).outages
    assert outage.state == "failover"
    assert outage.path == ("acme/svc", "svc", "top", "b")


def test_longest_failover_wins() -> None:
    catalog = build(
        [
            comp("x", redundancy=[group("g", 1, ["a", "b"], failover=1.0)]),
            comp("y", redundancy=[group("g", 1, ["a", "c"], failover=4.0)]),
            comp("a"),
            comp("b"),
            comp("c"),
        ],
        service_requires=["x", "y"],
    )
    (outage,) = whatif(catalog, ["a"]).outages
    assert (outage.state, outage.minutes) == ("failover", 4.0)
    assert outage.path[2] == "y"
