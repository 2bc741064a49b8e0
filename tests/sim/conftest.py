"""Fixtures for simulator tests: the example catalog and cached runs of the built-in scenarios."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from outagelens.sim.builtin import BUILTINS, EXAMPLE_CATALOG
from outagelens.sim.runner import SimResult, simulate
from outagelens.sim.scenario import NoiseConfig, NoiseLevel, Scenario
from outagelens.topology import Catalog, load_catalog

BUILTIN_NAMES = list(BUILTINS)


@pytest.fixture(scope="session")
def example_catalog() -> Catalog:
    """examples/three-customers.yaml, compiled once."""
    return load_catalog(EXAMPLE_CATALOG)


@pytest.fixture(scope="session")
def run_builtin(example_catalog: Catalog) -> Callable[[str, NoiseLevel, int], SimResult]:
    """Run a built-in scenario at a noise level (cached: runs are pure functions of the inputs)."""
    cache: dict[tuple[str, str, int], SimResult] = {}

    def run(name: str, level: NoiseLevel = "realistic", seed: int = 7) -> SimResult:
        key = (name, level, seed)
        if key not in cache:
            scenario = with_noise(BUILTINS[name].build(), NoiseConfig.level(level))
            cache[key] = simulate(example_catalog, scenario, seed)
        return cache[key]

    return run


def with_noise(scenario: Scenario, noise: NoiseConfig) -> Scenario:
    """The scenario with other noise knobs."""
    return scenario.model_copy(update={"noise": noise})
