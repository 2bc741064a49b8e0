"""`assess_incident`: the single entry point that turns an investigation into an impact report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from outagelens.correlate.models import AffectedSubscription, Incident
from outagelens.impact.config import ImpactConfig, RegulatoryFacts
from outagelens.impact.downtime import failure_profile
from outagelens.impact.models import (
    CustomerImpact,
    ImpactReport,
    ImpactTotals,
    RegulatoryAssessment,
    SlaAssessment,
    SubscriptionImpact,
)
from outagelens.impact.regulatory import RegulatoryContext, get_framework
from outagelens.impact.revenue import business_flows, subscription_impact
from outagelens.impact.sla import WeightedInterval, assess_sla, profile_intervals
from outagelens.signals import SeriesSet
from outagelens.topology import Catalog, SubscriptionRef
from outagelens.topology.construct import construct


def incident_end(incident: Incident, as_of: datetime | None = None) -> datetime:
    """End of the incident, or the time it is assessed at while ongoing."""
    scope = incident.scope
    if scope.end is not None:
        return scope.end
    return as_of or scope.start + timedelta(minutes=scope.duration_minutes)


def assess_incident(
    catalog: Catalog,
    incident: Incident,
    *,
    series: SeriesSet | None = None,
    earlier_outages: Mapping[str, Sequence[WeightedInterval]] | None = None,
    classified_at: datetime | None = None,
    as_of: datetime | None = None,
    config: ImpactConfig | None = None,
    flows: Mapping[tuple[str, str], tuple[float, str]] | None = None,
) -> ImpactReport:
    """Per-customer downtime, losses, SLA credits and regulatory classification, with totals.

    `earlier_outages` maps a subscription id to the month's earlier (start, end, weight)
    intervals (from the store); `classified_at` is when the customer classified the incident;
    `flows` is `flow_revenue(catalog)` (or a `FlowRevenue` of it) when the caller assesses many
    incidents of one catalog.
    """
    config = config or ImpactConfig()
    earlier = earlier_outages or {}
    end = incident_end(incident, as_of)
    tz = ZoneInfo(catalog.provider.timezone)
    notes: list[str] = []
    flows = flow_revenue(catalog) if flows is None else flows
    per_customer: dict[str, list[tuple[SubscriptionImpact, list[SlaAssessment]]]] = defaultdict(
        list
    )
    for affected in incident.scope.subscriptions:
        ref = catalog.subscriptions.get(affected.subscription)
        if ref is None:
            notes.append(f"subscription '{affected.subscription}' is not in the catalog; skipped")
            continue
        if not affected.intervals:
            notes.append(f"subscription '{ref.id}' has no outage intervals; skipped")
            continue
        profile = failure_profile(ref, affected, as_of=end, series=series, tz=tz, config=config)
        flow = flows.get((ref.customer.id, ref.subscription.business.transaction_name))
        impact = subscription_impact(
            ref, affected, profile, series=series, tz=tz, config=config, flow_revenue=flow
        )
        sla = ref.subscription.sla
        slas = (
            assess_sla(
                ref,
                profile_intervals(profile, sla, config),
                earlier.get(ref.id, ()),
                at=profile.onset,
            )
            if sla is not None
            else []
        )
        per_customer[ref.customer.id].append((impact, slas))
    customers = tuple(
        _customer(catalog, incident, cid, rows, end, classified_at, config, notes)
        for cid, rows in sorted(per_customer.items())
    )
    # Our own typed values here and below, once per incident (thousands of lone ones under
    # harsh noise): no re-validation (tests/impact check them against the validated models).
    return construct(
        ImpactReport,
        incident=incident.id,
        as_of=end,
        customers=customers,
        totals=_totals(customers, _contact_rate(catalog, config)),
        notes=tuple(notes),
    )


def flow_revenue(catalog: Catalog) -> dict[tuple[str, str], tuple[float, str]]:
    """(customer, transaction name) -> (revenue per transaction, subscription it comes from).

    A customer's business flow (its payments, its orders) often passes through several
    subscriptions; the revenue per transaction comes from the first one whose catalog figures
    give both revenue and transactions per minute, and applies to all of them.
    """
    return _flows(catalog.subscriptions.values())


def _flows(refs: Iterable[SubscriptionRef]) -> dict[tuple[str, str], tuple[float, str]]:
    out: dict[tuple[str, str], tuple[float, str]] = {}
    for ref in refs:
        b = ref.subscription.business
        if b.revenue_per_minute > 0 and b.transactions_per_minute > 0:
            key = (ref.customer.id, b.transaction_name)
            out.setdefault(key, (b.revenue_per_minute / b.transactions_per_minute, ref.id))
    return out


class FlowRevenue(Mapping[tuple[str, str], tuple[float, str]]):
    """`flow_revenue(catalog)`, each customer's entries found when first asked for.

    An investigation asks for the customers its incidents affect, not for every subscription
    of the catalog (31,588 on the 100,000-entity catalog). A customer's subscriptions come in
    the catalog's order (`Catalog.subscriptions_of`), so the first that gives the figures is
    the one `flow_revenue` takes.
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._by_customer: dict[str, dict[tuple[str, str], tuple[float, str]]] = {}

    def _of(self, customer_id: str) -> dict[tuple[str, str], tuple[float, str]]:
        found = self._by_customer.get(customer_id)
        if found is None:
            known = customer_id in self._catalog.customers
            refs = self._catalog.subscriptions_of(customer_id) if known else []
            found = self._by_customer[customer_id] = _flows(refs)
        return found

    def __getitem__(self, key: tuple[str, str]) -> tuple[float, str]:
        return self._of(key[0])[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(flow_revenue(self._catalog))

    def __len__(self) -> int:
        return len(flow_revenue(self._catalog))


def _contact_rate(catalog: Catalog, config: ImpactConfig) -> float:
    if config.support_contact_rate is not None:
        return config.support_contact_rate
    return catalog.provider.support_contact_rate


def _customer(
    catalog: Catalog,
    incident: Incident,
    customer_id: str,
    rows: list[tuple[SubscriptionImpact, list[SlaAssessment]]],
    end: datetime,
    classified_at: datetime | None,
    config: ImpactConfig,
    notes: list[str],
) -> CustomerImpact:
    """Sum one customer's subscriptions and classify the incident for its regulators."""
    customer = catalog.customers[customer_id]
    impacts = tuple(i for i, _ in rows)
    slas = tuple(s for _, ss in rows for s in ss)
    affected = [a for a in incident.scope.subscriptions if a.customer == customer_id]
    regulatory = _regulatory(
        catalog, incident, customer_id, impacts, affected, end, classified_at, config, notes
    )
    end_users = max((i.end_users_affected for i in impacts), default=0)
    flows = business_flows(impacts)
    return construct(
        CustomerImpact,
        customer=customer_id,
        name=customer.name,
        subscriptions=impacts,
        sla=slas,
        regulatory=regulatory,
        lost_revenue=_by_currency((i.currency, i.lost_revenue) for i in flows),
        failed_transactions=_by_currency(
            (i.transaction_name, i.failed_transactions) for i in flows if i.expected_transactions
        ),
        credits=_by_currency((s.currency, s.credit_amount) for s in slas),
        end_users_affected=end_users,
        expected_support_contacts=float(round(end_users * _contact_rate(catalog, config), 1)),
    )


def _regulatory(
    catalog: Catalog,
    incident: Incident,
    customer_id: str,
    impacts: tuple[SubscriptionImpact, ...],
    affected: list[AffectedSubscription],
    end: datetime,
    classified_at: datetime | None,
    config: ImpactConfig,
    notes: list[str],
) -> tuple[RegulatoryAssessment, ...]:
    customer = catalog.customers[customer_id]
    if not customer.regulation:
        return ()  # what the loop below gives (most customers are not regulated)
    countries = {
        catalog.locations[iv.location].country
        for a in affected
        for iv in a.intervals
        if iv.location in catalog.locations
    }
    out = []
    for profile in customer.regulation:
        framework = get_framework(profile.framework)
        if framework is None:
            notes.append(f"customer '{customer_id}': no module for framework '{profile.framework}'")
            continue
        ctx = RegulatoryContext(
            customer=customer,
            profile=profile,
            impacts=impacts,
            subscriptions={i.subscription: catalog.subscriptions[i.subscription] for i in impacts},
            scope=incident.scope,
            incident_start=incident.scope.start,
            incident_end=end,
            affected_countries=tuple(sorted(c for c in countries if c)),
            classified_at=classified_at,
            facts=config.facts.get(customer_id, RegulatoryFacts()),
            eur_per_unit=dict(config.eur_rates),
        )
        out.append(framework.assess(ctx))
    return tuple(out)


def _by_currency(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for cur, amount in pairs:
        totals[cur] += amount
    return {k: round(v, 2) for k, v in sorted(totals.items())}


def _totals(customers: tuple[CustomerImpact, ...], rate: float) -> ImpactTotals:
    subs = [s for c in customers for s in c.subscriptions]
    lost: dict[str, float] = defaultdict(float)
    credits: dict[str, float] = defaultdict(float)
    for c in customers:
        for cur, v in c.lost_revenue.items():
            lost[cur] += v
        for cur, v in c.credits.items():
            credits[cur] += v
    end_users = sum(c.end_users_affected for c in customers)
    # float(): a sum over no subscription is the int 0, which validation would make 0.0.
    return construct(
        ImpactTotals,
        customers=len(customers),
        subscriptions=len(subs),
        minutes_down=float(sum(s.minutes_down for s in subs)),
        weighted_downtime_minutes=float(round(sum(s.weighted_downtime_minutes for s in subs), 3)),
        failed_requests=float(round(sum(s.failed_requests for s in subs), 1)),
        failed_transactions=float(
            round(sum(v for c in customers for v in c.failed_transactions.values()), 1)
        ),
        lost_revenue={k: round(v, 2) for k, v in sorted(lost.items())},
        credits={k: round(v, 2) for k, v in sorted(credits.items())},
        end_users_affected=end_users,
        expected_support_contacts=float(round(end_users * rate, 1)),
        support_contact_rate=float(rate),
        major_regulatory_incidents=sum(1 for c in customers for r in c.regulatory if r.major),
    )
