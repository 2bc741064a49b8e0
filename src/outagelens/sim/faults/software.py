"""Software faults: a deploy or configuration change on a platform component breaks its dependents.

The causal change lands a few minutes before the errors start; decoy changes elsewhere in the
hours around it caused nothing, as on any busy platform. A rollback ends the outage.
"""

from __future__ import annotations

from outagelens.sim.faults.base import (
    ChangeEvent,
    Evidence,
    FaultContext,
    FaultEffect,
    Phase,
    bump_version,
    choice_param,
    config_story,
    param,
    pick,
    require_component,
)
from outagelens.sim.scenario import FaultSpec
from outagelens.topology import Catalog

ACTORS: tuple[str, ...] = (
    "ci-pipeline",
    "netops-automation",
    "argo-cd",
    "j.weber@ops",
    "m.jansen@ops",
    "terraform-cloud",
)


def build(fault: FaultSpec, ctx: FaultContext) -> FaultEffect:
    """Phases and evidence of one bad change."""
    comp = require_component(ctx.catalog, fault)
    rng = ctx.rng
    software = comp.software.name if comp.software else (comp.name or comp.id)
    version = comp.software.version if comp.software else None
    kind = choice_param(fault, "change", ["deploy", "config"], "deploy" if version else "config")
    lag = param(fault, "lag_minutes", float(rng.uniform(2, 8)))
    onset = fault.onset_minutes
    end = min(onset + fault.duration_minutes, float(ctx.n_minutes))
    change_at = max(0.0, onset - lag)
    actor = pick(rng, ACTORS)
    story = config_story(comp, rng)
    evidence = Evidence()
    if kind == "deploy":
        to_version = str(fault.parameters.get("to_version") or bump_version(version, rng))
        evidence.changes.append(
            ChangeEvent(
                change_at,
                comp.id,
                software,
                "deploy",
                actor,
                version,
                to_version,
                f"upgrade {software} {version or '?'} -> {to_version}",
            )
        )
    else:
        to_version = version or ""
        evidence.changes.append(
            ChangeEvent(change_at, comp.id, software, "config", actor, version, version, story)
        )
    if fault.parameters.get("rollback", True) and end < ctx.n_minutes:
        back = max(onset, end - float(rng.uniform(1, 4)))
        evidence.changes.append(
            ChangeEvent(
                back,
                comp.id,
                software,
                "rollback",
                "oncall@ops",
                to_version or None,
                version or to_version or "previous",
                f"rollback of {kind} by incident commander",
            )
        )
    n_decoys = int(param(fault, "decoy_changes", 3))
    evidence.changes.extend(decoy_changes(ctx.catalog, ctx, comp.id, onset, n_decoys))
    if fault.severity == "down":
        phases = [Phase(onset, end, (comp.id,))]
    else:
        phases = [Phase(onset, end, (comp.id,), "degraded", fault.partial_fraction, 1.8)]
    return FaultEffect(
        category="software",
        root_causes=(comp.id,),
        phases=phases,
        evidence=evidence,
        description=f"{kind} of {software} on {comp.id}",
    )


def decoy_changes(
    catalog: Catalog, ctx: FaultContext, avoid: str, around: float, n: int
) -> list[ChangeEvent]:
    """`n` harmless changes on other components within two hours of `around`."""
    rng = ctx.rng
    candidates = [c for c in catalog.components.values() if c.software and c.id != avoid]
    out: list[ChangeEvent] = []
    for _ in range(n if candidates else 0):
        comp = candidates[int(rng.integers(len(candidates)))]
        assert comp.software is not None  # filtered above
        at = float(min(max(0.0, around + rng.uniform(-120, 90)), ctx.n_minutes - 1))
        version = comp.software.version
        name, actor = comp.software.name, pick(rng, ACTORS)
        if version and rng.random() < 0.6:
            new = bump_version(version, rng)
            text = f"upgrade {name} {version} -> {new}"
            out.append(ChangeEvent(at, comp.id, name, "deploy", actor, version, new, text))
        else:
            text = config_story(comp, rng)
            out.append(ChangeEvent(at, comp.id, name, "config", actor, version, version, text))
    return out
