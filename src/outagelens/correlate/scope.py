"""Scope of an incident: start, end, duration, detection delay, who and where is affected."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from outagelens.correlate.models import AffectedSubscription, OutageInterval, Scope
from outagelens.correlate.observations import ObservationIndex
from outagelens.detect.models import HealthState, Symptom, SymptomSource
from outagelens.topology.catalog import Catalog
from outagelens.topology.construct import construct


def _minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60.0


def _worst(states: Sequence[HealthState]) -> HealthState:
    return HealthState.DOWN if HealthState.DOWN in states else HealthState.DEGRADED


def _merge_interval(location: str, symptoms: Sequence[Symptom]) -> OutageInterval:
    """One interval per location: earliest start, latest end (None if any is open)."""
    ends = [s.end for s in symptoms]
    # Series symptoms measure the failed share; alerts only claim a state.
    measured = [s.failed_fraction for s in symptoms if s.source is SymptomSource.SERIES]
    frac = max(measured) if measured else max(s.failed_fraction for s in symptoms)
    return construct(
        OutageInterval,
        location=location,
        start=min(s.start for s in symptoms),
        end=None if any(e is None for e in ends) else max(e for e in ends if e is not None),
        state=_worst([s.state for s in symptoms]),
        failed_fraction=float(frac),  # built without validation (see build_scope)
    )


def affected_subscriptions(
    catalog: Catalog, index: ObservationIndex, symptoms: Sequence[Symptom]
) -> list[AffectedSubscription]:
    """Subscriptions with symptoms, with one merged interval per location."""
    per_sub: dict[str, dict[str, list[Symptom]]] = {}
    for s in symptoms:
        if s.component is not None or not (s.customer and s.service):
            continue
        sub = index.subscription_for(s.customer, s.service)
        if sub is None:
            continue
        locs = [s.location] if s.location else catalog.subscriptions[sub].subscription.locations
        for loc in locs:
            per_sub.setdefault(sub, {}).setdefault(loc, []).append(s)
    out = []
    for sub, by_loc in sorted(per_sub.items()):
        ref = catalog.subscriptions[sub]
        intervals = tuple(_merge_interval(loc, ss) for loc, ss in sorted(by_loc.items()))
        out.append(
            construct(
                AffectedSubscription,
                subscription=sub,
                customer=ref.customer.id,
                service=ref.service,
                state=_worst([iv.state for iv in intervals]),
                locations=tuple(iv.location for iv in intervals),
                intervals=intervals,
            )
        )
    return out


def build_scope(
    catalog: Catalog,
    index: ObservationIndex,
    symptoms: Sequence[Symptom],
    window_end: datetime,
    extra_locations: Sequence[str] = (),
) -> Scope:
    """The scope of a group of symptoms (non-empty).

    The scope, its subscriptions and their intervals are built from our own typed values (of
    validated symptoms and the catalog), once per incident of thousands of lone ones under
    harsh noise: no re-validation.
    """
    start = min(s.start for s in symptoms)
    # The outage ends when service is back: a device alarm that is never cleared (alarms are
    # often raised once and cleared elsewhere) must not hold an incident open once every
    # customer-facing symptom has ended. Without customer-facing symptoms, every symptom counts.
    facing = [s for s in symptoms if s.customer and s.service and s.component is None]
    ends = [s.end for s in (facing or symptoms)]
    ongoing = any(e is None for e in ends)
    end = None if ongoing else max(e for e in ends if e is not None)
    alerts = [s.start for s in symptoms if s.source is SymptomSource.ALERT]
    first_alert = min(alerts) if alerts else None
    subs = affected_subscriptions(catalog, index, symptoms)
    locations: dict[str, None] = {}
    for sub in subs:
        locations.update(dict.fromkeys(sub.locations))
    for s in symptoms:
        if s.component and catalog.has(s.component):
            locations.update(dict.fromkeys(catalog.location_of(s.component)))
    locations.update(dict.fromkeys(extra_locations))
    locs = sorted(x for x in locations if x in catalog.locations)
    return construct(
        Scope,
        start=start,
        end=end,
        ongoing=ongoing,
        duration_minutes=round(_minutes(start, end or window_end), 2),
        first_alert_at=first_alert,
        detection_delay_minutes=(
            None if first_alert is None else round(_minutes(start, first_alert), 2)
        ),
        customers=tuple(sorted({s.customer for s in subs})),
        services=tuple(sorted({s.service for s in subs})),
        locations=tuple(locs),
        regions=tuple(sorted({catalog.locations[x].region for x in locs})),
        geography=tuple(sorted({catalog.locations[x].geography for x in locs})),
        subscriptions=tuple(subs),
    )


def extend_scope(
    catalog: Catalog, scope: Scope, root: tuple[str, ...], contradicted: set[str]
) -> Scope:
    """Add what the root cause's propagation takes down but no symptom showed: subscriptions
    predicted down without a healthy observation, and active-active ones that lost a location."""
    prop = catalog.propagate(root)
    have = {s.subscription for s in scope.subscriptions}
    added: list[AffectedSubscription] = []
    for sub_id, state, basis in [
        *((s, HealthState.DOWN, "predicted") for s in prop.subscriptions),
        *((s, HealthState.DEGRADED, "redundancy_lost") for s in prop.partial_subscriptions),
    ]:
        if sub_id in have:
            continue
        ref = catalog.subscriptions[sub_id]
        locs = [
            loc
            for loc in ref.subscription.locations
            if f"{ref.service}@{loc}" in prop.down or loc in prop.down
        ] or list(ref.subscription.locations)
        if basis == "predicted" and any(f"{sub_id}@{loc}" in contradicted for loc in locs):
            continue
        added.append(
            construct(
                AffectedSubscription,
                subscription=sub_id,
                customer=ref.customer.id,
                service=ref.service,
                state=state,
                locations=tuple(locs),
                intervals=(),
                basis=basis,
            )
        )
        have.add(sub_id)
    if not added:
        return scope
    subs = tuple(sorted([*scope.subscriptions, *added], key=lambda s: s.subscription))
    locs = sorted(
        {*scope.locations, *(x for s in added for x in s.locations)} & set(catalog.locations)
    )
    return scope.model_copy(
        update={
            "subscriptions": subs,
            "customers": tuple(sorted({s.customer for s in subs})),
            "services": tuple(sorted({s.service for s in subs})),
            "locations": tuple(locs),
            "regions": tuple(sorted({catalog.locations[x].region for x in locs})),
            "geography": tuple(sorted({catalog.locations[x].geography for x in locs})),
        }
    )
