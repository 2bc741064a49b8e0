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
    outcomes: tuple[str, ...]  # default outcomes; one is drawn per run
    sender: str
    sender_name: str
    text: str


_WEATHER = ("warnings@weather-service.example", "National weather service")
HAZARDS: dict[str, HazardStory] = {
    "flood": HazardStory(
        "Flood warning", "Met", (60, 180), "Expected", "Severe", "Likely",
        ("generator_fails",),
        "warnings@flood-centre.example", "Regional flood forecasting centre",
        "River levels rising fast; flooding of low-lying industrial areas expected.",
    ),
    "storm": HazardStory(
        "Severe thunderstorm warning", "Met", (30, 120), "Immediate", "Severe", "Likely",
        ("generator_fails", "cooling_after_power"),
        *_WEATHER,
        "Severe thunderstorms with gusts up to 110 km/h and lightning.",
    ),
    "heatwave": HazardStory(
        "Extreme heat warning", "Met", (360, 900), "Expected", "Extreme", "Likely",
        ("cooling",),
        *_WEATHER,
        "Extreme heat, daytime temperatures up to 39 C.",
    ),
    "earthquake": HazardStory(
        "Earthquake", "Geo", (-6, -2), "Immediate", "Extreme", "Observed",
        ("site_loss",),
        "alerts@seismic-survey.example", "Geological survey",
        "Strong earthquake observed; damage to buildings reported.",
    ),
    "grid_failure": HazardStory(
        "Regional power outage", "Infra", (-20, -5), "Immediate", "Severe", "Observed",
        ("generator_fails", "cooling_after_power"),
        "outages@grid-operator.example", "Transmission system operator",
        "Loss of supply in the regional grid after a substation fault.",
    ),
}  # fmt: skip
OUTCOMES = ("generator_fails", "hidden", "cooling", "cooling_after_power", "site_loss")


def build(fault: FaultSpec, ctx: FaultContext) -> FaultEffect:
    """Phases and evidence of one hazard hitting a site."""
    rng = ctx.rng
    location = require_location(ctx.catalog, fault.target, "natural_disaster")
    hazard_name = choice_param(fault, "hazard", sorted(HAZARDS), "")
    if not hazard_name:
        hazard_name = sorted(HAZARDS)[int(rng.integers(len(HAZARDS)))]
    story = HAZARDS[hazard_name]
    drawn = story.outcomes[int(rng.integers(len(story.outcomes)))]
    outcome = choice_param(fault, "outcome", OUTCOMES, "") or drawn
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
        "cooling_after_power": _cooling_after_power,
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


_HOT_KINDS = (
    ComponentKind.ROUTER, ComponentKind.SWITCH, ComponentKind.STORAGE, ComponentKind.HYPERVISOR,
    ComponentKind.COMPUTE, ComponentKind.NETWORK,
)  # fmt: skip


def _cooling(
    fault: FaultSpec,
    ctx: FaultContext,
    location: str,
    onset: float,
    end: float,
    evidence: Evidence,
    outcome: str,
    warning_lead: float = 25.0,
) -> tuple[list[Phase], tuple[str, ...]]:
    """Cooling cannot keep up with the heat: throttling first, then thermal shutdown."""
    rng = ctx.rng
    coolers = _ids(ctx, location, ComponentKind.COOLING)
    roots = _top_level(ctx, coolers) or (location,)
    heat = min(end, onset + param(fault, "throttle_minutes", float(rng.uniform(8, 20))))
    alarms = evidence.alarms
    for c in coolers:
        alarms.append(AlarmEvent(max(0.0, onset - warning_lead), c, "over_temperature", "major",
                                 "supply air temperature above setpoint"))  # fmt: skip
        alarms.append(AlarmEvent(onset, c, "cooling_failure", "critical",
                                 "cooling capacity exceeded", end + 20, True))  # fmt: skip
    for comp in components_at(ctx.catalog, location, _HOT_KINDS)[:3]:
        alarms.append(AlarmEvent(heat, comp.id, "over_temperature", "critical",
                                 "inlet temperature 38 C, thermal protection", end))  # fmt: skip
    phases = [Phase(onset, heat, roots, "degraded", 0.12, 2.0)]
    if heat < end:
        mode: Mode = "down" if fault.severity == "down" else "degraded"
        phases.append(Phase(heat, end, roots, mode, fault.partial_fraction, 2.5))
    return phases, roots


def _top_level(ctx: FaultContext, ids: tuple[str, ...]) -> tuple[str, ...]:
    """Those of `ids` no other of them depends on (the hall loop, not each CRAC unit)."""
    below = {d for i in ids for d in ctx.catalog.components[i].dependency_ids()}
    return tuple(i for i in ids if i not in below)


def _cooling_after_power(
    fault: FaultSpec,
    ctx: FaultContext,
    location: str,
    onset: float,
    end: float,
    evidence: Evidence,
    outcome: str,
) -> tuple[list[Phase], tuple[str, ...]]:
    """The generator carries the IT load, but the chillers do not restart: the hall heats up."""
    power, grids = _power_loss(fault, ctx, location, onset, end, evidence, "hidden")
    lag = param(fault, "cooling_lag_minutes", float(ctx.rng.uniform(10, 30)))
    hot = min(onset + lag, end - 1)
    cooling, coolers = _cooling(
        fault, ctx, location, hot, end, evidence, outcome, warning_lead=min(25.0, lag * 0.6)
    )
    roots = tuple(dict.fromkeys((*coolers, *grids)))
    return power + cooling, roots


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
