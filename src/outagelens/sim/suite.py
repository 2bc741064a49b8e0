"""Scenario suites for the accuracy benchmark: N random scenarios on random catalogs.

Categories and noise levels are dealt out evenly (then shuffled), so a suite of N holds the
requested mix exactly up to rounding; catalog sizes are drawn from the given list. Each case is
reproducible on its own: its catalog seed and simulation seed are derived from the suite seed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import yaml

from outagelens.errors import ScenarioError
from outagelens.sim.faults.base import EDGE_KINDS, pick
from outagelens.sim.faults.natural import HAZARDS
from outagelens.sim.runner import run_scenario
from outagelens.sim.scenario import (
    CATEGORIES,
    Category,
    DecoySpec,
    FaultSpec,
    NoiseConfig,
    NoiseLevel,
    Scenario,
    scenario_to_yaml,
)
from outagelens.sim.timeline import lost_locations
from outagelens.topology import Catalog
from outagelens.topology.models import ComponentKind

T = TypeVar("T")
DEFAULT_SIZES: tuple[int, ...] = (50, 200, 1_000, 5_000, 20_000, 100_000)
NOISE_LEVELS: tuple[NoiseLevel, ...] = ("clean", "realistic", "harsh")
_HW_KINDS = frozenset(
    {
        ComponentKind.STORAGE,
        ComponentKind.SWITCH,
        ComponentKind.ROUTER,
        ComponentKind.NETWORK,
        ComponentKind.HYPERVISOR,
        ComponentKind.COMPUTE,
        ComponentKind.DATABASE,
        ComponentKind.COOLING,
        ComponentKind.POWER,
        ComponentKind.UPS,
        ComponentKind.FIREWALL,
        ComponentKind.LOAD_BALANCER,
    }
)


@dataclass(frozen=True)
class SuiteCase:
    """One generated case: its catalog and scenario, and where it was written (if it was)."""

    name: str
    index: int
    entities: int
    noise: NoiseLevel
    catalog_seed: int
    seed: int
    catalog: Catalog
    scenario: Scenario
    directory: Path | None = None


def _dealt(items: Sequence[T], n: int, rng: np.random.Generator) -> list[T]:
    """`n` items, each of `items` equally often (up to rounding), in random order."""
    dealt = [items[i % len(items)] for i in range(n)]
    return [dealt[int(i)] for i in rng.permutation(n)]


def generate_suite(
    n: int,
    seed: int,
    sizes: Sequence[int] = DEFAULT_SIZES,
    categories: Sequence[Category] = CATEGORIES,
    noise_levels: Sequence[NoiseLevel] = NOISE_LEVELS,
) -> Iterator[SuiteCase]:
    """Yield `n` cases (catalog, scenario) with an even mix of categories and noise levels."""
    from outagelens.topology.synthetic import generate_catalog

    if n < 1 or not sizes or not categories or not noise_levels:
        raise ScenarioError("a suite needs n >= 1 and non-empty sizes, categories, noise levels")
    unknown = sorted(set(categories) - set(CATEGORIES))
    if unknown:
        raise ScenarioError(f"unknown categories {unknown}; known: {list(CATEGORIES)}")
    rng = np.random.default_rng([seed, 0x5717E])
    cats = _dealt(list(categories), n, rng)
    levels = _dealt(list(noise_levels), n, rng)
    for i in range(n):
        size = int(sizes[int(rng.integers(len(sizes)))])
        catalog_seed = int(rng.integers(2**31))
        sim_seed = int(rng.integers(2**31))
        catalog = Catalog(generate_catalog(size, seed=catalog_seed), source="catalog.yaml")
        case_rng = np.random.default_rng([seed, i])
        scenario = random_scenario(
            catalog,
            cats[i],
            levels[i],
            case_rng,
            name=f"case-{i:04d}",
        )
        yield SuiteCase(
            name=scenario.name,
            index=i,
            entities=size,
            noise=levels[i],
            catalog_seed=catalog_seed,
            seed=sim_seed,
            catalog=catalog,
            scenario=scenario,
        )


def random_scenario(
    catalog: Catalog,
    category: Category,
    level: NoiseLevel,
    rng: np.random.Generator,
    *,
    name: str,
) -> Scenario:
    """A random fault of `category` with an impact on at least one customer, plus decoys."""
    target = _target(catalog, category, rng)
    params: dict[str, object] = {}
    if category == "natural_disaster":
        params["hazard"] = sorted(set(HAZARDS) - {"earthquake"})[int(rng.integers(4))]
    severity = "down" if rng.random() < 0.8 else "degraded"
    fault = FaultSpec(
        category=category,
        target=target,
        onset_minutes=float(np.round(rng.uniform(6 * 60, 18 * 60), 1)),
        duration_minutes=float(np.round(rng.uniform(20, 240), 1)),
        severity=severity,
        partial_fraction=float(np.round(rng.uniform(0.3, 0.8), 2)),
        parameters=params,
    )
    return Scenario(
        name=name,
        description=f"random {category} scenario on a {len(catalog.graph)}-node catalog",
        faults=[fault],
        decoys=_decoys(catalog, fault, rng),
        noise=NoiseConfig.level(level),
    )


def _impactful(catalog: Catalog, entity: str) -> bool:
    """Takes a subscription down, or one of its locations (not just a redundant instance)."""
    prop = catalog.propagate([entity])
    if prop.subscriptions:
        return True
    down = prop.down
    return any(lost_locations(catalog, sid, down) for sid in prop.partial_subscriptions)


def _target(catalog: Catalog, category: Category, rng: np.random.Generator) -> str:
    """An entity whose failure of this category hurts at least one customer."""
    comps = catalog.components.values()
    if category == "hardware":
        pool = [c.id for c in comps if c.kind in _HW_KINDS]
    elif category == "software":
        pool = [c.id for c in comps if c.software is not None]
    elif category == "cyberattack":
        pool = [c.id for c in comps if c.kind in EDGE_KINDS and c.location]
    else:
        pool = sorted(catalog.locations)
    order = rng.permutation(len(pool))
    for i in order[:300]:
        candidate = pool[int(i)]
        if _impactful(catalog, candidate):
            return candidate
    raise ScenarioError(
        f"catalog '{catalog.source}' has no {category} target that affects any customer"
    )


def _decoys(catalog: Catalog, fault: FaultSpec, rng: np.random.Generator) -> list[DecoySpec]:
    """The decoy typical of the category (a flash sale for an attack, a harmless alarm for
    hardware, a weather warning elsewhere for a disaster, a change for software), plus up to two
    random ones, all within a few hours of the fault."""
    typical = {
        "hardware": "alarm",
        "software": "change",
        "cyberattack": "flash_sale",
        "natural_disaster": "hazard",
    }[fault.category]
    kinds = [typical] + [
        ("change", "flash_sale", "alarm", "hazard")[int(rng.integers(4))]
        for _ in range(int(rng.integers(0, 3)))
    ]
    out = []
    soft = [c.id for c in catalog.components.values() if c.software and c.id != fault.target]
    customers = list(catalog.customers)
    comps = [c for c in catalog.components if c != fault.target]
    locations = [loc for loc in catalog.locations if loc != fault.target]
    for kind in kinds:
        at = float(np.clip(fault.onset_minutes + rng.uniform(-240, 120), 0, 1439))
        if kind == "change" and soft:
            out.append(DecoySpec(kind="change", target=pick(rng, soft), at_minutes=at))
        elif kind == "flash_sale" and customers:
            out.append(
                DecoySpec(
                    kind="flash_sale",
                    target=pick(rng, customers),
                    at_minutes=at,
                    duration_minutes=float(rng.uniform(30, 120)),
                )
            )
        elif kind == "alarm" and comps:
            out.append(DecoySpec(kind="alarm", target=pick(rng, comps), at_minutes=at))
        elif kind == "hazard" and locations:
            out.append(
                DecoySpec(
                    kind="hazard", target=pick(rng, locations), at_minutes=at, duration_minutes=360
                )
            )
    return out


def catalog_yaml(catalog: Catalog) -> str:
    """A catalog as native YAML (fast C dumper when available)."""
    data = catalog.data.model_dump(mode="json", exclude_defaults=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True)


def write_suite(
    n: int,
    out: str | Path,
    *,
    seed: int,
    sizes: Sequence[int] = DEFAULT_SIZES,
    categories: Sequence[Category] = CATEGORIES,
    noise_levels: Sequence[NoiseLevel] = NOISE_LEVELS,
) -> Iterator[SuiteCase]:
    """Generate and write a suite: <out>/<case>/{catalog.yaml, scenario.yaml, signals/}."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    index = []
    for case in generate_suite(n, seed, sizes, categories, noise_levels):
        case_dir = root / case.name
        case_dir.mkdir(exist_ok=True)
        (case_dir / "catalog.yaml").write_text(catalog_yaml(case.catalog), encoding="utf-8")
        scenario = case.scenario.model_copy(update={"catalog": "catalog.yaml"})
        (case_dir / "scenario.yaml").write_text(scenario_to_yaml(scenario), encoding="utf-8")
        signals = case_dir / "signals"
        run_scenario(case.catalog, case.scenario, case.seed, signals, catalog_ref="../catalog.yaml")
        index.append(
            {
                "name": case.name,
                "entities": case.entities,
                "noise": case.noise,
                "catalog": f"{case.name}/catalog.yaml",
                "signals": f"{case.name}/signals",
                "seed": case.seed,
            }
        )
        yield SuiteCase(**{**case.__dict__, "directory": case_dir})
    (root / "suite.json").write_text(json.dumps({"seed": seed, "cases": index}, indent=2) + "\n")
