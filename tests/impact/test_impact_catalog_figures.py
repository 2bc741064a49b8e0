"""Bad money and SLA figures in the catalog are rejected at load, naming entity and field."""

from __future__ import annotations

from typing import Any

import pytest
from tests.impact.impact_builders import raw_catalog

from outagelens.errors import CatalogErrors
from outagelens.topology import catalog_from_dict

TIERS_OUT_OF_ORDER = [
    {"below_percent": 99.0, "credit_percent": 10},
    {"below_percent": 99.9, "credit_percent": 25},
]
TIERS_CREDIT_DECREASING = [
    {"below_percent": 99.9, "credit_percent": 25},
    {"below_percent": 99.0, "credit_percent": 10},
]


def _sla(**kw: Any) -> dict[str, Any]:
    return {"target_percent": 99.9, **kw}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"monthly_fee": -1}, "subscriptions[0].monthly_fee", "greater than or equal to 0"),
        (
            {"sla": _sla(credit_tiers=TIERS_OUT_OF_ORDER)},
            "subscriptions[0].sla.credit_tiers",
            "strictly decreasing below_percent",
        ),
        (
            {"sla": _sla(credit_tiers=TIERS_CREDIT_DECREASING)},
            "subscriptions[0].sla.credit_tiers",
            "strictly increasing credit_percent",
        ),
        (
            {"sla": _sla(credit_tiers=[{"below_percent": 99.0, "credit_percent": 120}])},
            "subscriptions[0].sla.credit_tiers[0].credit_percent",
            "less than or equal to 100",
        ),
        (
            {"sla": _sla(credit_tiers=[{"below_percent": 99.95, "credit_percent": 10}])},
            "subscriptions[0].sla",
            "above the target",
        ),
        (
            {"sla": _sla(min_credit=-5)},
            "subscriptions[0].sla.min_credit",
            "greater than or equal to 0",
        ),
        (
            {"sla": _sla(max_credit_percent=150)},
            "subscriptions[0].sla.max_credit_percent",
            "less than or equal to 100",
        ),
        (
            {"sla": _sla(degraded_weight=1.5)},
            "subscriptions[0].sla.degraded_weight",
            "less than or equal to 1",
        ),
        (
            {"sla": _sla(timezone="Europe/Frankfurt")},
            "subscriptions[0].sla.timezone",
            "unknown IANA time zone",
        ),
        (
            {
                "sla": _sla(
                    maintenance_windows=[
                        {"start": "2026-11-01T02:00:00", "end": "2026-11-01T04:00:00+01:00"}
                    ]
                )
            },
            "subscriptions[0].sla.maintenance_windows[0].start",
            "no UTC offset",
        ),
        (
            {
                "sla": _sla(
                    maintenance_windows=[
                        {"start": "2026-11-01T04:00:00+01:00", "end": "2026-11-01T02:00:00+01:00"}
                    ]
                )
            },
            "subscriptions[0].sla.maintenance_windows[0]",
            "is not after start",
        ),
        (
            {
                "sla": _sla(
                    maintenance_windows=[
                        {"start": "first sunday", "end": "2026-11-01T04:00:00+01:00"}
                    ]
                )
            },
            "subscriptions[0].sla.maintenance_windows[0].start",
            "not an ISO 8601",
        ),
        (
            {"business": {"revenue_per_minute": -10}},
            "subscriptions[0].business.revenue_per_minute",
            "greater than or equal to 0",
        ),
        (
            {"business": {"end_users": -1}},
            "subscriptions[0].business.end_users",
            "greater than or equal to 0",
        ),
    ],
    ids=[
        "negative-fee",
        "tiers-out-of-order",
        "credit-not-increasing",
        "credit-over-100",
        "first-tier-above-target",
        "negative-min-credit",
        "max-credit-over-100",
        "degraded-weight-over-1",
        "unknown-time-zone",
        "window-without-offset",
        "window-end-before-start",
        "window-not-a-date",
        "negative-revenue",
        "negative-end-users",
    ],
)
def test_bad_figures_rejected_with_entity_and_field(
    change: dict[str, Any], field: str, message: str
) -> None:
    raw = raw_catalog()
    raw["customers"][0]["subscriptions"][0].update(change)
    with pytest.raises(CatalogErrors) as info:
        catalog_from_dict(raw, source="cat.yaml")
    [err] = info.value.errors
    assert err.entity == "shop"
    assert err.field == field
    assert message in str(err)
    assert str(err).startswith("cat.yaml: entity 'shop': field ")


def test_negative_support_contact_rate_rejected() -> None:
    raw = raw_catalog()
    raw["provider"]["support_contact_rate"] = -0.1
    with pytest.raises(CatalogErrors) as info:
        catalog_from_dict(raw)
    assert info.value.errors[0].field == "provider.support_contact_rate"
