"""Hardware faults: a PSU, disk array, controller, switch or cooling unit fails.

Evidence is imperfect on purpose: warnings may precede the failure (the part degrades first),
the decisive alarm may never be raised, or it may be raised on a redundant peer instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from outagelens.sim.faults.base import (
    AlarmEvent,
    Evidence,
    FaultContext,
    FaultEffect,
    Phase,
    choice_param,
    param,
    pick,
    redundant_peers,
    require_component,
)
from outagelens.sim.scenario import FaultSpec
from outagelens.topology.models import ComponentKind


@dataclass(frozen=True)
class Part:
    """How one kind of part fails: warnings before, the decisive alarm, and what it says."""

    precursors: tuple[tuple[str, str], ...]  # (alarm kind, message)
    alarm: str
    message: str


PARTS: dict[str, Part] = {
    "psu": Part(
        (("psu_failure", "PSU 2 output voltage out of tolerance"),),
        "psu_failure",
        "both power supplies failed; chassis powered off",
    ),
    "disk": Part(
        (
            ("disk_failure", "predictive failure reported by disk shelf 2 bay 7"),
            ("disk_failure", "disk shelf 2 bay 11 rebuild slow, high media error count"),
        ),
        "controller_failure",
        "RAID controller offline after second disk failure in aggregate",
    ),
    "controller": Part(
        (("ecc_errors", "correctable ECC errors on controller cache above threshold"),),
        "controller_failure",
        "controller failed and did not hand over",
    ),
    "switch": Part(
        (
            ("optic_degraded", "optic rx power low on uplink et-0/0/48"),
            ("link_down", "uplink et-0/0/49 flapping"),
        ),
        "link_down",
        "all uplinks down, line card reset loop",
    ),
    "memory": Part(
        (("ecc_errors", "correctable ECC errors rising on DIMM B2"),),
        "memory_failure",
        "uncorrectable memory error, host halted",
    ),
    "cooling": Part(
        (("fan_failure", "condenser fan 2 speed below setpoint"),),
        "fan_failure",
        "compressor tripped, unit stopped",
    ),
}

_DEFAULT_PART: dict[ComponentKind, str] = {
    ComponentKind.STORAGE: "disk",
    ComponentKind.DATABASE: "disk",
    ComponentKind.SWITCH: "switch",
    ComponentKind.ROUTER: "switch",
    ComponentKind.NETWORK: "switch",
    ComponentKind.FIREWALL: "switch",
    ComponentKind.EDGE: "switch",
    ComponentKind.LOAD_BALANCER: "switch",
    ComponentKind.COOLING: "cooling",
    ComponentKind.COMPUTE: "memory",
    ComponentKind.HYPERVISOR: "memory",
}


def build(fault: FaultSpec, ctx: FaultContext) -> FaultEffect:
    """Phases and evidence of one hardware failure."""
    comp = require_component(ctx.catalog, fault)
    rng = ctx.rng
    part_name = choice_param(fault, "part", sorted(PARTS), _DEFAULT_PART.get(comp.kind, "psu"))
    part = PARTS[part_name]
    onset = fault.onset_minutes
    end = min(onset + fault.duration_minutes, float(ctx.n_minutes))
    lead = param(fault, "precursor_minutes", float(rng.uniform(15, 90)))
    degrade = param(fault, "degrade_minutes", float(rng.choice([0.0, rng.uniform(3, 12)])))
    evidence = Evidence()
    for i, (kind, message) in enumerate(part.precursors):
        at = max(0.0, onset - lead * (1 - i / (len(part.precursors) + 1)) + rng.uniform(-2, 2))
        evidence.alarms.append(AlarmEvent(at, comp.id, kind, "minor", message))
    phases: list[Phase] = []
    if degrade > 0:
        # The part limps before it dies: retries and slow I/O on everything above it.
        start = max(0.0, onset - degrade)
        phases.append(Phase(start, onset, (comp.id,), "degraded", 0.08, 2.5))
    if fault.severity == "down":
        phases.append(Phase(onset, end, (comp.id,)))
    else:
        phases.append(Phase(onset, end, (comp.id,), "degraded", fault.partial_fraction, 2.0))
    on = comp.id
    peers = redundant_peers(ctx.catalog, comp.id)
    draw = rng.random()
    if draw < ctx.noise.missing_alarm_rate:
        on = ""  # the monitoring card died with the part: no decisive alarm at all
    elif draw < ctx.noise.missing_alarm_rate + ctx.noise.peer_alarm_rate and peers:
        on = pick(rng, peers)  # the redundant peer reports the loss of its partner
    if on:
        cleared = end + float(rng.uniform(2, 15))
        at = onset + float(rng.uniform(0, 1.5))
        message = part.message if on == comp.id else f"peer {comp.id} lost: {part.message}"
        evidence.alarms.append(
            AlarmEvent(at, on, part.alarm, "critical", message, cleared, essential=True)
        )
    name = comp.name or comp.id
    return FaultEffect(
        category="hardware",
        root_causes=(comp.id,),
        phases=phases,
        evidence=evidence,
        description=f"{part_name} failure in {name} ({comp.id})",
    )
