"""Status-page vocabulary (Statuspage's) and the page snapshot it is rendered from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ComponentStatus(StrEnum):
    """Statuspage component statuses, best first."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"


COMPONENT_SEVERITY = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 1,
    ComponentStatus.DEGRADED_PERFORMANCE: 2,
    ComponentStatus.PARTIAL_OUTAGE: 3,
    ComponentStatus.MAJOR_OUTAGE: 4,
}


class IncidentStatus(StrEnum):
    """Statuspage incident statuses, in lifecycle order."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceStatus(StrEnum):
    """Statuspage scheduled-maintenance statuses."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


class Impact(StrEnum):
    """Statuspage incident impact, least first."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


IMPACT_ORDER = {
    Impact.NONE: 0,
    Impact.MAINTENANCE: 0,
    Impact.MINOR: 1,
    Impact.MAJOR: 2,
    Impact.CRITICAL: 3,
}


class Indicator(StrEnum):
    """Statuspage page-level status indicator."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PageComponent(_Frozen):
    """A component shown on a page: one service in one location (or a group of them)."""

    id: str
    name: str
    description: str | None = None
    status: ComponentStatus
    position: int
    group_id: str | None = None
    is_group: bool = False
    created_at: datetime
    updated_at: datetime
    entity: str = Field(description="Catalog entity it stands for (e.g. '<service>@<location>').")


class IncidentUpdate(_Frozen):
    """One published (or drafted) update of an incident."""

    id: str
    status: IncidentStatus
    body: str
    created_at: datetime
    display_at: datetime
    affected_components: tuple[str, ...] = ()
    drafted: bool = Field(default=True, description="Written by OutageLens (not by a person).")


class PageIncident(_Frozen):
    """An incident as a page shows it."""

    id: str
    name: str
    status: IncidentStatus
    impact: Impact
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    monitoring_at: datetime | None = None
    resolved_at: datetime | None = None
    shortlink: str | None = None
    components: tuple[str, ...] = ()
    updates: tuple[IncidentUpdate, ...] = ()


class Maintenance(_Frozen):
    """A scheduled maintenance window."""

    id: str
    name: str
    status: MaintenanceStatus
    impact: Impact = Impact.MAINTENANCE
    scheduled_for: datetime
    scheduled_until: datetime
    created_at: datetime
    updated_at: datetime
    components: tuple[str, ...] = ()
    body: str = ""


class PageSnapshot(_Frozen):
    """Everything one page (public or one customer's) shows at one moment."""

    page_id: str
    name: str
    url: str
    time_zone: str
    updated_at: datetime
    audience: str = Field(description="'public' or a customer id.")
    components: tuple[PageComponent, ...]
    incidents: tuple[PageIncident, ...]
    maintenances: tuple[Maintenance, ...] = ()
