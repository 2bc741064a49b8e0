"""Minutes down/degraded, partial degradation weighting, baselines and lost revenue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from tests.impact.impact_builders import T0, affected, incident, interval, make_catalog

from outagelens.detect.models import HealthState
from outagelens.impact import BaselineMethod, ImpactConfig, SubscriptionImpact, assess_incident
from outagelens.signals import SeriesSet

DEG = HealthState.DEGRADED


def _one(report_subs: object) -> SubscriptionImpact:
    [cust] = report_subs.customers  # type: ignore[attr-defined]
    [sub] = cust.subscriptions
    assert isinstance(sub, SubscriptionImpact)
    return sub


@pytest.mark.parametrize(
    ("locations", "intervals", "down", "degraded", "weighted"),
    [
        (["fra1"], [interval("fra1", T0, 30)], 30, 0, 30.0),
        (["fra1"], [interval("fra1", T0, 60, state=DEG, failed=0.3)], 0, 60, 18.0),
        (["fra1", "ams1"], [interval("fra1", T0, 40)], 0, 40, 20.0),
        (["fra1", "ams1"], [interval("fra1", T0, 20), interval("ams1", T0, 20)], 20, 0, 20.0),
        (["fra1", "ams1"], [interval("fra1", T0, 60, state=DEG, failed=0.6)], 0, 60, 18.0),
        (["fra1"], [interval("fra1", T0 + timedelta(seconds=30), 1)], 0, 2, 1.0),
        (
            ["fra1"],
            [
                interval("fra1", T0, 10),
                interval("fra1", T0 + timedelta(minutes=10), 10, state=DEG, failed=0.5),
            ],
            10,
            10,
            15.0,
        ),
    ],
    ids=[
        "single-site-down",
        "single-site-degraded-30pct",
        "one-of-two-sites-down",
        "both-sites-down",
        "one-of-two-degraded-60pct",
        "half-minute-edges",
        "down-then-degraded",
    ],
)
def test_minutes_and_partial_degradation_from_intervals(
    locations: list[str],
    intervals: list[object],
    down: float,
    degraded: float,
    weighted: float,
) -> None:
    cat = make_catalog(locations=locations, min_healthy_locations=1)
    report = assess_incident(cat, incident([affected(intervals)]))  # type: ignore[arg-type]
    sub = _one(report)
    assert sub.minutes_down == down
    assert sub.minutes_degraded == degraded
    assert sub.weighted_downtime_minutes == pytest.approx(weighted)
    assert sub.failure_source == "intervals"
    # catalog baseline: 600 requests and 10 orders per minute
    assert sub.failed_requests == pytest.approx(600 * weighted)
    assert sub.failed_transactions == pytest.approx(10 * weighted)
    assert sub.baseline is BaselineMethod.CATALOG


def _pattern(n: int) -> np.ndarray:
    """Orders per minute with a daily cycle: 5 at night, 15 in the afternoon."""
    t = np.arange(n)
    return 10.0 + 5.0 * np.sin(2 * np.pi * (t - 6 * 60) / 1440.0)


def _series(
    start: datetime, days: float, drop_at: datetime, minutes: int, *, flat: bool = False
) -> SeriesSet:
    """Two sites sharing traffic; fra1 fails completely for `minutes` from `drop_at`."""
    n = int(days * 1440)
    orders = np.full(n, 12.0) if flat else _pattern(n)
    rps = orders / 2  # requests per second per site follow the same cycle
    lo = int((drop_at - start) / timedelta(minutes=1))
    fra_orders, fra_avail = orders / 2, np.ones(n)
    fra_orders[lo : lo + minutes] = 0.0
    fra_avail[lo : lo + minutes] = 0.0
    metrics = {
        ("shop", "web", "fra1"): {
            "availability": fra_avail,
            "request_rate": rps,
            "error_rate": rps * (1 - fra_avail),
            "throughput": fra_orders,
        },
        ("shop", "web", "ams1"): {
            "availability": np.ones(n),
            "request_rate": rps,
            "error_rate": np.zeros(n),
            "throughput": orders / 2,
        },
    }
    return SeriesSet.from_series(start, n, metrics)


def test_daily_pattern_fifty_percent_drop_for_47_minutes() -> None:
    start = datetime(2026, 11, 22, tzinfo=UTC)
    onset = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    series = _series(start, 3, onset, 47)
    cat = make_catalog()
    report = assess_incident(
        cat, incident([affected([interval("fra1", onset, 47)])]), series=series
    )
    sub = _one(report)
    lo = int((onset - start) / timedelta(minutes=1))
    expected_orders = float(_pattern(3 * 1440)[lo : lo + 47].sum())
    assert sub.baseline is BaselineMethod.SAME_MINUTE_EARLIER_DAYS
    assert sub.failure_source == "series"
    assert sub.expected_transactions == pytest.approx(expected_orders, rel=1e-4)
    assert sub.failed_transactions == pytest.approx(expected_orders / 2, rel=1e-4)
    lost = expected_orders / 2 * 10.0  # 100 EUR/min over 10 orders/min = 10 EUR per order
    assert sub.lost_revenue == pytest.approx(lost, rel=1e-4)
    assert sub.headline == f"orders fell 50% for 47 minutes: {lost:,.0f} EUR"
    assert sub.minutes_degraded == 47 and sub.minutes_down == 0
    assert sub.weighted_downtime_minutes == pytest.approx(23.5, rel=1e-4)
    assert "earlier day" in sub.method


def test_pre_onset_median_when_no_earlier_days() -> None:
    start = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    onset = start + timedelta(minutes=90)
    series = _series(start, 0.25, onset, 30, flat=True)
    report = assess_incident(
        make_catalog(), incident([affected([interval("fra1", onset, 30)])]), series=series
    )
    sub = _one(report)
    assert sub.baseline is BaselineMethod.PRE_ONSET_MEDIAN
    assert sub.expected_transactions == pytest.approx(12.0 * 30)
    assert sub.failed_transactions == pytest.approx(6.0 * 30)
    assert sub.headline == "orders fell 50% for 30 minutes: 1,800 EUR"
    assert "before onset" in sub.method


def test_failover_absorbed_by_the_other_site_is_not_a_failure() -> None:
    start = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    n = 180
    onset = start + timedelta(minutes=90)
    fra_rate, ams_rate = np.full(n, 5.0), np.full(n, 5.0)
    fra_rate[90:120] = 0.0
    ams_rate[90:120] = 10.0
    ones = np.ones(n)
    series = SeriesSet.from_series(
        start,
        n,
        {
            ("shop", "web", "fra1"): {"request_rate": fra_rate, "availability": ones},
            ("shop", "web", "ams1"): {"request_rate": ams_rate, "availability": ones},
        },
    )
    report = assess_incident(
        make_catalog(), incident([affected([interval("fra1", onset, 30)])]), series=series
    )
    sub = _one(report)
    assert sub.weighted_downtime_minutes == 0
    assert sub.minutes_degraded == 0 and sub.minutes_down == 0
    assert sub.lost_revenue == 0


@pytest.mark.parametrize(
    ("business", "lost", "method_part", "headline"),
    [
        (
            {
                "revenue_per_minute": 100,
                "transactions_per_minute": 10,
                "transaction_value": 99,
                "transaction_name": "orders",
            },
            20 * 10 * 10.0,
            "revenue per order",
            "orders fell 100% for 20 minutes: 2,000 EUR",
        ),
        (
            {"transactions_per_minute": 10, "transaction_value": 7, "transaction_name": "orders"},
            20 * 10 * 7.0,
            "average value",
            "orders fell 100% for 20 minutes: 1,400 EUR",
        ),
        (
            {"revenue_per_minute": 50},
            20 * 50.0,
            "per minute",
            "revenue fell 100% for 20 minutes: 1,000 EUR",
        ),
        (
            {"requests_per_minute": 100},
            0.0,
            "No revenue figure",
            "requests failed 100% for 20 minutes",
        ),
    ],
    ids=["revenue-per-transaction", "transaction-value", "revenue-only", "no-money-figures"],
)
def test_revenue_methods(
    business: dict[str, float], lost: float, method_part: str, headline: str
) -> None:
    cat = make_catalog(locations=["fra1"], min_healthy_locations=None, business=business)
    sub = _one(assess_incident(cat, incident([affected([interval("fra1", T0, 20)])])))
    assert sub.lost_revenue == pytest.approx(lost)
    assert method_part in sub.method
    assert sub.headline == headline


def test_daily_profile_shapes_catalog_baseline() -> None:
    profile = tuple([0.5] * 12 + [1.5] * 12)  # mean 1: afternoons are three times mornings
    cat = make_catalog(locations=["fra1"], min_healthy_locations=None)
    morning = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    evening = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    cfg = ImpactConfig(daily_profile=profile)
    subs = [
        _one(assess_incident(cat, incident([affected([interval("fra1", t, 10)])]), config=cfg))
        for t in (morning, evening)
    ]
    assert subs[0].failed_transactions == pytest.approx(10 * 10 * 0.5)
    assert subs[1].failed_transactions == pytest.approx(10 * 10 * 1.5)


def test_ongoing_interval_runs_to_as_of() -> None:
    cat = make_catalog(locations=["fra1"], min_healthy_locations=None)
    open_iv = interval("fra1", T0, 1).model_copy(update={"end": None})
    inc = incident([affected([interval("fra1", T0, 5)])])
    inc = inc.model_copy(
        update={
            "scope": inc.scope.model_copy(
                update={"subscriptions": (affected([open_iv]),), "end": None, "ongoing": True}
            )
        }
    )
    sub = _one(assess_incident(cat, inc, as_of=T0 + timedelta(minutes=25)))
    assert sub.minutes_down == 25


def _two_sites(fra: dict[str, np.ndarray], ams: dict[str, np.ndarray], n: int) -> SeriesSet:
    start = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    return SeriesSet.from_series(
        start, n, {("shop", "web", "fra1"): fra, ("shop", "web", "ams1"): ams}
    )


def test_errors_seen_count_even_when_retries_succeed_elsewhere() -> None:
    n = 180
    ones = np.ones(n)
    fra_avail = ones.copy()
    fra_avail[90:120] = 0.5  # fra1 answers half its requests with errors ...
    ams_rate = np.full(n, 5.0)
    ams_rate[90:120] = 7.5  # ... and the users retry on ams1, which serves them
    orders = np.full(n, 6.0)
    ams_orders = orders.copy()
    ams_orders[90:120] = 9.0
    fra_orders = orders.copy()
    fra_orders[90:120] = 3.0
    series = _two_sites(
        {"request_rate": np.full(n, 5.0), "availability": fra_avail, "throughput": fra_orders},
        {"request_rate": ams_rate, "availability": ones, "throughput": ams_orders},
        n,
    )
    onset = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    sub = _one(
        assess_incident(
            make_catalog(),
            incident([affected([interval("fra1", onset, 30, state=DEG, failed=0.5)])]),
            series=series,
        )
    )
    assert sub.weighted_downtime_minutes == pytest.approx(30 * 0.25)
    assert sub.failed_requests == pytest.approx(30 * 0.25 * 600)
    assert sub.failed_transactions == 0 and sub.lost_revenue == 0
    assert sub.headline == "orders fell 0% for 30 minutes"


def test_incident_without_measured_failure_still_gets_its_sla_month() -> None:
    n = 180
    ones = np.ones(n)
    series = _two_sites(
        {"request_rate": np.full(n, 5.0), "availability": ones},
        {"request_rate": np.full(n, 5.0), "availability": ones},
        n,
    )
    onset = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    report = assess_incident(
        make_catalog(), incident([affected([interval("fra1", onset, 10)])]), series=series
    )
    sub = _one(report)
    assert sub.headline == "no failed traffic measured (series)"
    [sla] = report.customers[0].sla
    assert sla.month == "2026-11" and sla.uptime_percent == 100 and sla.met
