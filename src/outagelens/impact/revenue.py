"""Failed requests, failed business transactions and lost revenue of one subscription."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from outagelens.correlate.models import AffectedSubscription
from outagelens.impact import baseline as bl
from outagelens.impact.baseline import Baseline, Floats
from outagelens.impact.config import ImpactConfig
from outagelens.impact.downtime import FailureProfile, series_grid
from outagelens.impact.models import SubscriptionImpact
from outagelens.signals import SeriesSet
from outagelens.topology import SubscriptionRef
from outagelens.topology.construct import construct

MATERIAL_DROP = 0.10
"""Share of expected transactions missing for a minute to count in the headline's period."""


@dataclass(frozen=True)
class _Transactions:
    expected: Floats
    actual: Floats
    baseline: Baseline
    measured: bool


def subscription_impact(
    ref: SubscriptionRef,
    affected: AffectedSubscription,
    profile: FailureProfile,
    *,
    series: SeriesSet | None,
    tz: ZoneInfo,
    config: ImpactConfig,
    flow_revenue: tuple[float, str] | None = None,
) -> SubscriptionImpact:
    """Minutes, failed requests and transactions, and lost revenue for one subscription.

    `flow_revenue` is (revenue per transaction, subscription it comes from) for this
    subscription's business flow, when the customer's catalog figures give it.
    """
    business = ref.subscription.business
    mask = profile.affected()
    down = profile.down(config)
    failed = profile.failed
    tx = _transactions(ref, profile, series, tz, config)
    # np.add.reduce is what ndarray.sum calls (the same pairwise sum), without its wrappers.
    expected_tx = float(np.add.reduce(tx.expected[mask]))
    failed_tx = max(0.0, float(np.add.reduce((tx.expected - tx.actual)[mask])))
    lost, money_method = _lost_revenue(
        ref, profile, failed_tx, expected_tx, tz, config, flow_revenue
    )
    first, last = profile.first_and_last()
    minutes = int(np.count_nonzero(mask))
    minutes_down = int(np.count_nonzero(down))  # down minutes are affected ones (threshold > 0)
    peak = float(np.maximum.reduce(failed)) if len(failed) else 0.0
    headline = _subscription_headline(ref, profile, tx, lost)
    method = " ".join(
        [
            _failure_sentence(profile),
            _tx_sentence(business.transaction_name, tx) if expected_tx > 0 else "",
            money_method,
        ]
    ).replace("  ", " ")
    req = profile.expected_requests.values
    # Our own typed values (floats, ints, an enum, aware datetimes), once per affected
    # subscription: no re-validation (tests/impact check it against the validated model).
    return construct(
        SubscriptionImpact,
        subscription=ref.id,
        customer=ref.customer.id,
        service=ref.subscription.service,
        start=first,
        end=last,
        minutes_down=float(minutes_down),
        minutes_degraded=float(minutes - minutes_down),
        weighted_downtime_minutes=round(float(np.add.reduce(failed)), 3),
        longest_down_minutes=float(_longest_run(down)),
        peak_failed_fraction=peak,
        failed_requests=round(float(np.add.reduce(req * failed)), 1),
        expected_requests=round(float(np.add.reduce(req[mask])), 1),
        failed_transactions=round(failed_tx, 1),
        expected_transactions=round(expected_tx, 1),
        transaction_name=business.transaction_name,
        lost_revenue=round(lost, 2),
        currency=business.currency,
        end_users_affected=round(business.end_users * (peak if minutes else 0.0)),
        baseline=tx.baseline.method if expected_tx > 0 else profile.expected_requests.method,
        failure_source=profile.source,
        method=method.strip(),
        headline=headline,
    )


def _longest_run(mask: npt.NDArray[np.bool_]) -> int:
    """Length of the longest run of True values."""
    best = run = 0
    for value in mask.tolist():
        run = run + 1 if value else 0
        best = max(best, run)
    return best


def _transactions(
    ref: SubscriptionRef,
    profile: FailureProfile,
    series: SeriesSet | None,
    tz: ZoneInfo,
    config: ImpactConfig,
) -> _Transactions:
    """Expected and actual business transactions per minute of the grid."""
    n = profile.n
    keys = [
        (ref.customer.id, ref.subscription.service, loc)
        for loc in dict.fromkeys([*ref.subscription.locations])
    ]
    # failure_profile found the grid's columns when the series cover it (a profile built
    # elsewhere may not carry them).
    grid = profile.grid or series_grid(series, keys, profile.start, n, profile.onset, tz, config)
    if grid is not None and series is not None and any(k in series for k in keys):
        row = bl.series_rows(series, keys, "throughput")
        found = bl.from_grid(row, grid, config)
        if found is not None:
            actual = row[grid.first : grid.first + n]
            fallback = found.values * (1.0 - profile.failed)
            measured = not bool(np.isnan(actual).all())
            actual = np.where(np.isnan(actual), fallback, actual)
            return _Transactions(found.values, actual, found, measured)
    tpm = ref.subscription.business.transactions_per_minute
    estimated = bl.from_catalog(tpm, profile.start, n, tz, config)
    actual = estimated.values * (1.0 - profile.failed)
    return _Transactions(estimated.values, actual, estimated, False)


def _lost_revenue(
    ref: SubscriptionRef,
    profile: FailureProfile,
    failed_tx: float,
    expected_tx: float,
    tz: ZoneInfo,
    config: ImpactConfig,
    flow_revenue: tuple[float, str] | None,
) -> tuple[float, str]:
    """Lost revenue and the sentence stating how it was computed."""
    business = ref.subscription.business
    cur = business.currency
    name = business.transaction_name
    if flow_revenue is not None and expected_tx > 0:
        per_tx, source = flow_revenue
        where = "" if source == ref.id else f" of {source}"
        return failed_tx * per_tx, (
            f"Lost revenue = failed {name} × revenue per {name.rstrip('s')} "
            f"{per_tx:,.2f} {cur} (catalog revenue per minute / {name} per minute{where})."
        )
    if business.revenue_per_minute > 0:
        mask = profile.affected()
        drop = profile.failed
        source = "the failed share of traffic"
        factors = bl.profile_factors(profile.start, profile.n, tz, config)
        lost = business.revenue_per_minute * float((factors * drop)[mask].sum())
        return max(0.0, lost), (
            f"Lost revenue = {business.revenue_per_minute:,.2f} {cur} per minute "
            f"(catalog) × {source}, summed over the affected minutes."
        )
    if business.transaction_value is not None and expected_tx > 0:
        value = business.transaction_value
        return failed_tx * value, (
            f"Lost revenue = failed {name} × average value {value:,.2f} {cur}."
        )
    return 0.0, "No revenue figure in the catalog: lost revenue not estimated."


def _failure_sentence(profile: FailureProfile) -> str:
    if profile.source == "series":
        return (
            "Failed share per minute = (errors returned + requests that arrived nowhere) / "
            f"expected requests, from the series ({profile.expected_requests.description})."
        )
    return (
        "Failed share per minute from the outage intervals' failed fractions, "
        "locations weighted equally."
    )


def _tx_sentence(name: str, tx: _Transactions) -> str:
    actual = (
        "actual from the series' throughput"
        if tx.measured
        else "actual estimated as expected × (1 − failed share)"
    )
    return f"Expected {name} per minute from {tx.baseline.description}; {actual}."


def _subscription_headline(
    ref: SubscriptionRef, profile: FailureProfile, tx: _Transactions, lost: float
) -> str:
    """The headline: transactions' drop over the minutes they fell materially, else failed share.

    Minutes count when at least `MATERIAL_DROP` of the expected transactions were missing, so a
    long tail of a few stragglers after failover does not dilute "orders fell 50% for 45 minutes".
    """
    business = ref.subscription.business
    mask = profile.affected()
    minutes = int(mask.sum())
    if minutes == 0:
        return f"no failed traffic measured ({profile.source})"
    expected = np.where(mask, tx.expected, 0.0)
    if float(expected.sum()) > 0:
        shortfall = np.maximum(expected - np.where(mask, tx.actual, 0.0), 0.0)  # np.clip's ufunc
        material = mask & (shortfall >= MATERIAL_DROP * np.maximum(expected, 1e-9))
        period = material if material.any() else mask
        drop = float(shortfall[period].sum() / max(float(expected[period].sum()), 1e-9))
        return _headline(
            business.transaction_name, drop, int(period.sum()), lost, business.currency
        )
    drop = float(profile.failed[mask].mean())
    what = "revenue" if business.revenue_per_minute > 0 else "requests"
    return _headline(what, drop, minutes, lost, business.currency)


def _headline(what: str, drop: float, minutes: int, lost: float, currency: str) -> str:
    """e.g. 'orders fell 52% for 47 minutes: 118,000 EUR'."""
    pct = round(drop * 100)
    verb = "failed" if what == "requests" else "fell"
    text = f"{what} {verb} {pct}% for {minutes} minute{'s' if minutes != 1 else ''}"
    if lost > 0:
        text += f": {lost:,.0f} {currency}"
    return text


def business_flows(impacts: tuple[SubscriptionImpact, ...]) -> list[SubscriptionImpact]:
    """One impact per business flow (the one that lost most), plus those without transactions.

    The same payments lost in the front end and in its database are lost once, not twice.
    """
    best: dict[tuple[str, str], SubscriptionImpact] = {}
    rest = []
    for i in impacts:
        if i.expected_transactions <= 0:
            rest.append(i)
            continue
        key = (i.transaction_name, i.currency)
        if key not in best or i.lost_revenue > best[key].lost_revenue:
            best[key] = i
    return [*best.values(), *rest]
