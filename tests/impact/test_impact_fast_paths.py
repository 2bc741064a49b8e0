"""Fast paths of the impact assessment give what the general path gives, bit for bit."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pydantic import BaseModel
from tests.impact.impact_builders import affected, incident, interval, make_catalog, raw_catalog

from outagelens.detect.models import HealthState
from outagelens.impact import ImpactConfig, ImpactReport, assess_incident
from outagelens.impact import baseline as bl
from outagelens.impact.assess import FlowRevenue, flow_revenue
from outagelens.impact.sla import assess_sla, weighted_minutes
from outagelens.signals import SeriesSet
from outagelens.sim.builtin import EXAMPLE_CATALOG
from outagelens.topology import Catalog, catalog_from_dict, load_catalog

_NAN = float("nan")
_INF = float("inf")


@pytest.mark.parametrize(
    ("values", "lo", "hi"),
    [
        ([0.5, -0.25, 1.5, 0.0, -0.0, 1.0], 0.0, 1.0),
        ([_NAN, 0.3, _INF, -_INF, 2.0], 0.0, 1.0),
        ([-0.0, 0.0, -1e-300, 1e-300], 0.0, 1.0),
        ([0.0, 60.0, 120.0, 180.0], 30.5, 150.25),
        ([0.0, 60.0, 120.0], 200.0, 100.0),  # lo above hi, as np.clip allows
        ([], 0.0, 1.0),
    ],
    ids=["in-and-out", "nan-and-inf", "signed-zeros", "seconds", "inverted", "empty"],
)
def test_clip_is_np_clip_bit_for_bit(values: list[float], lo: float, hi: float) -> None:
    arr = np.asarray(values, dtype=np.float64)
    assert bl.clip(arr, lo, hi).tobytes() == np.clip(arr, lo, hi).tobytes()


def _series(n: int, fra: dict[str, np.ndarray]) -> SeriesSet:
    start = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    ones = np.ones(n)
    return SeriesSet.from_series(
        start,
        n,
        {
            ("shop", "web", "fra1"): fra,
            ("shop", "web", "ams1"): {"request_rate": np.full(n, 5.0), "availability": ones},
        },
    )


def _scenarios() -> dict[str, ImpactReport]:
    onset = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    n = 180
    failing = np.ones(n)
    failing[90:100] = 0.0
    silent = np.full(n, 5.0)
    silent[80:] = 0.0  # no expected requests at all in the grid: the failed share is 0 there
    cases = {
        "intervals": (None, [interval("fra1", onset, 30)]),
        "degraded-intervals": (
            None,
            [interval("fra1", onset, 20, state=HealthState.DEGRADED, failed=0.4)],
        ),
        "series-failure": (
            _series(n, {"request_rate": np.full(n, 5.0), "availability": failing}),
            [interval("fra1", onset, 10)],
        ),
        "series-no-traffic": (
            _series(n, {"request_rate": silent, "availability": np.ones(n)}),
            [interval("fra1", onset + timedelta(seconds=30), 10)],
        ),
    }
    reports = {
        name: assess_incident(make_catalog(), incident([affected(ivs)]), series=series)
        for name, (series, ivs) in cases.items()
    }
    # A subscription the catalog lacks is skipped: a report with no customer, totals of zero.
    unknown = affected([interval("fra1", onset, 5)], subscription="gone/web")
    reports["no-subscription"] = assess_incident(make_catalog(), incident([unknown]))
    return reports


def _built(report: ImpactReport) -> list[BaseModel]:
    """The report and every result model in it."""
    out: list[BaseModel] = [report, report.totals]
    for c in report.customers:
        out += [c, *c.subscriptions, *c.sla]
    return out


@pytest.mark.parametrize("name", list(_scenarios()))
def test_unvalidated_results_equal_validated_ones(name: str) -> None:
    """Impact results are built without validation: the same values and types as validated."""
    for model in _built(_scenarios()[name]):
        validated = type(model).model_validate(dict(model.__dict__))
        assert validated == model
        assert {k: type(v) for k, v in validated.__dict__.items()} == {
            k: type(v) for k, v in model.__dict__.items()
        }
        assert validated.model_dump_json() == model.model_dump_json()


@pytest.mark.parametrize(
    "values",
    [[1.0], [0.1, 0.2, 0.3], [1e16, 1.0, -1e16, 3.0], list(np.linspace(0.3, 2.7, 1000)), []],
    ids=["one", "thirds", "cancelling", "long", "empty"],
)
def test_mean_is_np_mean_bit_for_bit(values: list[float]) -> None:
    arr = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = float(arr.mean())
        got = bl._mean(arr)
    assert np.float64(got).tobytes() == np.float64(want).tobytes()


_LO = datetime(2026, 11, 1, tzinfo=UTC)
_HI = datetime(2026, 12, 1, tzinfo=UTC)
_MAINT = [(_LO + timedelta(days=3), _LO + timedelta(days=3, hours=2))]


@pytest.mark.parametrize(
    "intervals",
    [[], [(_LO + timedelta(days=3), _LO + timedelta(days=4), 0.0)]],
    ids=["none (shortcut)", "weightless (general loop)"],
)
@pytest.mark.parametrize("excluded", [[], _MAINT], ids=["no-maintenance", "maintenance"])
def test_weighted_minutes_without_weight_is_zero(
    intervals: list[tuple[datetime, datetime, float]], excluded: list[tuple[datetime, datetime]]
) -> None:
    got = weighted_minutes(intervals, _LO, _HI, excluded)
    assert got == (0.0, 0.0) and all(type(x) is float for x in got)


def test_sla_without_earlier_incidents_counts_own_minutes_as_all() -> None:
    ref = make_catalog().subscriptions["shop/web"]
    own = [(_LO + timedelta(days=3, hours=1), _LO + timedelta(days=3, hours=5), 1.0)]
    [alone] = assess_sla(ref, own, (), at=own[0][0])
    [with_weightless] = assess_sla(ref, own, [(_LO, _LO + timedelta(minutes=1), 0.0)])
    assert alone.incident_minutes == alone.unavailable_minutes == with_weightless.incident_minutes
    assert alone.earlier_minutes == 0.0


@pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin", "Asia/Kolkata"])
@pytest.mark.parametrize("minute", [0, 59, 23 * 60 + 30], ids=["midnight", "00:59", "23:30"])
def test_profile_factors_with_cached_weights_equal_the_formula(tz: str, minute: int) -> None:
    config = ImpactConfig()
    start = datetime(2026, 11, 24, tzinfo=UTC) + timedelta(minutes=minute)
    zone = ZoneInfo(tz)
    weights = np.asarray(config.daily_profile, dtype=np.float64)
    weights = weights / weights.mean()
    local = start.astimezone(zone)
    hours = (local.hour + local.minute / 60.0 + np.arange(90) / 60.0).astype(np.int64) % 24
    got = bl.profile_factors(start, 90, zone, config)
    assert got.tobytes() == weights[hours].tobytes()


def _two_flow_catalog() -> Catalog:
    """shop with two subscriptions of one flow (the first gives its revenue) and one without."""
    raw = raw_catalog()
    raw["services"].append({"id": "db", "name": "DB", "locations": {"fra1": {}, "ams1": {}}})
    shop = raw["customers"][0]
    first = shop["subscriptions"][0]
    second = {**first, "service": "db", "business": {**first.get("business", {})}}
    second["business"].update(revenue_per_minute=50.0, transactions_per_minute=5.0)
    shop["subscriptions"].append(second)
    return catalog_from_dict(raw)


@pytest.mark.parametrize(
    "catalog",
    [make_catalog(), _two_flow_catalog(), load_catalog(EXAMPLE_CATALOG)],
    ids=["base", "two-subscriptions-one-flow", "example"],
)
def test_flow_revenue_by_customer_equals_the_whole_catalog_map(catalog: Catalog) -> None:
    """Each customer's entries read on demand are the whole-catalog map's, missing keys too."""
    whole = flow_revenue(catalog)
    lazy = FlowRevenue(catalog)
    for key, value in whole.items():
        assert lazy.get(key) == value
    for ref in catalog.subscriptions.values():
        key = (ref.customer.id, ref.subscription.business.transaction_name)
        assert lazy.get(key) == whole.get(key)
        assert lazy.get((ref.customer.id, "no such flow")) is None
    assert lazy.get(("no such customer", "orders")) is None
    assert dict(lazy) == whole and len(lazy) == len(whole)
