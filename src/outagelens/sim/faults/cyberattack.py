"""Cyberattacks: a volumetric DDoS on one location's internet edge.

Traffic ramps up with many never-seen source networks (and, for SYN floods, a high SYN ratio);
latency rises first, then errors, then the edge saturates until scrubbing mitigates it.
A legitimate surge (a flash sale) elsewhere in the day is the usual decoy.
"""

from __future__ import annotations

from outagelens.errors import ScenarioError
from outagelens.sim.faults.base import (
    EDGE_KINDS,
    Evidence,
    FaultContext,
    FaultEffect,
    Phase,
    TrafficEffect,
    choice_param,
    components_at,
    param,
    require_location,
)
from outagelens.sim.scenario import FaultSpec
from outagelens.topology.models import ComponentKind

_FALLBACK_KINDS = (ComponentKind.LOAD_BALANCER, ComponentKind.ROUTER, ComponentKind.FIREWALL)


def edge_of(ctx: FaultContext, target: str) -> tuple[str, str]:
    """(location, edge component) that a DDoS on `target` hits; the location if it has no edge."""
    catalog = ctx.catalog
    location = require_location(catalog, target, "cyberattack")
    if target in catalog.components:
        return location, target
    for kinds in (EDGE_KINDS, _FALLBACK_KINDS):
        found = components_at(catalog, location, kinds)
        if found:
            return location, found[0].id
    return location, location


def build(fault: FaultSpec, ctx: FaultContext) -> FaultEffect:
    """Phases and evidence of one DDoS."""
    rng = ctx.rng
    location, edge = edge_of(ctx, fault.target)
    vector = choice_param(fault, "vector", ["syn_flood", "http_flood", "udp_reflection"], "")
    if not vector:
        vector = ("syn_flood", "http_flood", "udp_reflection")[int(rng.integers(3))]
    peak = param(fault, "peak_factor", float(rng.uniform(8, 30)))
    if peak <= 1:
        raise ScenarioError(f"fault on '{fault.target}': parameters.peak_factor must be > 1")
    ramp = param(fault, "ramp_minutes", float(rng.uniform(3, 10)))
    onset = fault.onset_minutes
    end = min(onset + fault.duration_minutes, float(ctx.n_minutes))
    # Latency and some errors come first; the edge saturates a few minutes later.
    saturate = min(end, onset + float(rng.uniform(3, 8)))
    phases = [Phase(onset, saturate, (edge,), "degraded", float(rng.uniform(0.08, 0.25)), 5.0)]
    if saturate < end:
        if fault.severity == "down":
            phases.append(Phase(saturate, end, (edge,)))
        else:
            phases.append(Phase(saturate, end, (edge,), "degraded", fault.partial_fraction, 6.0))
    syn = {"syn_flood": float(rng.uniform(0.55, 0.85)), "http_flood": None}
    evidence = Evidence(
        traffic=[
            TrafficEffect(
                location=location,
                start=max(0.0, onset - ramp),
                end=end,
                requests=peak,
                distinct_sources=float(rng.uniform(4, 12)),
                new_source_share=float(rng.uniform(0.45, 0.8)),
                syn_ratio=syn.get(vector, float(rng.uniform(0.01, 0.03))),
                ramp_minutes=ramp,
            )
        ]
    )
    return FaultEffect(
        category="cyberattack",
        root_causes=(edge,),
        phases=phases,
        evidence=evidence,
        description=f"{vector.replace('_', ' ')} DDoS on {edge} in {location}",
    )
