"""DORA: every criterion just under and just over its threshold, the Art. 8(1) rule, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.impact.impact_builders import T0, affected, incident, interval, raw_catalog

from outagelens.impact import ImpactConfig, RegulatoryFacts, SubscriptionImpact, assess_incident
from outagelens.impact.models import BaselineMethod
from outagelens.impact.regulatory import RegulatoryContext, get_framework, registered
from outagelens.impact.regulatory.dora import Dora, add_month
from outagelens.topology import Catalog, catalog_from_dict

PROFILE: dict[str, Any] = {
    "framework": "DORA",
    "entity_type": "credit_institution",
    "total_clients": 2_000_000,
    "total_financial_counterparts": 100,
    "daily_transactions": 100_000,
    "daily_transaction_value": 10_000_000,
    "member_states": ["DE"],
    "competent_authority": "BaFin",
}


def _catalog(critical: bool = True, **profile: Any) -> Catalog:
    raw = raw_catalog()
    cust = raw["customers"][0]
    cust["id"], cust["industry"] = "bank", "banking"
    cust["regulation"] = [{**PROFILE, **profile}]
    sub = cust["subscriptions"][0]
    sub.update(locations=["fra1"], min_healthy_locations=None, critical=critical)
    sub["business"].update(transaction_name="payments", transaction_value=100)
    return catalog_from_dict(raw)


def _impact(
    *, minutes: float = 30.0, users: int = 0, tx: float = 0.0, lost: float = 0.0, cur: str = "EUR"
) -> SubscriptionImpact:
    return SubscriptionImpact(
        subscription="bank/web",
        customer="bank",
        service="web",
        start=T0,
        end=T0 + timedelta(minutes=minutes),
        minutes_down=minutes,
        minutes_degraded=0,
        weighted_downtime_minutes=minutes,
        peak_failed_fraction=1.0,
        failed_requests=0,
        expected_requests=0,
        failed_transactions=tx,
        expected_transactions=tx,
        transaction_name="payments",
        lost_revenue=lost,
        currency=cur,
        end_users_affected=users,
        baseline=BaselineMethod.CATALOG,
        failure_source="intervals",
        method="",
        headline="",
    )


def _ctx(
    impact: SubscriptionImpact | None = None,
    *,
    facts: RegulatoryFacts | None = None,
    critical: bool = True,
    hours: float = 1.0,
    countries: tuple[str, ...] = ("DE",),
    classified_at: datetime | None = None,
    **profile: Any,
) -> RegulatoryContext:
    cat = _catalog(critical, **profile)
    inc = incident([affected([interval("fra1", T0, 30)], subscription="bank/web", customer="bank")])
    return RegulatoryContext(
        customer=cat.customers["bank"],
        profile=cat.customers["bank"].regulation[0],
        impacts=(impact or _impact(),),
        subscriptions={"bank/web": cat.subscriptions["bank/web"]},
        scope=inc.scope,
        incident_start=T0,
        incident_end=T0 + timedelta(hours=hours),
        affected_countries=countries,
        classified_at=classified_at,
        facts=facts or RegulatoryFacts(),
        eur_per_unit={"EUR": 1.0, "CHF": 1.05},
    )


DORA = Dora()
CASES: list[tuple[str, str, RegulatoryContext, bool]] = [
    # Art. 9(1)(a): > 10 % of clients (total 500,000 -> 50,000)
    ("clients-share-at", "clients", _ctx(_impact(users=50_000), total_clients=500_000), False),
    ("clients-share-over", "clients", _ctx(_impact(users=50_001), total_clients=500_000), True),
    # Art. 9(1)(b): > 100,000 clients (total 2,000,000 so (a) needs 200,001)
    ("clients-absolute-at", "clients", _ctx(_impact(users=100_000)), False),
    ("clients-absolute-over", "clients", _ctx(_impact(users=100_001)), True),
    # Art. 9(1)(c): > 30 % of financial counterparts (of 100)
    (
        "counterparts-at",
        "clients",
        _ctx(facts=RegulatoryFacts(financial_counterparts_affected=30)),
        False,
    ),
    (
        "counterparts-over",
        "clients",
        _ctx(facts=RegulatoryFacts(financial_counterparts_affected=31)),
        True,
    ),
    # Art. 9(1)(d): > 10 % of daily transactions (of 100,000); amount kept under its threshold
    ("transactions-at", "clients", _ctx(_impact(tx=10_000), daily_transaction_value=10**12), False),
    (
        "transactions-over",
        "clients",
        _ctx(_impact(tx=10_001), daily_transaction_value=10**12),
        True,
    ),
    # Art. 9(1)(e): > 10 % of daily value (10,000,000), payments worth 100 each
    ("amount-at", "clients", _ctx(_impact(tx=10_000), daily_transactions=None), False),
    ("amount-over", "clients", _ctx(_impact(tx=10_000.5), daily_transactions=None), True),
    # Art. 9(1)(f): relevant clients affected
    ("relevant-no", "clients", _ctx(facts=RegulatoryFacts(relevant_clients_affected=False)), False),
    ("relevant-yes", "clients", _ctx(facts=RegulatoryFacts(relevant_clients_affected=True)), True),
    # Art. 9(2): any reputational condition of Art. 2
    ("reputational-none", "reputational", _ctx(), False),
    (
        "reputational-media",
        "reputational",
        _ctx(facts=RegulatoryFacts(reputational=("media coverage",))),
        True,
    ),
    # Art. 9(3)(a): duration > 24 h
    ("duration-at", "duration", _ctx(hours=24.0), False),
    ("duration-over", "duration", _ctx(hours=24.0 + 1 / 60), True),
    # Art. 9(3)(b): downtime > 2 h of a service supporting a critical function
    ("downtime-at", "duration", _ctx(_impact(minutes=120)), False),
    ("downtime-over", "duration", _ctx(_impact(minutes=121)), True),
    ("downtime-over-not-critical", "duration", _ctx(_impact(minutes=121), critical=False), False),
    # Art. 9(4): two or more Member States (non-EU countries do not count)
    ("geography-one", "geography", _ctx(_impact(users=10)), False),
    ("geography-two", "geography", _ctx(_impact(users=10), member_states=["DE", "AT"]), True),
    ("geography-non-eu", "geography", _ctx(_impact(users=10), countries=("DE", "CH")), False),
    ("geography-site-abroad", "geography", _ctx(_impact(users=10), countries=("NL",)), True),
    # Art. 9(5): data losses (a) or malicious access (b)
    ("data-none", "data_losses", _ctx(facts=RegulatoryFacts(data_losses=False)), False),
    ("data-lost", "data_losses", _ctx(facts=RegulatoryFacts(data_losses=True)), True),
    ("data-malicious", "data_losses", _ctx(facts=RegulatoryFacts(malicious_access=True)), True),
    # Art. 6 / 8(1): critical services affected
    ("critical-no", "critical_services", _ctx(critical=False), False),
    ("critical-yes", "critical_services", _ctx(), True),
    # Art. 9(6): costs and losses > EUR 100,000
    ("economic-at", "economic", _ctx(_impact(lost=100_000)), False),
    ("economic-over", "economic", _ctx(_impact(lost=100_000.01)), True),
    (
        "economic-other-costs",
        "economic",
        _ctx(_impact(lost=60_000), facts=RegulatoryFacts(other_costs=40_001)),
        True,
    ),
    ("economic-chf-under", "economic", _ctx(_impact(lost=95_000, cur="CHF")), False),
    ("economic-chf-over", "economic", _ctx(_impact(lost=95_300, cur="CHF")), True),
]


@pytest.mark.parametrize(("key", "ctx", "met"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_criterion_threshold(key: str, ctx: RegulatoryContext, met: bool) -> None:
    result = {c.key: c for c in DORA.assess(ctx).criteria}[key]
    assert result.met is met, result.reason
    assert result.reason
    assert result.article.startswith("RTS 2024/1772")


def test_unknown_facts_are_reported_as_undetermined() -> None:
    crit = {c.key: c for c in DORA.assess(_ctx()).criteria}
    assert not crit["data_losses"].determined
    assert "not known" in crit["data_losses"].reason
    assert not crit["reputational"].determined
    assert crit["duration"].determined


@pytest.mark.parametrize(
    ("ctx", "major"),
    [
        (_ctx(_impact(minutes=121, users=150_000)), True),
        (_ctx(_impact(minutes=121)), False),
        (
            _ctx(_impact(minutes=121, users=150_000), critical=False, member_states=["DE", "AT"]),
            False,
        ),
        (_ctx(facts=RegulatoryFacts(malicious_access=True), critical=False), True),
        (_ctx(facts=RegulatoryFacts(data_losses=True, reputational=("complaints",))), True),
        (_ctx(facts=RegulatoryFacts(data_losses=True)), False),
    ],
    ids=[
        "critical-plus-two",
        "critical-plus-one",
        "not-critical-plus-two",
        "malicious-access-alone",
        "critical-plus-data-and-reputation",
        "critical-plus-data-only",
    ],
)
def test_major_incident_rule(ctx: RegulatoryContext, major: bool) -> None:
    result = DORA.assess(ctx)
    assert result.major is major, result.summary
    assert result.classification == ("major" if major else "not major")
    assert bool(result.deadlines) is major


AWARE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("classified", "initial"),
    [
        (AWARE + timedelta(hours=1), AWARE + timedelta(hours=5)),
        (AWARE + timedelta(hours=20), AWARE + timedelta(hours=24)),
        (AWARE + timedelta(hours=22), AWARE + timedelta(hours=24)),
        (AWARE + timedelta(hours=30), AWARE + timedelta(hours=34)),
        (None, AWARE + timedelta(hours=24)),
    ],
    ids=[
        "4h-after-classification",
        "at-24h-limit",
        "24h-limit-earlier",
        "late-classification",
        "not-classified-yet",
    ],
)
def test_reporting_deadlines(classified: datetime | None, initial: datetime) -> None:
    ctx = _ctx(
        _impact(minutes=121, users=150_000),
        facts=RegulatoryFacts(aware_at=AWARE),
        classified_at=classified,
    )
    deadlines = {d.report: d for d in DORA.assess(ctx).deadlines}
    assert deadlines["initial"].due == initial
    assert deadlines["intermediate"].due == initial + timedelta(hours=72)
    assert deadlines["final"].due == add_month(initial + timedelta(hours=72))
    assert "2025/301" in deadlines["initial"].article


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (datetime(2026, 1, 31, 10, tzinfo=UTC), datetime(2026, 2, 28, 10, tzinfo=UTC)),
        (datetime(2028, 1, 31, 10, tzinfo=UTC), datetime(2028, 2, 29, 10, tzinfo=UTC)),
        (datetime(2026, 12, 15, 10, tzinfo=UTC), datetime(2027, 1, 15, 10, tzinfo=UTC)),
    ],
    ids=["clamp-to-february", "leap-year", "year-end"],
)
def test_add_month(t: datetime, expected: datetime) -> None:
    assert add_month(t) == expected


def test_framework_registry_is_pluggable() -> None:
    assert {"DORA", "NIS2"} <= set(registered())
    assert get_framework("dora") is not None
    assert get_framework("NIS2-does-not-exist") is None


def test_assess_incident_classifies_the_bank_end_to_end() -> None:
    cat = _catalog(member_states=["DE", "AT"])
    inc = incident(
        [affected([interval("fra1", T0, 150)], subscription="bank/web", customer="bank")],
        first_alert_delay=3,
    )
    report = assess_incident(
        cat,
        inc,
        classified_at=T0 + timedelta(minutes=40),
        config=ImpactConfig(facts={"bank": RegulatoryFacts(data_losses=False)}),
    )
    [reg] = report.customers[0].regulatory
    assert reg.major
    assert reg.aware_at == T0 + timedelta(minutes=3)
    assert reg.deadlines[0].due == T0 + timedelta(minutes=40, hours=4)
    assert report.totals.major_regulatory_incidents == 1


def test_unknown_framework_is_noted_not_fatal() -> None:
    cat = _catalog(framework="SOX")
    inc = incident([affected([interval("fra1", T0, 10)], subscription="bank/web", customer="bank")])
    report = assess_incident(cat, inc)
    assert report.customers[0].regulatory == ()
    assert any("SOX" in n for n in report.notes)
