"""Decoys: evidence that looks like a cause but caused nothing.

A harmless change, a legitimate traffic surge (flash sale), an alarm on a redundant part,
a weather warning for a site that rode it out. They test that the investigation weighs
evidence against the topology instead of blaming the first suspicious thing it sees.
"""

from __future__ import annotations

from outagelens.errors import ScenarioError
from outagelens.sim.faults.base import (
    AlarmEvent,
    ChangeEvent,
    Evidence,
    FaultContext,
    HazardEvent,
    LoadEffect,
    TrafficEffect,
    bump_version,
    config_story,
    pick,
    require_location,
)
from outagelens.sim.faults.software import ACTORS
from outagelens.sim.scenario import DecoySpec

_HARMLESS_ALARMS: tuple[tuple[str, str], ...] = (
    ("psu_failure", "PSU 1 failed; running on redundant PSU 2"),
    ("fan_failure", "fan tray 3 fan 2 stopped; remaining fans compensating"),
    ("disk_failure", "disk bay 4 failed; hot spare rebuilding"),
    ("ecc_errors", "correctable ECC errors on DIMM A1"),
    ("optic_degraded", "optic rx power low on et-0/0/12"),
)


def build_decoy(decoy: DecoySpec, ctx: FaultContext) -> Evidence:
    """Evidence of one decoy."""
    ctx.catalog.kind_of(decoy.target)  # UnknownEntityError with suggestions if misspelt
    builders = {
        "change": _change,
        "flash_sale": _flash_sale,
        "alarm": _alarm,
        "hazard": _hazard,
    }
    return builders[decoy.kind](decoy, ctx)


def _component(decoy: DecoySpec, ctx: FaultContext) -> str:
    if decoy.target not in ctx.catalog.components:
        raise ScenarioError(f"decoy '{decoy.kind}' on '{decoy.target}': target must be a component")
    return decoy.target


def _change(decoy: DecoySpec, ctx: FaultContext) -> Evidence:
    comp = ctx.catalog.components[_component(decoy, ctx)]
    rng = ctx.rng
    software = comp.software.name if comp.software else (comp.name or comp.id)
    version = comp.software.version if comp.software else None
    if version:
        new = str(decoy.parameters.get("to_version") or bump_version(version, rng))
        change = ChangeEvent(
            decoy.at_minutes,
            comp.id,
            software,
            "deploy",
            pick(rng, ACTORS),
            version,
            new,
            f"upgrade {software} {version} -> {new}",
        )
    else:
        change = ChangeEvent(
            decoy.at_minutes,
            comp.id,
            software,
            "config",
            pick(rng, ACTORS),
            None,
            None,
            str(decoy.parameters.get("description") or config_story(comp, rng)),
        )
    return Evidence(changes=[change])


def _flash_sale(decoy: DecoySpec, ctx: FaultContext) -> Evidence:
    catalog = ctx.catalog
    if decoy.target not in catalog.customers:
        raise ScenarioError(f"decoy 'flash_sale' on '{decoy.target}': target must be a customer")
    rng = ctx.rng
    factor = float(decoy.parameters.get("factor", rng.uniform(2.0, 3.5)))
    end = decoy.at_minutes + decoy.duration_minutes
    locations = catalog.location_of(decoy.target)
    evidence = Evidence(load=[LoadEffect(decoy.target, None, decoy.at_minutes, end, factor)])
    for loc in locations:
        share = 1 + (factor - 1) * 0.5  # the shop is only part of the site's ingress
        evidence.traffic.append(
            TrafficEffect(loc, decoy.at_minutes, end, share, 1.4, 0.06, None, ramp_minutes=10)
        )
    return evidence


def _alarm(decoy: DecoySpec, ctx: FaultContext) -> Evidence:
    comp = _component(decoy, ctx)
    kind, message = pick_alarm(ctx, str(decoy.parameters.get("alarm", "")))
    end = decoy.at_minutes + decoy.duration_minutes
    alarm = AlarmEvent(decoy.at_minutes, comp, kind, "major", message, end, essential=True)
    return Evidence(alarms=[alarm])


def pick_alarm(ctx: FaultContext, wanted: str) -> tuple[str, str]:
    """A harmless alarm (kind, message); `wanted` selects the kind if given."""
    for kind, message in _HARMLESS_ALARMS:
        if kind == wanted:
            return kind, message
    if wanted:
        return wanted, f"{wanted.replace('_', ' ')} (redundancy intact)"
    return _HARMLESS_ALARMS[int(ctx.rng.integers(len(_HARMLESS_ALARMS)))]


def _hazard(decoy: DecoySpec, ctx: FaultContext) -> Evidence:
    from outagelens.sim.faults.natural import HAZARDS

    location = require_location(ctx.catalog, decoy.target, "hazard decoy")
    name = str(decoy.parameters.get("hazard", "storm"))
    if name not in HAZARDS:
        raise ScenarioError(
            f"decoy 'hazard' on '{decoy.target}': parameters.hazard must be one of "
            f"{sorted(HAZARDS)}, got {name!r}"
        )
    story = HAZARDS[name]
    geography = ctx.catalog.locations[location].geography
    event = HazardEvent(
        minute=decoy.at_minutes,
        location=location,
        event=story.event,
        cap_category=story.cap_category,
        urgency=story.urgency,
        severity="Moderate",
        certainty="Possible",
        onset_minute=decoy.at_minutes + 30,
        expires_minute=decoy.at_minutes + decoy.duration_minutes,
        headline=f"{story.event} for {geography}",
        description=story.text,
        radius_km=float(ctx.rng.uniform(5, 15)),
        sender=story.sender,
        sender_name=story.sender_name,
    )
    return Evidence(hazards=[event])
