"""CAP 1.2 hazard models: a parsed <alert> with its <info> blocks and <area>s (see cap.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from outagelens.signals.base import CapDatetime, FrozenModel


class CapCircle(FrozenModel):
    """A CAP circle: centre (WGS 84) and radius in kilometres."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_km: float = Field(ge=0)


class CapArea(FrozenModel):
    """A CAP <area>: description plus any polygons, circles and geocodes."""

    area_desc: str = Field(min_length=1)
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()
    """Each polygon is a closed ring of (lat, lon) pairs, first == last, at least 4 pairs."""
    circles: tuple[CapCircle, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()
    """(valueName, value) pairs, e.g. ('FIPS6', '006113')."""
    altitude: float | None = None
    ceiling: float | None = None

    @model_validator(mode="after")
    def _check_ceiling(self) -> CapArea:
        if self.ceiling is not None and self.altitude is None:
            raise ValueError("CAP 1.2 allows ceiling only together with altitude")
        return self

    @field_validator("polygons")
    @classmethod
    def _check_polygons(
        cls, value: tuple[tuple[tuple[float, float], ...], ...]
    ) -> tuple[tuple[tuple[float, float], ...], ...]:
        for ring in value:
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise ValueError("a CAP polygon needs at least 4 points, first equal to last")
            for lat, lon in ring:
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError(f"polygon point ({lat}, {lon}) is outside WGS 84 range")
        return value


CapUrgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
CapSeverity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
CapCertainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
CapCategory = Literal[
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
    "CBRNE", "Other",
]  # fmt: skip
CapResponse = Literal[
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"
]


class CapInfo(FrozenModel):
    """A CAP <info> block: what the hazard is, how bad, when, and where (its areas)."""

    language: str = "en-US"
    categories: tuple[CapCategory, ...] = Field(min_length=1)
    event: str = Field(min_length=1)
    response_types: tuple[CapResponse, ...] = ()
    urgency: CapUrgency
    severity: CapSeverity
    certainty: CapCertainty
    audience: str | None = None
    event_codes: tuple[tuple[str, str], ...] = ()
    effective: CapDatetime | None = None
    onset: CapDatetime | None = None
    expires: CapDatetime | None = None
    sender_name: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    web: str | None = None
    contact: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    areas: tuple[CapArea, ...] = ()


class Hazard(FrozenModel):
    """One CAP 1.2 <alert>: weather, grid failure, flood, earthquake and similar hazards."""

    identifier: str = Field(min_length=1, pattern=r"^[^\s,<&]+$")
    sender: str = Field(min_length=1, pattern=r"^[^\s,<&]+$")
    sent: CapDatetime
    status: Literal["Actual", "Exercise", "System", "Test", "Draft"]
    msg_type: Literal["Alert", "Update", "Cancel", "Ack", "Error"]
    source: str | None = None
    scope: Literal["Public", "Restricted", "Private"]
    restriction: str | None = None
    addresses: str | None = None
    codes: tuple[str, ...] = ()
    note: str | None = None
    references: str | None = None
    incidents: str | None = None
    infos: tuple[CapInfo, ...] = ()

    @model_validator(mode="after")
    def _check_scope(self) -> Hazard:
        if self.scope == "Private" and not self.addresses:
            raise ValueError("CAP 1.2 requires addresses when scope is Private")
        return self

    @property
    def onset(self) -> datetime:
        """Earliest onset (or effective, or sent) over the info blocks."""
        times = [i.onset or i.effective or self.sent for i in self.infos]
        return min(times) if times else self.sent

    @property
    def expires(self) -> datetime | None:
        """Latest expiry over the info blocks, None if any block never expires."""
        times = [i.expires for i in self.infos]
        if not times or any(t is None for t in times):
            return None
        return max(t for t in times if t is not None)
