"""NIS2 (Implementing Regulation 2024/2690): each criterion just under and just over."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.impact.impact_builders import T0, affected, incident, interval, raw_catalog

from outagelens.impact import RegulatoryFacts, SubscriptionImpact, assess_incident
from outagelens.impact.models import BaselineMethod
from outagelens.impact.regulatory import RegulatoryContext
from outagelens.impact.regulatory.nis2 import Nis2
from outagelens.topology import Catalog, catalog_from_dict


def _catalog(**profile: Any) -> Catalog:
    raw = raw_catalog()
    raw["customers"][0]["regulation"] = [
        {
            "framework": "NIS2",
            "entity_type": "cloud_computing_service_provider",
            "total_clients": 1_000_000,
            **profile,
        }
    ]
    return catalog_from_dict(raw)


def _impact(
    *, down: float = 0, span: float = 10, users: int = 0, lost: float = 0
) -> SubscriptionImpact:
    return SubscriptionImpact(
        subscription="shop/web",
        customer="shop",
        service="web",
        start=T0,
        end=T0 + timedelta(minutes=span),
        minutes_down=down,
        minutes_degraded=span - down,
        weighted_downtime_minutes=span,
        longest_down_minutes=down,
        peak_failed_fraction=1.0,
        failed_requests=0,
        expected_requests=0,
        failed_transactions=0,
        expected_transactions=0,
        transaction_name="orders",
        lost_revenue=lost,
        currency="EUR",
        end_users_affected=users,
        baseline=BaselineMethod.CATALOG,
        failure_source="intervals",
        method="",
        headline="",
    )


def _ctx(
    impact: SubscriptionImpact, facts: RegulatoryFacts | None = None, **profile: Any
) -> RegulatoryContext:
    cat = _catalog(**profile)
    inc = incident([affected([interval("fra1", T0, 10)])])
    return RegulatoryContext(
        customer=cat.customers["shop"],
        profile=cat.customers["shop"].regulation[0],
        impacts=(impact,),
        subscriptions={"shop/web": cat.subscriptions["shop/web"]},
        scope=inc.scope,
        incident_start=T0,
        incident_end=T0 + timedelta(hours=1),
        affected_countries=("DE",),
        classified_at=None,
        facts=facts or RegulatoryFacts(),
        eur_per_unit={"EUR": 1.0},
    )


CASES = [
    ("loss-at-500k", "financial_loss", _ctx(_impact(lost=500_000)), False),
    ("loss-over-500k", "financial_loss", _ctx(_impact(lost=500_001)), True),
    (
        "loss-at-5pct-turnover",
        "financial_loss",
        _ctx(_impact(lost=100_000), annual_turnover=2_000_000),
        False,
    ),
    (
        "loss-over-5pct-turnover",
        "financial_loss",
        _ctx(_impact(lost=100_001), annual_turnover=2_000_000),
        True,
    ),
    ("cloud-down-30", "complete_unavailability", _ctx(_impact(down=30, span=30)), False),
    ("cloud-down-31", "complete_unavailability", _ctx(_impact(down=31, span=31)), True),
    # 5 % of 1,000,000 users = 50,000 (smaller than 1 million), for more than 60 minutes
    ("cloud-users-at", "limited_availability", _ctx(_impact(users=50_000, span=61)), False),
    ("cloud-users-over", "limited_availability", _ctx(_impact(users=50_001, span=61)), True),
    ("cloud-users-over-60min", "limited_availability", _ctx(_impact(users=50_001, span=60)), False),
    (
        "cloud-users-1m-cap",
        "limited_availability",
        _ctx(_impact(users=1_000_001, span=61), total_clients=100_000_000),
        True,
    ),
    (
        "dc-no-down",
        "complete_unavailability",
        _ctx(_impact(span=10), entity_type="data_centre_service_provider"),
        False,
    ),
    (
        "dc-down",
        "complete_unavailability",
        _ctx(_impact(down=1, span=10), entity_type="data_centre_service_provider"),
        True,
    ),
    (
        "dc-limited-60",
        "limited_availability",
        _ctx(_impact(span=60), entity_type="data_centre_service_provider"),
        False,
    ),
    (
        "dc-limited-61",
        "limited_availability",
        _ctx(_impact(span=61), entity_type="data_centre_service_provider"),
        True,
    ),
    (
        "malicious-yes",
        "malicious_access",
        _ctx(_impact(), RegulatoryFacts(malicious_access=True)),
        True,
    ),
]


@pytest.mark.parametrize(("key", "ctx", "met"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_nis2_criterion_threshold(key: str, ctx: RegulatoryContext, met: bool) -> None:
    result = Nis2().assess(ctx)
    crit = {c.key: c for c in result.criteria}[key]
    assert crit.met is met, crit.reason
    assert result.major is any(c.met for c in result.criteria)


def test_nis2_deadlines_run_from_awareness() -> None:
    ctx = _ctx(_impact(down=45, span=45))
    result = Nis2().assess(ctx)
    assert result.classification == "significant"
    due = {d.report: d.due for d in result.deadlines}
    aware = T0 + timedelta(minutes=2)
    assert due["early warning"] == aware + timedelta(hours=24)
    assert due["incident notification"] == aware + timedelta(hours=72)
    assert due["final"] == (aware + timedelta(hours=72)).replace(month=12)


def test_other_entities_get_general_criteria_only() -> None:
    result = Nis2().assess(_ctx(_impact(down=300, span=300), entity_type="transport"))
    assert {c.key for c in result.criteria} == {"financial_loss", "malicious_access"}
    assert "judgement" in result.rule


def test_nis2_through_assess_incident() -> None:
    report = assess_incident(_catalog(), incident([affected([interval("fra1", T0, 45)])]))
    [reg] = report.customers[0].regulatory
    assert reg.framework == "NIS2"
    # one of two sites down: degraded, never completely unavailable
    assert {c.key: c.met for c in reg.criteria}["complete_unavailability"] is False
