"""Incident updates drafted in plain language, for one audience at one stage.

A draft states only what the investigation holds: what is affected and since when always; the
cause only once it is identified (confident hypothesis or a person's confirmation), and then in
public words (kind of component, place and category), never internal ids, customer names or
figures of other customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from outagelens.comms.models import IncidentStatus, IncidentUpdate
from outagelens.comms.status import (
    CauseStatement,
    LiveIncident,
    component_name,
    visible_intervals,
)
from outagelens.topology import Catalog

_CATEGORY_WORDS = {
    "hardware": "a hardware failure",
    "software": "a faulty software or configuration change",
    "cyberattack": "a cyberattack (a flood of malicious traffic)",
    "natural_disaster": "a power or environmental event",
    "unknown": "a failure whose cause is still being determined",
}

_KIND_WORDS = {
    "network": "network component",
    "switch": "network switch",
    "router": "router",
    "edge": "internet edge",
    "storage": "storage system",
    "power": "power distribution",
    "ups": "uninterruptible power supply",
    "utility_feed": "utility power feed",
    "generator": "generator",
    "cooling": "cooling system",
    "database": "database cluster",
    "hypervisor": "virtualization cluster",
    "container_platform": "container platform",
    "load_balancer": "load balancer",
    "dns": "DNS service",
    "cdn": "content delivery network",
}


@dataclass(frozen=True)
class DraftConfig:
    """How drafts are written."""

    next_update_minutes: int = 30
    timezone: str = "UTC"


def _fmt(t: datetime, tz: str) -> str:
    local = t.astimezone(ZoneInfo(tz))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def cause_sentence(cause: CauseStatement, catalog: Catalog) -> str:
    """'The cause is a hardware failure of a storage system in Frankfurt am Main, DE.'"""
    kind = _KIND_WORDS.get(cause.component_kind, cause.component_kind.replace("_", " "))
    where = ""
    if cause.location and cause.location in catalog.locations:
        where = f" in {catalog.locations[cause.location].geography}"
    what = _CATEGORY_WORDS.get(cause.category, _CATEGORY_WORDS["unknown"])
    if cause.category == "unknown":
        return f"The disruption started at a {kind}{where}; its cause is still being determined."
    return f"The cause is {what} affecting a {kind}{where}."


def _affected(catalog: Catalog, incident: LiveIncident, audience: str) -> list[str]:
    names = {
        component_name(catalog, entity): None
        for _, _, entity in visible_intervals(catalog, incident.scope, audience)
    }
    return list(names)


def draft_update(
    catalog: Catalog,
    incident: LiveIncident,
    *,
    audience: str,
    stage: IncidentStatus,
    now: datetime,
    config: DraftConfig | None = None,
) -> IncidentUpdate:
    """Draft the update for one audience at one stage of the incident."""
    cfg = config or DraftConfig(timezone=catalog.provider.timezone)
    affected = _affected(catalog, incident, audience)
    what = ", ".join(affected) if affected else "some services"
    since = _fmt(incident.scope.start, cfg.timezone)
    next_at = _fmt(now + timedelta(minutes=cfg.next_update_minutes), cfg.timezone)
    if stage is IncidentStatus.INVESTIGATING:
        body = (
            f"We are investigating a disruption of {what} since {since}. "
            "Our engineers are working to find the cause and restore service. "
            f"Next update by {next_at}."
        )
    elif stage is IncidentStatus.IDENTIFIED:
        cause = (
            cause_sentence(incident.cause, catalog)
            if incident.cause is not None
            else "The cause is not yet confirmed."
        )
        body = (
            f"{what} {'has' if len(affected) == 1 else 'have'} been disrupted since {since}. "
            f"{cause} We are working on the fix. Next update by {next_at}."
        )
    elif stage is IncidentStatus.MONITORING:
        body = (
            f"{what} {'is' if len(affected) == 1 else 'are'} working again. "
            "We are monitoring to make sure service stays stable. "
            f"Next update by {next_at}."
        )
    else:
        end = incident.resolved_at or now
        minutes = round((end - incident.scope.start).total_seconds() / 60)
        body = (
            f"This incident has been resolved. {what} "
            f"{'was' if len(affected) == 1 else 'were'} affected from {since} "
            f"to {_fmt(end, cfg.timezone)} ({minutes} minutes). "
            "We will publish a postmortem with the cause and the actions we are taking."
        )
    return IncidentUpdate(
        id=f"{incident.id}-{audience}-{stage.value}-{int(now.timestamp())}",
        status=stage,
        body=body,
        created_at=now,
        display_at=now,
        affected_components=tuple(affected),
        drafted=True,
    )
