"""Server-rendered HTML of a status page (Jinja2): banner, incidents, components, 90-day bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from outagelens.comms.models import IncidentStatus, PageIncident, PageSnapshot
from outagelens.comms.statuspage_v2 import page_status
from outagelens.comms.uptime import DayBar, overall_uptime

_ENV = Environment(
    loader=PackageLoader("outagelens.comms", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
)

_STATUS_TEXT = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "under_maintenance": "Under maintenance",
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
}


def _fmt(t: datetime | None, tz: str) -> str:
    if t is None:
        return ""
    local = t.astimezone(ZoneInfo(tz))
    return f"{local:%b %d, %Y %H:%M} {local.tzname()}"


def _incident_view(inc: PageIncident, tz: str) -> dict[str, Any]:
    return {
        "id": inc.id,
        "name": inc.name,
        "status": inc.status.value,
        "status_text": _STATUS_TEXT[inc.status.value],
        "impact": inc.impact.value,
        "started_text": _fmt(inc.started_at, tz),
        "resolved_text": _fmt(inc.resolved_at, tz),
        "updates": [
            {
                "status_text": _STATUS_TEXT[u.status.value],
                "body": u.body,
                "when": _fmt(u.display_at, tz),
            }
            for u in inc.updates
        ],
    }


def render_status_page(
    snapshot: PageSnapshot,
    *,
    history: Mapping[str, Sequence[DayBar]],
    base: str = "/",
    stale: bool = False,
    refresh_seconds: int = 60,
) -> str:
    """The page's HTML; `history` maps component id to its daily bars (oldest first)."""
    tz = snapshot.time_zone
    components = []
    for c in snapshot.components:
        bars = list(history.get(c.id, ()))
        components.append(
            {
                "id": c.id,
                "name": c.name,
                "status": c.status.value,
                "status_text": _STATUS_TEXT[c.status.value],
                "bars": bars,
                "days": len(bars),
                "uptime": f"{overall_uptime(bars):.2f}",
            }
        )
    active = [i for i in snapshot.incidents if i.status is not IncidentStatus.RESOLVED]
    past = [i for i in snapshot.incidents if i.status is IncidentStatus.RESOLVED]
    return _ENV.get_template("status_page.html.j2").render(
        page={
            "name": snapshot.name,
            "time_zone": tz,
            "updated_at_text": _fmt(snapshot.updated_at, tz),
        },
        status=page_status(snapshot),
        active=[_incident_view(i, tz) for i in active],
        history=[_incident_view(i, tz) for i in past],
        components=components,
        maintenances=[
            {
                "name": m.name,
                "status": m.status.value,
                "window": f"{_fmt(m.scheduled_for, tz)} – {_fmt(m.scheduled_until, tz)}",
            }
            for m in snapshot.maintenances
        ],
        base=base,
        stale=stale,
        refresh_seconds=refresh_seconds,
    )
