"""SLA uptime and credits: tier boundaries, caps, minimums, maintenance, months, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tests.impact.impact_builders import make_catalog

from outagelens.impact.sla import (
    WeightedInterval,
    assess_sla,
    credit_for,
    month_bounds,
    weighted_minutes,
)
from outagelens.topology.models import Sla

TIERS = [
    {"below_percent": 99.95, "credit_percent": 10},
    {"below_percent": 99.0, "credit_percent": 25},
    {"below_percent": 95.0, "credit_percent": 100},
]
NOV = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # November: 30 days = 43,200 minutes


def _sla(**kw: object) -> Sla:
    return Sla.model_validate({"target_percent": 99.95, "credit_tiers": TIERS, **kw})


@pytest.mark.parametrize(
    ("uptime", "tier", "percent"),
    [
        (100.0, None, 0.0),
        (99.951, None, 0.0),
        (99.95, None, 0.0),
        (99.949999, 99.95, 10.0),
        (99.001, 99.95, 10.0),
        (99.0, 99.95, 10.0),
        (98.999999, 99.0, 25.0),
        (95.000001, 99.0, 25.0),
        (95.0, 99.0, 25.0),
        (94.999999, 95.0, 100.0),
        (0.0, 95.0, 100.0),
    ],
    ids=[
        "perfect",
        "just-over-first",
        "exactly-first",
        "just-under-first",
        "just-over-second",
        "exactly-second",
        "just-under-second",
        "just-over-third",
        "exactly-third",
        "just-under-third",
        "zero",
    ],
)
def test_credit_tier_boundaries(uptime: float, tier: float | None, percent: float) -> None:
    reached, pct, amount, _ = credit_for(_sla(), 1000.0, uptime)
    assert reached == tier
    assert pct == percent
    assert amount == pytest.approx(1000.0 * percent / 100)


@pytest.mark.parametrize(
    ("kw", "uptime", "amount", "note_part"),
    [
        ({"max_credit_percent": 30}, 90.0, 300.0, "capped"),
        ({"max_credit_percent": 30}, 99.5, 100.0, "10%"),
        ({"min_credit": 150}, 99.5, 0.0, "below the minimum credit"),
        ({"min_credit": 100}, 99.5, 100.0, "10%"),
        ({"min_credit": 150}, 98.0, 250.0, "25%"),
    ],
    ids=["cap-applies", "cap-not-reached", "under-minimum", "at-minimum", "over-minimum"],
)
def test_credit_cap_and_minimum(
    kw: dict[str, float], uptime: float, amount: float, note_part: str
) -> None:
    _, _, got, note = credit_for(_sla(**kw), 1000.0, uptime)
    assert got == pytest.approx(amount)
    assert note_part in note


def _down(start: datetime, minutes: float, weight: float = 1.0) -> WeightedInterval:
    return (start, start + timedelta(minutes=minutes), weight)


@pytest.mark.parametrize(
    ("minutes", "uptime", "credit"),
    [
        (21.6, 99.95, 0.0),
        (21.0, 99.951389, 0.0),
        (22.0, 99.949074, 100.0),
        (432.0, 99.0, 100.0),
        (433.0, 98.997685, 250.0),
    ],
    ids=[
        "exactly-99.95",
        "under-threshold-minutes",
        "over-threshold-minutes",
        "exactly-99.0",
        "over-99.0",
    ],
)
def test_monthly_uptime_from_minutes(minutes: float, uptime: float, credit: float) -> None:
    ref = make_catalog().subscriptions["shop/web"]
    [a] = assess_sla(ref, [_down(NOV, minutes)])
    assert a.month == "2026-11"
    assert a.eligible_minutes == 43200
    assert a.uptime_percent == pytest.approx(uptime, abs=1e-6)
    assert a.credit_amount == credit


def test_earlier_incidents_count_and_overlaps_count_once() -> None:
    ref = make_catalog().subscriptions["shop/web"]
    earlier = [_down(NOV - timedelta(days=3), 10.0), _down(NOV + timedelta(minutes=5), 10.0)]
    [a] = assess_sla(ref, [_down(NOV, 10.0)], earlier)
    assert a.incident_minutes == 10
    assert a.earlier_minutes == 20
    # minutes 5-10 overlap: the union is 10 (3 days ago) + 15 (now)
    assert a.unavailable_minutes == 25


def test_earlier_incident_in_another_month_is_ignored() -> None:
    ref = make_catalog().subscriptions["shop/web"]
    [a] = assess_sla(ref, [_down(NOV, 10.0)], [_down(NOV - timedelta(days=30), 500.0)])
    assert a.earlier_minutes == 0
    assert a.unavailable_minutes == 10


@pytest.mark.parametrize(
    ("offset", "minutes", "excluded", "counted"),
    [(0, 60, 60, 0), (-30, 60, 30, 30), (90, 60, 30, 30), (150, 60, 0, 60), (-10, 140, 120, 20)],
    ids=["inside", "starts-before", "ends-after", "outside", "spans-window"],
)
def test_maintenance_windows_are_excluded(
    offset: int, minutes: float, excluded: float, counted: float
) -> None:
    window = {"start": "2026-11-10T13:00:00+01:00", "end": "2026-11-10T15:00:00+01:00"}
    ref = make_catalog(
        sla={"target_percent": 99.95, "credit_tiers": TIERS, "maintenance_windows": [window]}
    ).subscriptions["shop/web"]
    start = datetime(2026, 11, 10, 12, 0, tzinfo=UTC) + timedelta(minutes=offset)
    [a] = assess_sla(ref, [_down(start, minutes)])
    assert a.excluded_maintenance_minutes == pytest.approx(excluded)
    assert a.unavailable_minutes == pytest.approx(counted)
    assert a.eligible_minutes == 43200 - 120
    assert a.uptime_percent == pytest.approx(100 * (1 - counted / (43200 - 120)), abs=1e-6)


@pytest.mark.parametrize(
    ("tz", "october", "november"),
    [("Europe/Berlin", 30.0, 30.0), ("UTC", 60.0, None), ("America/New_York", 60.0, None)],
    ids=["berlin-splits", "utc-all-october", "new-york-all-october"],
)
def test_outage_spanning_two_months(tz: str, october: float, november: float | None) -> None:
    # 22:30-23:30 UTC on 31 Oct is 23:30-00:30 in Berlin (UTC+1 after the DST change).
    ref = make_catalog(
        sla={"target_percent": 99.95, "credit_tiers": TIERS, "timezone": tz}
    ).subscriptions["shop/web"]
    start = datetime(2026, 10, 31, 22, 30, tzinfo=UTC)
    results = {a.month: a for a in assess_sla(ref, [_down(start, 60.0)])}
    assert results["2026-10"].incident_minutes == october
    if november is None:
        assert "2026-11" not in results
    else:
        assert results["2026-11"].incident_minutes == november
        assert results["2026-11"].eligible_minutes == 30 * 1440


@pytest.mark.parametrize(
    ("tz", "when", "month", "start_utc", "minutes"),
    [
        (
            "UTC",
            datetime(2026, 2, 15, tzinfo=UTC),
            "2026-02",
            datetime(2026, 2, 1, tzinfo=UTC),
            28 * 1440,
        ),
        (
            "Europe/Berlin",
            datetime(2026, 3, 15, tzinfo=UTC),
            "2026-03",
            datetime(2026, 2, 28, 23, tzinfo=UTC),
            31 * 1440 - 60,
        ),
        (
            "Europe/Berlin",
            datetime(2026, 10, 15, tzinfo=UTC),
            "2026-10",
            datetime(2026, 9, 30, 22, tzinfo=UTC),
            31 * 1440 + 60,
        ),
        (
            "Asia/Tokyo",
            datetime(2026, 11, 30, 16, tzinfo=UTC),
            "2026-12",
            datetime(2026, 11, 30, 15, tzinfo=UTC),
            31 * 1440,
        ),
        (
            "America/Los_Angeles",
            datetime(2026, 12, 1, 5, tzinfo=UTC),
            "2026-11",
            datetime(2026, 11, 1, 7, tzinfo=UTC),
            30 * 1440 + 60,
        ),
    ],
    ids=[
        "utc-feb",
        "berlin-march-dst-short",
        "berlin-october-dst-long",
        "tokyo-ahead",
        "los-angeles-behind",
    ],
)
def test_month_bounds_in_time_zones(
    tz: str, when: datetime, month: str, start_utc: datetime, minutes: int
) -> None:
    start, end, label = month_bounds(when, ZoneInfo(tz))
    assert label == month
    assert start == start_utc
    assert (end - start) / timedelta(minutes=1) == minutes


@pytest.mark.parametrize(
    ("weight", "unavailable"), [(0.0, 0.0), (0.5, 30.0), (1.0, 60.0)], ids=["0", "half", "full"]
)
def test_degraded_weight(weight: float, unavailable: float) -> None:
    ref = make_catalog().subscriptions["shop/web"]
    [a] = assess_sla(ref, [_down(NOV, 60.0, weight)])
    assert a.unavailable_minutes == unavailable


def test_heavier_weight_wins_where_intervals_overlap() -> None:
    counted, skipped = weighted_minutes(
        [_down(NOV, 60.0, 0.5), _down(NOV + timedelta(minutes=30), 60.0, 1.0)],
        NOV - timedelta(days=1),
        NOV + timedelta(days=1),
    )
    assert counted == pytest.approx(30 * 0.5 + 60 * 1.0)
    assert skipped == 0


def test_no_sla_no_assessment() -> None:
    ref = make_catalog(sla=None).subscriptions["shop/web"]
    assert assess_sla(ref, [_down(NOV, 10.0)]) == []
