"""Scenario suites for the accuracy benchmark: N random scenarios on random catalogs.

Two ways to choose catalog sizes. With `sizes`, categories and noise levels are dealt out evenly
over the whole suite (then shuffled) and each case draws its size from the list. With `mix`
({size: number of cases}), every size gets exactly its count, and categories and noise levels
are dealt evenly within each size, so per-size results compare like with like.

`per_catalog` lets several scenarios share one random catalog (a provider has one catalog; a
100,000-entity catalog costs seconds to generate and compile): consecutive cases of one size
are grouped, and each group's catalog is generated once. Every case stays reproducible on its
own: its catalog seed and simulation seed are derived from the suite seed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from outagelens import __version__
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
CATALOG_FILE = "catalog.json"
SUITE_INDEX = "suite.json"
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

    @property
    def catalog_path(self) -> Path | None:
        """The catalog file of a written case (JSON, read by `load_catalog`)."""
        return self.directory / CATALOG_FILE if self.directory is not None else None

    @property
    def signals_path(self) -> Path | None:
        """The signals directory of a written case (truth.json inside: for scoring only)."""
        return self.directory / "signals" if self.directory is not None else None


@dataclass(frozen=True)
class _Planned:
    """What one case will be, before its catalog exists."""

    entities: int
    category: Category
    noise: NoiseLevel
    catalog_seed: int
    seed: int


def _dealt(items: Sequence[T], n: int, rng: np.random.Generator) -> list[T]:
    """`n` items, each of `items` equally often (up to rounding), in random order."""
    dealt = [items[i % len(items)] for i in range(n)]
    return [dealt[int(i)] for i in rng.permutation(n)]


def _plan_drawn(
    n: int,
    rng: np.random.Generator,
    sizes: Sequence[int],
    categories: Sequence[Category],
    noise_levels: Sequence[NoiseLevel],
    per_catalog: int,
) -> list[_Planned]:
    """Sizes drawn per group of `per_catalog` cases; categories and noise dealt suite-wide."""
    cats = _dealt(list(categories), n, rng)
    levels = _dealt(list(noise_levels), n, rng)
    plan: list[_Planned] = []
    size = catalog_seed = 0
    for i in range(n):
        if i % per_catalog == 0:
            size = int(sizes[int(rng.integers(len(sizes)))])
            catalog_seed = int(rng.integers(2**31))
        plan.append(_Planned(size, cats[i], levels[i], catalog_seed, int(rng.integers(2**31))))
    return plan


def _plan_mixed(
    mix: Mapping[int, int],
    rng: np.random.Generator,
    categories: Sequence[Category],
    noise_levels: Sequence[NoiseLevel],
    per_catalog: int,
) -> list[_Planned]:
    """Exactly mix[size] cases per size, categories and noise dealt evenly within each size;
    groups of up to `per_catalog` cases share a catalog; the groups come in random order."""
    groups: list[list[_Planned]] = []
    for size, count in sorted(mix.items()):
        # Cycling both lists by the same index pairs every category with every noise level
        # when their lengths are coprime (4 and 3), and keeps both even in any prefix.
        pairs = [
            (categories[i % len(categories)], noise_levels[i % len(noise_levels)])
            for i in range(count)
        ]
        pairs = [pairs[int(i)] for i in rng.permutation(count)]
        for first in range(0, count, per_catalog):
            catalog_seed = int(rng.integers(2**31))
            groups.append(
                [
                    _Planned(size, cat, level, catalog_seed, int(rng.integers(2**31)))
                    for cat, level in pairs[first : first + per_catalog]
                ]
            )
    return [case for g in rng.permutation(len(groups)) for case in groups[int(g)]]


def generate_suite(
    n: int,
    seed: int,
    sizes: Sequence[int] = DEFAULT_SIZES,
    categories: Sequence[Category] = CATEGORIES,
    noise_levels: Sequence[NoiseLevel] = NOISE_LEVELS,
    *,
    mix: Mapping[int, int] | None = None,
    per_catalog: int = 1,
) -> Iterator[SuiteCase]:
    """Yield `n` cases (catalog, scenario) with an even mix of categories and noise levels.

    `mix` ({entities: cases}, summing to `n`) replaces the random draw from `sizes`; cases that
    share a catalog (`per_catalog` > 1) come one after the other and share the Catalog object.
    """
    from outagelens.topology.synthetic import generate_catalog

    if n < 1 or not sizes or not categories or not noise_levels:
        raise ScenarioError("a suite needs n >= 1 and non-empty sizes, categories, noise levels")
    unknown = sorted(set(categories) - set(CATEGORIES))
    if unknown:
        raise ScenarioError(f"unknown categories {unknown}; known: {list(CATEGORIES)}")
    if per_catalog < 1:
        raise ScenarioError(f"per_catalog must be >= 1, got {per_catalog}")
    rng = np.random.default_rng([seed, 0x5717E])
    if mix is None:
        plan = _plan_drawn(n, rng, sizes, categories, noise_levels, per_catalog)
    else:
        check_mix(mix, n)
        plan = _plan_mixed(mix, rng, categories, noise_levels, per_catalog)
    current: tuple[tuple[int, int], Catalog] | None = None
    for i, case in enumerate(plan):
        wanted = (case.entities, case.catalog_seed)
        if current is None or current[0] != wanted:
            current = None  # drop the previous catalog before building the next one
            data = generate_catalog(case.entities, seed=case.catalog_seed)
            current = (wanted, Catalog(data, source=CATALOG_FILE))
        catalog = current[1]
        scenario = random_scenario(
            catalog,
            case.category,
            case.noise,
            np.random.default_rng([seed, i]),
            name=f"case-{i:04d}",
        )
        yield SuiteCase(
            name=scenario.name,
            index=i,
            entities=case.entities,
            noise=case.noise,
            catalog_seed=case.catalog_seed,
            seed=case.seed,
            catalog=catalog,
            scenario=scenario,
        )


def check_mix(mix: Mapping[int, int], n: int | None = None) -> None:
    """A size mix must name positive sizes with counts >= 1 (summing to `n` when given)."""
    if not mix:
        raise ScenarioError("a size mix needs at least one size")
    bad = sorted(f"{size}:{count}" for size, count in mix.items() if size < 1 or count < 1)
    if bad:
        raise ScenarioError(f"size mix entries must be positive SIZE:COUNT, got {bad}")
    if n is not None and sum(mix.values()) != n:
        raise ScenarioError(f"size mix holds {sum(mix.values())} cases, not n = {n}")


def parse_noise_levels(text: str) -> tuple[NoiseLevel, ...]:
    """'harsh,clean' -> ('clean', 'harsh') (canonical order); ScenarioError names unknown ones."""
    levels = [level.strip() for level in text.split(",") if level.strip()]
    unknown = [level for level in levels if level not in NOISE_LEVELS]
    if unknown or not levels:
        raise ScenarioError(
            f"noise levels: unknown {unknown or [text]}; known: {list(NOISE_LEVELS)}"
        )
    return tuple(level for level in NOISE_LEVELS if level in levels)


def parse_mix(text: str) -> dict[int, int]:
    """'50:60,100000:24' -> {50: 60, 100000: 24}; ScenarioError names a malformed entry."""
    mix: dict[int, int] = {}
    for entry in (e.strip() for e in text.split(",")):
        size, sep, count = entry.partition(":")
        if not sep or not size.strip().isdigit() or not count.strip().isdigit():
            raise ScenarioError(f"size mix entry {entry!r} is not SIZE:COUNT (e.g. 1000:60)")
        if int(size) in mix:
            raise ScenarioError(f"size mix names {int(size)} twice")
        mix[int(size)] = int(count)
    check_mix(mix)
    return mix


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


def catalog_json(catalog: Catalog) -> str:
    """A catalog in the native format as JSON (`load_catalog` reads JSON about 30 times faster
    than YAML, and writing it is faster still)."""
    data = catalog.data.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_suite(
    n: int,
    out: str | Path,
    *,
    seed: int,
    sizes: Sequence[int] = DEFAULT_SIZES,
    categories: Sequence[Category] = CATEGORIES,
    noise_levels: Sequence[NoiseLevel] = NOISE_LEVELS,
    mix: Mapping[int, int] | None = None,
    per_catalog: int = 1,
) -> Iterator[SuiteCase]:
    """Generate and write a suite: <out>/<case>/{catalog.json, scenario.yaml, signals/}, then
    <out>/suite.json (the index, with the parameters that reproduce the suite).

    Cases sharing a catalog get hard links to one file (copies where links fail), written
    first to <out>/.catalogs/ so that a consumer may delete a case it is done with.
    """
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    (root / SUITE_INDEX).unlink(missing_ok=True)  # a suite without its index is incomplete
    index = []
    shared = _SharedCatalog(root / ".catalogs")
    suite = generate_suite(
        n, seed, sizes, categories, noise_levels, mix=mix, per_catalog=per_catalog
    )
    try:
        for case in suite:
            case_dir = root / case.name
            case_dir.mkdir(exist_ok=True)
            shared.place(case, case_dir / CATALOG_FILE)
            scenario = case.scenario.model_copy(update={"catalog": CATALOG_FILE})
            (case_dir / "scenario.yaml").write_text(scenario_to_yaml(scenario), encoding="utf-8")
            signals = case_dir / "signals"
            run_scenario(
                case.catalog, case.scenario, case.seed, signals, catalog_ref=f"../{CATALOG_FILE}"
            )
            index.append(
                {
                    "name": case.name,
                    "entities": case.entities,
                    "noise": case.noise,
                    "catalog": f"{case.name}/{CATALOG_FILE}",
                    "signals": f"{case.name}/signals",
                    "catalog_seed": case.catalog_seed,
                    "seed": case.seed,
                }
            )
            yield replace(case, directory=case_dir)
    finally:
        shared.close()
    parameters = suite_parameters(
        n,
        seed,
        sizes=sizes,
        categories=categories,
        noise_levels=noise_levels,
        mix=mix,
        per_catalog=per_catalog,
    )
    text = json.dumps({**parameters, "cases": index}, indent=2) + "\n"
    (root / SUITE_INDEX).write_text(text, encoding="utf-8")


class _SharedCatalog:
    """The catalog file of the current group of cases, linked into each case directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.catalog: Catalog | None = None
        self.path: Path | None = None

    def place(self, case: SuiteCase, target: Path) -> None:
        """Give `target` the case's catalog: a link to the group's file, written if new."""
        if self.catalog is not case.catalog or self.path is None:
            self.close()
            self.directory.mkdir(exist_ok=True)
            self.path = self.directory / f"{case.entities}-{case.catalog_seed}.json"
            self.path.write_text(catalog_json(case.catalog), encoding="utf-8")
            self.catalog = case.catalog
        target.unlink(missing_ok=True)
        try:
            os.link(self.path, target)
        except OSError:
            shutil.copyfile(self.path, target)

    def close(self) -> None:
        """Remove the group's file (the case directories keep their links or copies)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None
        with contextlib.suppress(OSError):
            self.directory.rmdir()  # only when empty


def suite_parameters(
    n: int,
    seed: int,
    *,
    sizes: Sequence[int] = DEFAULT_SIZES,
    categories: Sequence[Category] = CATEGORIES,
    noise_levels: Sequence[NoiseLevel] = NOISE_LEVELS,
    mix: Mapping[int, int] | None = None,
    per_catalog: int = 1,
) -> dict[str, object]:
    """What suite.json records about how the suite was made (no answers): a suite directory
    can be reused when these match."""
    return {
        "generator": f"outagelens-sim {__version__}",
        "seed": seed,
        "n": n,
        "sizes": None if mix is not None else [int(s) for s in sizes],
        "mix": None if mix is None else {str(k): int(v) for k, v in sorted(mix.items())},
        "per_catalog": per_catalog,
        "categories": list(categories),
        "noise_levels": list(noise_levels),
    }


def read_suite_index(out: str | Path) -> dict[str, Any] | None:
    """The index of a completely written suite directory, or None if there is none."""
    path = Path(out) / SUITE_INDEX
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the suite index: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise ScenarioError(f"{path}: field 'cases': missing or not a list")
    return data
