"""What the pages show before the investigation confirms an incident.

Two kinds of early evidence reach the pages at once, as 'investigating' with no cause named, and
notify nobody:

- **Reported components**: a firing Alertmanager alert that names a catalog subscription (its
  `customer`, `service` and a `location` the customer uses it in) is a customer-facing symptom.
  The page marks that component as soon as the webhook is stored, under one provisional
  incident per page. Alerts naming only infrastructure (a `component`, a `location`: hardware
  alarms, power, edge traffic) never mark a page: a failed PSU on a redundant switch affects no
  customer unless the investigation finds that it does.
- **Unconfirmed incidents**: an incident of the live investigation that has not been announced
  yet (no update stored) is shown as 'investigating' with its affected components, without a
  cause, until it has stayed open for `status_confirm_seconds`; only then are updates drafted
  and subscribers notified. One that ends or is merged away before that (the investigation
  sometimes splits the first minutes of an outage) disappears without any notice.

An alert says that a service is unhealthy, not how much of its traffic fails: a critical one
shows as a partial outage, others as degraded performance, until an incident measures it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from outagelens.comms.drafts import draft_update
from outagelens.comms.models import IncidentStatus, IncidentUpdate
from outagelens.comms.status import LiveIncident
from outagelens.correlate.models import AffectedSubscription, OutageInterval, Scope
from outagelens.detect.models import HealthState
from outagelens.errors import OutageLensError
from outagelens.server.status.incidents import audiences_of
from outagelens.signals.types import Alert
from outagelens.store.records import SignalRecord
from outagelens.topology import Catalog

REPORTED_PREFIX = "reported-"
# (state, failed share) an alert of each severity stands for on a page (see the module doc).
SEVERITY_STATE = {
    "critical": (HealthState.DOWN, 0.5),
    "error": (HealthState.DEGRADED, 0.0),
    "warning": (HealthState.DEGRADED, 0.0),
}
Key = tuple[str, str, str]  # (customer, service, location)
_K = TypeVar("_K", Key, tuple[str, str])
Coverage = dict[Key, datetime | None]  # key -> covered until (None: open incident)


@dataclasses.dataclass(frozen=True)
class Report:
    """One customer-facing alert: a subscription in a location reported unhealthy since `start`."""

    subscription: str
    customer: str
    service: str
    location: str
    start: datetime
    state: HealthState
    failed_fraction: float
    fingerprint: str

    @property
    def key(self) -> Key:
        """(customer, service, location)."""
        return (self.customer, self.service, self.location)


def reports_of(catalog: Catalog, records: Iterable[SignalRecord], now: datetime) -> list[Report]:
    """The firing customer-facing alerts among stored alert records, at wall time `now`."""
    out: list[Report] = []
    for record in records:
        if record.kind != "alert" or (record.end is not None and record.end <= now):
            continue
        try:
            alert = Alert.model_validate(record.payload)
            severity = alert.severity
        except (ValueError, KeyError, OutageLensError):
            continue  # not ours to read: the processing step already reported it
        report = _report(catalog, alert, severity)
        if report is not None and report.start <= now:
            out.append(report)
    return sorted(out, key=lambda r: (r.start, r.key))


def _report(catalog: Catalog, alert: Alert, severity: str) -> Report | None:
    """The alert as a report when it names a subscription in one of its locations."""
    customer, service, location = alert.customer, alert.service, alert.location
    if severity not in SEVERITY_STATE or not (customer and service and location):
        return None
    if customer not in catalog.customers or service not in catalog.services:
        return None
    global_service = not catalog.services[service].locations
    for ref in catalog.subscriptions_of(customer):
        if ref.service == service and (global_service or location in ref.subscription.locations):
            state, failed = SEVERITY_STATE[severity]
            return Report(
                subscription=ref.id,
                customer=customer,
                service=service,
                location=location,
                start=alert.starts_at,
                state=state,
                failed_fraction=failed,
                fingerprint=alert.fingerprint,
            )
    return None


def covered_keys(incidents: Iterable[LiveIncident]) -> Coverage:
    """(customer, service, location) of every subscription interval of stored incidents -> until
    when they cover an alert there: None (any alert) for an open incident; for a resolved one,
    its resolution time. An alert that started before an incident that covered it was resolved
    (by a person, or by the investigation while Alertmanager still repeats the alert) belongs
    to that outage and must not bring it back as a provisional incident; one that started
    later is news and is shown."""
    out: Coverage = {}
    for inc in incidents:
        resolved = inc.status is IncidentStatus.RESOLVED
        until = (inc.resolved_at or inc.updated_at) if resolved else None
        for sub in inc.scope.subscriptions:
            for iv in sub.intervals:
                _cover(out, (sub.customer, sub.service, iv.location), until)
    return out


def _cover(coverage: dict[_K, datetime | None], key: _K, until: datetime | None) -> None:
    """Widen `coverage` of `key` to `until` (None: everything)."""
    if key in coverage:
        known = coverage[key]
        until = None if known is None or until is None else max(known, until)
    coverage[key] = until


def _covers(coverage: Mapping[_K, datetime | None], key: _K, start: datetime) -> bool:
    """Whether an alert starting at `start` under `key` is covered."""
    if key not in coverage:
        return False
    until = coverage[key]
    return until is None or start <= until


def reported_incident(
    catalog: Catalog,
    reports: Sequence[Report],
    covered: Mapping[Key, datetime | None],
    now: datetime,
    *,
    texts: bool = True,
) -> LiveIncident | None:
    """One provisional 'investigating' incident for the reports no stored incident covers
    (`covered`: from `covered_keys`).

    A global service is one component whatever location an alert names, so an incident that
    covers the subscription in any location covers its alerts in every location."""
    pairs: dict[tuple[str, str], datetime | None] = {}
    for (customer, service, _), until in covered.items():
        _cover(pairs, (customer, service), until)
    mine = [
        r
        for r in reports
        if not _covers(covered, r.key, r.start)
        and (
            catalog.services[r.service].locations
            or not _covers(pairs, (r.customer, r.service), r.start)
        )
    ]
    if not mine:
        return None
    subs: dict[str, list[Report]] = {}
    for r in mine:
        subs.setdefault(r.subscription, []).append(r)
    affected = tuple(_affected(subscription, rs) for subscription, rs in sorted(subs.items()))
    start = min(r.start for r in mine)
    locations = sorted({r.location for r in mine})
    places = [catalog.locations[loc] for loc in locations if loc in catalog.locations]
    scope = Scope(
        start=start,
        ongoing=True,
        duration_minutes=max(0.0, (now - start) / timedelta(minutes=1)),
        first_alert_at=start,
        customers=tuple(sorted({r.customer for r in mine})),
        services=tuple(sorted({r.service for r in mine})),
        locations=tuple(locations),
        regions=tuple(sorted({p.region for p in places})),
        geography=tuple(sorted({p.geography for p in places})),
        subscriptions=affected,
    )
    # Named after its first alert, so it keeps its id while more alerts join it.
    first = min(mine, key=lambda r: (r.start, r.fingerprint))
    digest = hashlib.sha256(f"{first.fingerprint}@{first.start.isoformat()}".encode())
    incident = LiveIncident(
        id=REPORTED_PREFIX + digest.hexdigest()[:12],
        status=IncidentStatus.INVESTIGATING,
        created_at=start,
        updated_at=max(r.start for r in mine),
        scope=scope,
    )
    return provisional(catalog, incident, now, texts=texts)


def _affected(subscription: str, reports: Sequence[Report]) -> AffectedSubscription:
    intervals = []
    for location in sorted({r.location for r in reports}):
        here = [r for r in reports if r.location == location]
        worst = max(here, key=lambda r: (r.state is HealthState.DOWN, r.failed_fraction))
        start = min(r.start for r in here)
        intervals.append(
            OutageInterval(
                location=location,
                start=start,
                state=worst.state,
                failed_fraction=worst.failed_fraction,
            )
        )
    down = any(iv.state is HealthState.DOWN for iv in intervals)
    return AffectedSubscription(
        subscription=subscription,
        customer=reports[0].customer,
        service=reports[0].service,
        state=HealthState.DOWN if down else HealthState.DEGRADED,
        locations=tuple(iv.location for iv in intervals),
        intervals=tuple(intervals),
        basis="observed",
    )


def provisional(
    catalog: Catalog, incident: LiveIncident, now: datetime, *, texts: bool = True
) -> LiveIncident:
    """The incident as pages show it before it is announced: investigating, no cause, and (with
    `texts`; not when a person approves every text) an 'investigating' text per audience that
    is shown but never stored or sent."""
    bare = dataclasses.replace(
        incident,
        status=IncidentStatus.INVESTIGATING,
        cause=None,
        monitoring_at=None,
        resolved_at=None,
    )
    updates: dict[str, tuple[IncidentUpdate, ...]] = {}
    for audience in audiences_of(catalog, bare) if texts else ():
        draft = draft_update(
            catalog, bare, audience=audience, stage=IncidentStatus.INVESTIGATING, now=now
        )
        at = incident.created_at
        update = draft.model_copy(
            update={
                "id": f"{incident.id}:{audience}:unconfirmed",
                "created_at": at,
                "display_at": at,
            }
        )
        updates[audience] = (update,)
    return dataclasses.replace(bare, updates=updates)
