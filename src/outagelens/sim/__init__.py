"""Scenario generator: faults of every cause category with realistic, imperfect signals.

Entry points: `simulate` / `run_scenario` (runner), `Scenario` / `load_scenario` / `NoiseConfig`
(scenario), `builtin_scenario` / `BUILTINS` (builtin), `generate_suite` / `write_suite` (suite).
See docs/simulator.md.
"""

from outagelens.sim.builtin import BUILTINS, builtin_scenario
from outagelens.sim.runner import SimResult, resolve_scenario, run_scenario, simulate
from outagelens.sim.scenario import (
    DecoySpec,
    FaultSpec,
    NoiseConfig,
    Scenario,
    load_scenario,
    scenario_to_yaml,
)
from outagelens.sim.suite import SuiteCase, generate_suite, write_suite

__all__ = [
    "BUILTINS",
    "DecoySpec",
    "FaultSpec",
    "NoiseConfig",
    "Scenario",
    "SimResult",
    "SuiteCase",
    "builtin_scenario",
    "generate_suite",
    "load_scenario",
    "resolve_scenario",
    "run_scenario",
    "scenario_to_yaml",
    "simulate",
    "write_suite",
]
