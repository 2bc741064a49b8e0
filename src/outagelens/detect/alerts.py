"""Symptoms from alerts: one per alert interval, about the most specific entity it names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from outagelens.detect.models import HealthState, Symptom, SymptomSource
from outagelens.signals.types import Alert, HardwareAlarm
from outagelens.topology.catalog import Catalog
from outagelens.topology.construct import construct

# Alert severity -> symptom state: only critical alerts claim that something is down.
SEVERITY_STATE: dict[str, HealthState | None] = {
    "critical": HealthState.DOWN,
    "error": HealthState.DEGRADED,
    "warning": HealthState.DEGRADED,
    "info": None,
}

# How much an alert of each severity says the entity is really unhealthy (noisy warnings).
SEVERITY_SCORE: dict[str, float] = {"critical": 0.9, "error": 0.6, "warning": 0.35, "info": 0.0}


@dataclass(frozen=True, slots=True)
class AlertSymptomConfig:
    """Settings of alert symptom extraction."""

    include_warnings: bool = True


def dedupe_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """One alert per (fingerprint, startsAt): the recorded state with the latest end."""
    best: dict[tuple[str, object], Alert] = {}
    for a in alerts:
        key = (a.fingerprint, a.starts_at)
        cur = best.get(key)
        if cur is None or _end_rank(a) > _end_rank(cur):
            best[key] = a
    return sorted(best.values(), key=lambda a: (a.starts_at, a.fingerprint))


def _end_rank(a: Alert) -> tuple[int, float]:
    if a.status == "resolved" and a.ends_at is not None:
        return (1, a.ends_at.timestamp())
    return (0, 0.0)


def subscriptions_by_use(catalog: Catalog) -> dict[tuple[str, str], str]:
    """(customer, service) -> the first subscription of that customer to that service."""
    out: dict[tuple[str, str], str] = {}
    for ref in catalog.subscriptions.values():
        out.setdefault((ref.customer.id, ref.subscription.service), ref.id)
    return out


def alert_entity(
    alert: Alert,
    catalog: Catalog,
    by_use: Mapping[tuple[str, str], str] | None = None,
) -> str | None:
    """The catalog entity an alert is about (most specific label first), None if unknown.

    `by_use` is `subscriptions_by_use(catalog)` when the caller resolves many alerts."""
    comp = alert.component
    if comp and catalog.has(comp):
        return comp
    cust, svc, loc = alert.customer, alert.service, alert.location
    if cust and svc:
        sub = (by_use if by_use is not None else subscriptions_by_use(catalog)).get((cust, svc))
        if sub is not None:
            return sub
    if svc and loc and catalog.has(f"{svc}@{loc}"):
        return f"{svc}@{loc}"
    for candidate in (svc, cust, loc):
        if candidate and catalog.has(candidate):
            return candidate
    return None


def alert_symptoms(
    alerts: Iterable[Alert],
    catalog: Catalog,
    config: AlertSymptomConfig | None = None,
    *,
    by_use: Mapping[tuple[str, str], str] | None = None,
) -> tuple[list[Symptom], list[Alert]]:
    """Symptoms from alerts; also returns the alerts naming no known entity (ignored).

    `by_use` is `subscriptions_by_use(catalog)` when the caller already holds it
    (`ObservationIndex.by_use`): not built a second time."""
    cfg = config or AlertSymptomConfig()
    out: list[Symptom] = []
    unknown: list[Alert] = []
    lookup = by_use if by_use is not None else subscriptions_by_use(catalog)
    for a in dedupe_alerts(alerts):
        state = SEVERITY_STATE[a.severity]
        if state is None or (state is HealthState.DEGRADED and not cfg.include_warnings):
            continue
        entity = alert_entity(a, catalog, lookup)
        if entity is None:
            unknown.append(a)
            continue
        end = a.ends_at if a.status == "resolved" else None
        summary = a.annotations.get("summary", "")
        out.append(
            construct(  # our own typed values (tests/detect check them against validation)
                Symptom,
                entity=entity,
                source=SymptomSource.ALERT,
                state=state,
                start=a.starts_at,
                end=end,
                customer=a.customer,
                service=a.service,
                location=a.location,
                component=a.component,
                metric=a.alertname,
                failed_fraction=1.0 if state is HealthState.DOWN else 0.3,
                score=SEVERITY_SCORE[a.severity],
                refs=(a.fingerprint,),
                sentence=(
                    f"Alert {a.alertname} ({a.severity}) on {entity} fired at "
                    f"{a.starts_at:%H:%M} UTC" + (f": {summary}" if summary else "")
                ),
            )
        )
    return out, unknown


# Alarms that do not report the device's own failure: a UPS on battery (even exhausted) did its
# job after a loss upstream; heat (cooling capacity exceeded), water and fire are conditions
# around the device.
NOT_OWN_FAILURE = frozenset(
    {"ups_on_battery", "over_temperature", "cooling_failure", "water_leak", "fire_alarm"}
)


def alarm_symptoms(alarms: Iterable[HardwareAlarm], catalog: Catalog) -> list[Symptom]:
    """Symptoms from critical alarms in which a catalog component reports its own failure."""
    out: list[Symptom] = []
    for a in alarms:
        if a.severity != "critical" or not catalog.has(a.component):
            continue
        if a.alarm in NOT_OWN_FAILURE:
            continue
        out.append(
            Symptom(
                entity=a.component,
                source=SymptomSource.ALARM,
                state=HealthState.DOWN,
                start=a.time,
                end=a.cleared_at,
                component=a.component,
                metric=a.alarm,
                score=0.7,
                refs=(a.id,),
                sentence=f"{a.component} raised a critical {a.alarm} alarm at {a.time:%H:%M} UTC"
                + (f": {a.message}" if a.message else ""),
            )
        )
    return out
