"""Natural disasters and power: a hazard hits a site; power and cooling decide what goes down.

A CAP 1.2 warning covers the site's area (sent before the hazard for weather, after it for an
earthquake or a grid failure). Utility power loss is bridged by UPS batteries and generators,
so a short loss hides entirely; the site goes down only when the generator fails and the
batteries run out, when cooling fails in a heatwave, or when the site itself is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from outagelens.signals.types import AlarmSeverity as Severity
from outagelens.sim.faults.base import (
    AlarmEvent,
    Evidence,
    FaultContext,
    FaultEffect,
    HazardEvent,
    Mode,
    Phase,
    choice_param,
    components_at,
    param,
    require_location,
)
from outagelens.sim.scenario import FaultSpec
from outagelens.topology.models import ComponentKind


@dataclass(frozen=True)
class HazardStory:
    """A kind of hazard: its CAP wording, when the warning goes out, what it does to power."""

    event: str
    cap_category: str
    lead_minutes: tuple[float, float]  # warning sent this long before onset (negative: after)
    urgency: str
    severity: str
    certainty: str
    outcome: str
    sender: str
    sender_name: str
    text: str


HAZARDS: dict[str, HazardStory] = {
    "flood": HazardStory(
        "Flood warning",
        "Met",
        (60, 180),
        "Expected",
        "Severe",
        "Likely",
        "generator_fails",
        "warnings@flood-centre.example",
        "Regional flood forecasting centre",
        "River levels rising fast; flooding of low-lying industrial areas expected.",
    ),
    "storm": HazardStory(
        "Severe thunderstorm warning",
        "Met",
        (30, 120),
        "Immediate",
        "Severe",
        "Likely",
        "generator_fails",
        "warnings@weather-service.example",
        "National weather service",
        "Severe thunderstorms with gusts up to 110 km/h and lightning.",
    ),
    "heatwave": HazardStory(
        "Extreme heat warning",
        "Met",
        (360, 900),
        "Expected",
        "Extreme",
        "Likely",
        "cooling",
        "warnings@weather-service.example",
        "National weather service",
        "Extreme heat, daytime temperatures up to 39 C.",
    ),
    "earthquake": HazardStory(
        "Earthquake",
        "Geo",
        (-6, -2),
        "Immediate",
        "Extreme",
        "Observed",
        "site_loss",
        "alerts@seismic-survey.example",
        "Geological survey",
        "Strong earthquake observed; damage to buildings reported.",
    ),
    "grid_failure": HazardStory(
        "Regional power outage",
        "Infra",
        (-20, -5),
        "Immediate",
        "Severe",
        "Observed",
        "generator_fails",
        "outages@grid-operator.example",
        "Transmission system operator",
        "Loss of supply in the regional grid after a substation fault.",
    ),
}
OUTCOMES = ("generator_fails", "hidden", "cooling", "site_loss")


def build(fault: FaultSpec, ctx: FaultContext) -> FaultEffect:
    """Phases and evidence of one hazard hitting a site."""
    rng = ctx.rng
    location = require_location(ctx.catalog, fault.target, "natural_disaster")
    hazard_name = choice_param(fault, "hazard", sorted(HAZARDS), "")
    if not hazard_name:
        hazard_name = sorted(HAZARDS)[int(rng.integers(len(HAZARDS)))]
    story = HAZARDS[hazard_name]
    outcome = choice_param(fault, "outcome", OUTCOMES, story.outcome)
    onset = fault.onset_minutes
    end = min(onset + fault.duration_minutes, float(ctx.n_minutes))
    lead = float(rng.uniform(*story.lead_minutes))
    geography = ctx.catalog.locations[location].geography
    evidence = Evidence(
        hazards=[
            HazardEvent(
                minute=max(0.0, onset - lead),
                location=location,
                event=story.event,
                cap_category=story.cap_category,
                urgency=story.urgency,
                severity=story.severity,
                certainty=story.certainty,
                onset_minute=onset - max(0.0, float(rng.uniform(0, 30))) if lead > 0 else onset,
                expires_minute=end + float(rng.uniform(60, 360)),
                headline=f"{story.event} for {geography}",
                description=story.text,
                radius_km=float(rng.uniform(4, 12)),
                sender=story.sender,
                sender_name=story.sender_name,
            )
        ]
    )
    builders = {
        "generator_fails": _power_loss,
        "hidden": _power_loss,
        "cooling": _cooling,
        "site_loss": _site_loss,
    }
    phases, roots = builders[outcome](fault, ctx, location, onset, end, evidence, outcome)
    return FaultEffect(
        category="natural_disaster",
        root_causes=roots,
        phases=phases,
        evidence=evidence,
        description=f"{hazard_name.replace('_', ' ')} at {location}: {outcome.replace('_', ' ')}",
    )


def _ids(ctx: FaultContext, location: str, kind: ComponentKind) -> tuple[str, ...]:
    return tuple(c.id for c in components_at(ctx.catalog, location, [kind]))


def _power_loss(
    fault: FaultSpec,
    ctx: FaultContext,
    location: str,
    onset: float,
    end: float,
    evidence: Evidence,
    outcome: str,
) -> tuple[list[Phase], tuple[str, ...]]:
    """Utility power lost; UPS bridges; the generator either carries the load or fails."""
    rng = ctx.rng
    grids = _ids(ctx, location, ComponentKind.UTILITY_FEED)
    gens = _ids(ctx, location, ComponentKind.GENERATOR)
    upses = _ids(ctx, location, ComponentKind.UPS)
    battery = param(fault, "battery_minutes", float(rng.uniform(8, 15)))
    dark = min(end, onset + battery)
    hidden = outcome == "hidden"
    # (minute, components, alarm, severity, message, essential)
    story: list[tuple[float, tuple[str, ...], str, Severity, str, bool]] = [
        (onset, grids, "utility_power_loss", "critical", "utility feed lost", True),
        (onset + 0.2, upses, "ups_on_battery", "major", f"on battery, runtime {battery:.0f} min",
         False),
    ]  # fmt: skip
    if hidden:
        story.append((onset + 0.5, gens, "generator_start", "warning",
                      "generator started, load transferred", False))  # fmt: skip
    else:
        story.append((onset + 0.5, gens, "generator_start", "critical",
                      "generator failed to start", True))  # fmt: skip
        story.append((dark - 0.3, upses, "ups_on_battery", "critical",
                      "battery exhausted, output off", False))  # fmt: skip
    restore = end + float(rng.uniform(-5, 30))
    for minute, comps, kind, severity, message, essential in story:
        evidence.alarms.extend(
            AlarmEvent(minute, c, kind, severity, message, restore, essential) for c in comps
        )
    if hidden:  # the generator carries the load: the grid is out, nothing else is
        return [Phase(onset, end, grids)], grids or (location,)
    roots = (*grids, *gens) if grids else (location,)
    phases = [Phase(onset, dark, grids)] if grids else []
    if dark < end:
        mode: Mode = "down" if fault.severity == "down" else "degraded"
        phases.append(Phase(dark, end, roots, mode, fault.partial_fraction, 2.0))
    return phases or [Phase(onset, end, roots)], roots


def _cooling(
    fault: FaultSpec,
    ctx: FaultContext,
    location: str,
    onset: float,
    end: float,
    evidence: Evidence,
    outcome: str,
) -> tuple[list[Phase], tuple[str, ...]]:
    """Cooling cannot keep up with the heat: throttling first, then thermal shutdown."""
    rng = ctx.rng
    coolers = _ids(ctx, location, ComponentKind.COOLING)
    roots = coolers or (location,)
    heat = min(end, onset + param(fault, "throttle_minutes", float(rng.uniform(8, 20))))
    for c in coolers:
        evidence.alarms.append(
            AlarmEvent(
                max(0.0, onset - 25),
                c,
                "over_temperature",
                "major",
                "supply air temperature above setpoint",
            )
        )
        evidence.alarms.append(
            AlarmEvent(
                onset,
                c,
                "cooling_failure",
                "critical",
                "cooling capacity exceeded",
                end + 20,
                essential=True,
            )
        )
    others = [c.id for c in components_at(ctx.catalog, location) if c.id not in coolers]
    for cid in others[:3]:
        evidence.alarms.append(
            AlarmEvent(
                heat,
                cid,
                "over_temperature",
                "critical",
                "inlet temperature 38 C, thermal protection",
                end,
            )
        )
    phases = [Phase(onset, heat, roots, "degraded", 0.12, 2.0)]
    if heat < end:
        if fault.severity == "down":
            phases.append(Phase(heat, end, roots))
        else:
            phases.append(Phase(heat, end, roots, "degraded", fault.partial_fraction, 2.5))
    return phases, roots


def _site_loss(
    fault: FaultSpec,
    ctx: FaultContext,
    location: str,
    onset: float,
    end: float,
    evidence: Evidence,
    outcome: str,
) -> tuple[list[Phase], tuple[str, ...]]:
    """The site itself is lost (structural damage, water in the building)."""
    for comp in components_at(ctx.catalog, location)[:4]:
        evidence.alarms.append(
            AlarmEvent(onset + 0.1, comp.id, "link_down", "critical", "device unreachable", end)
        )
    mode: Mode = "down" if fault.severity == "down" else "degraded"
    return [Phase(onset, end, (location,), mode, fault.partial_fraction, 2.0)], (location,)
