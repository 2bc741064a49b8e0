"""The scenario suite generator: the requested mix, impactful faults, reproducible cases."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from outagelens.errors import ScenarioError
from outagelens.signals import load_signals_dir, load_truth
from outagelens.sim.scenario import NoiseConfig, load_scenario, scenario_to_yaml
from outagelens.sim.suite import generate_suite, write_suite
from outagelens.topology import load_catalog


def test_suite_deals_categories_and_noise_levels_evenly() -> None:
    cases = list(generate_suite(8, seed=3, sizes=(50, 200)))
    assert [c.name for c in cases] == [f"case-{i:04d}" for i in range(8)]
    cats = Counter(c.scenario.faults[0].category for c in cases)
    assert cats == {"hardware": 2, "software": 2, "cyberattack": 2, "natural_disaster": 2}
    levels = Counter(c.noise for c in cases)
    assert sorted(levels.values()) == [2, 3, 3]
    assert {c.entities for c in cases} <= {50, 200}
    for case in cases:
        assert case.scenario.noise == NoiseConfig.level(case.noise)
        prop = case.catalog.propagate([case.scenario.faults[0].target])
        assert prop.subscriptions or prop.partial_subscriptions, case.name


def test_suite_respects_requested_categories() -> None:
    cases = list(generate_suite(3, seed=1, sizes=(200,), categories=("cyberattack",)))
    assert {c.scenario.faults[0].category for c in cases} == {"cyberattack"}
    for case in cases:
        assert case.catalog.components[case.scenario.faults[0].target].kind in (
            "edge",
            "ddos_protection",
        )


def test_suite_is_reproducible() -> None:
    first = [
        (c.catalog_seed, c.seed, scenario_to_yaml(c.scenario)) for c in generate_suite(4, 9, (50,))
    ]
    again = [
        (c.catalog_seed, c.seed, scenario_to_yaml(c.scenario)) for c in generate_suite(4, 9, (50,))
    ]
    other = [
        (c.catalog_seed, c.seed, scenario_to_yaml(c.scenario)) for c in generate_suite(4, 10, (50,))
    ]
    assert first == again != other


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n": 0}, "n >= 1"), ({"categories": ("meteor",)}, "unknown categories")],
    ids=["zero", "category"],
)
def test_suite_rejects_bad_requests(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"n": 2, "seed": 1, "sizes": (50,), **kwargs}
    with pytest.raises(ScenarioError, match=message):
        list(generate_suite(**args))  # type: ignore[arg-type]


def test_written_suite_is_self_contained(tmp_path: Path) -> None:
    cases = list(write_suite(2, tmp_path, seed=5, sizes=(50,)))
    index = json.loads((tmp_path / "suite.json").read_text())
    assert [c["name"] for c in index["cases"]] == [c.name for c in cases]
    assert "category" not in json.dumps(index)  # the index must not give the answers away
    for case in cases:
        assert case.directory is not None
        signals = load_signals_dir(case.directory / "signals")
        assert signals.meta.catalog == "../catalog.yaml"
        truth = load_truth(case.directory / "signals")
        assert truth.category == case.scenario.faults[0].category
        assert truth.affected_customers
        assert load_catalog(case.directory / "catalog.yaml").data == case.catalog.data
        scenario = load_scenario(case.directory / "scenario.yaml")
        assert scenario.faults == case.scenario.faults


def test_a_written_case_is_reproduced_by_its_scenario_file(tmp_path: Path) -> None:
    from outagelens.sim.runner import resolve_scenario, run_scenario

    (case,) = write_suite(1, tmp_path, seed=8, sizes=(200,))
    assert case.directory is not None
    catalog, scenario = resolve_scenario(str(case.directory / "scenario.yaml"), None)
    run_scenario(catalog, scenario, case.seed, case.directory / "again")
    for path in sorted((case.directory / "signals").rglob("*")):
        if path.is_file():
            rel = path.relative_to(case.directory / "signals")
            assert (case.directory / "again" / rel).read_bytes() == path.read_bytes(), rel


def test_each_case_carries_the_decoy_typical_of_its_category() -> None:
    typical = {"hardware": "alarm", "software": "change", "cyberattack": "flash_sale",
               "natural_disaster": "hazard"}  # fmt: skip
    for case in generate_suite(8, seed=4, sizes=(200,)):
        fault = case.scenario.faults[0]
        assert case.scenario.decoys[0].kind == typical[fault.category], case.name
        assert 1 <= len(case.scenario.decoys) <= 3
