"""Fault models, one module per cause category, and the registry that dispatches to them."""

from __future__ import annotations

from collections.abc import Callable

from outagelens.sim.faults import cyberattack, hardware, natural, software
from outagelens.sim.faults.base import FaultContext, FaultEffect
from outagelens.sim.scenario import Category, FaultSpec

FaultModel = Callable[[FaultSpec, FaultContext], FaultEffect]

MODELS: dict[Category, FaultModel] = {
    "hardware": hardware.build,
    "software": software.build,
    "cyberattack": cyberattack.build,
    "natural_disaster": natural.build,
}


def build_fault(fault: FaultSpec, ctx: FaultContext) -> FaultEffect:
    """Run the fault model of the fault's category."""
    ctx.catalog.kind_of(fault.target)  # UnknownEntityError with suggestions if misspelt
    return MODELS[fault.category](fault, ctx)


__all__ = ["MODELS", "FaultContext", "FaultEffect", "FaultModel", "build_fault"]
