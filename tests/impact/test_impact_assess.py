"""End to end on the example catalog: the three-customer outage, totals, JSON and the table."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from tests.impact.impact_builders import affected, incident, interval

from outagelens.cli.impact_view import impact_table, print_impact, totals_panel
from outagelens.impact import ImpactConfig, ImpactReport, assess_incident
from outagelens.topology import load_catalog

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "three-customers.yaml"
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _report(config: ImpactConfig | None = None) -> ImpactReport:
    cat = load_catalog(EXAMPLE)
    subs = [
        affected(
            [interval("fra1", START, 47)],
            subscription="shopwave/managed-k8s",
            customer="shopwave",
            service="managed-k8s",
        ),
        affected(
            [interval("fra1", START, 150)],
            subscription="hansa-direktbank/online-banking",
            customer="hansa-direktbank",
            service="vm-hosting",
        ),
        affected(
            [interval("fra1", START, 150)],
            subscription="rheinlogistik/colocation",
            customer="rheinlogistik",
            service="colocation",
        ),
    ]
    return assess_incident(
        cat,
        incident(subs, first_alert_delay=3),
        classified_at=START + timedelta(minutes=40),
        config=config,
    )


def test_three_customer_outage() -> None:
    report = _report()
    by_id = {c.customer: c for c in report.customers}
    shop = by_id["shopwave"].subscriptions[0]
    assert shop.headline == "orders fell 50% for 47 minutes: 54,050 EUR"
    assert shop.minutes_degraded == 47
    # ShopWave: 47 degraded minutes at degraded_weight 0.5 = 23.5 of 43,200: below 99.95 %
    [sla] = by_id["shopwave"].sla
    assert sla.unavailable_minutes == 23.5
    assert sla.credit_amount == 4200.0
    bank = by_id["hansa-direktbank"]
    assert bank.regulatory[0].major
    assert bank.credits == {"EUR": 6500.0}
    # 99.9 % tier of the bank's SLA: 150 of 43,080 eligible minutes (maintenance window 1 Nov)
    assert bank.sla[0].eligible_minutes == 43200 - 120
    assert report.totals.customers == 3
    assert report.totals.lost_revenue == {"EUR": 54050.0 + 52500.0 + 127500.0}
    assert report.totals.credits == {"EUR": 4200.0 + 6500.0 + 4200.0}
    assert report.totals.end_users_affected == 60_000 + 1_800_000 + 4_000
    assert report.totals.expected_support_contacts == pytest.approx(0.02 * 1_864_000)


def test_support_contact_rate_is_configurable() -> None:
    report = _report(ImpactConfig(support_contact_rate=0.005))
    assert report.totals.support_contact_rate == 0.005
    assert report.totals.expected_support_contacts == pytest.approx(0.005 * 1_864_000)


def test_report_round_trips_through_json() -> None:
    report = _report()
    again = ImpactReport.model_validate_json(report.model_dump_json())
    assert again == report


def test_rich_rendering_lists_every_subscription_and_the_totals() -> None:
    report = _report()
    buf = io.StringIO()
    print_impact(report, Console(file=buf, width=220, color_system=None))
    text = buf.getvalue()
    for needle in (
        "shopwave/managed-k8s",
        "Hansa Direktbank AG",
        "major",
        "initial report due",
        "expected support contacts: 37,280",
        "234,050 EUR",
    ):
        assert needle in text
    assert impact_table(report).row_count == 3
    assert totals_panel(report).title == "Impact totals"


def test_subscription_missing_from_catalog_is_noted() -> None:
    cat = load_catalog(EXAMPLE)
    inc = incident(
        [affected([interval("fra1", START, 5)], subscription="ghost/x", customer="ghost")]
    )
    report = assess_incident(cat, inc)
    assert report.customers == ()
    assert "ghost/x" in report.notes[0]
