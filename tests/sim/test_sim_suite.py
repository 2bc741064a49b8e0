"""The scenario suite generator: the requested mix, impactful faults, reproducible cases."""

from __future__ import annotations

import itertools
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from outagelens.errors import ScenarioError
from outagelens.signals import load_signals_dir, load_truth
from outagelens.sim.scenario import NoiseConfig, load_scenario, scenario_to_yaml
from outagelens.sim.suite import (
    generate_suite,
    parse_mix,
    read_suite_index,
    suite_parameters,
    write_suite,
)
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
        assert signals.meta.catalog == "../catalog.json"
        truth = load_truth(case.directory / "signals")
        assert truth.category == case.scenario.faults[0].category
        assert truth.affected_customers
        assert case.catalog_path == case.directory / "catalog.json"
        assert load_catalog(case.catalog_path).data == case.catalog.data
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


def test_a_size_mix_gives_each_size_its_count_and_an_even_mix_within_it() -> None:
    cases = list(generate_suite(20, seed=2, mix={50: 12, 200: 8}))
    assert [c.name for c in cases] == [f"case-{i:04d}" for i in range(20)]
    assert Counter(c.entities for c in cases) == {50: 12, 200: 8}
    small = [c for c in cases if c.entities == 50]
    # 12 cases of one size: every (category, noise level) pair exactly once.
    pairs = Counter((c.scenario.faults[0].category, c.noise) for c in small)
    assert len(pairs) == 12 and set(pairs.values()) == {1}
    bigger = Counter(c.scenario.faults[0].category for c in cases if c.entities == 200)
    assert bigger == {"hardware": 2, "software": 2, "cyberattack": 2, "natural_disaster": 2}


def test_cases_sharing_a_catalog_are_consecutive_and_vary() -> None:
    cases = list(generate_suite(12, seed=6, mix={50: 8, 200: 4}, per_catalog=3))
    groups = [list(g) for _, g in itertools.groupby(cases, key=lambda c: id(c.catalog))]
    # 8 cases of 50 entities in groups of 3, 3, 2; 4 of 200 in groups of 3, 1: five catalogs.
    assert sorted(len(g) for g in groups) == [1, 2, 3, 3, 3]
    assert len({id(g[0].catalog) for g in groups}) == 5
    assert len({(c.entities, c.catalog_seed) for c in cases}) == 5
    for group in groups:
        assert len({c.seed for c in group}) == len(group)  # each case its own simulation
        for case in group:
            assert case.catalog_seed == group[0].catalog_seed
            assert (
                case.scenario.faults[0].target in case.catalog.components | case.catalog.locations
            )
    # Shared catalogs still vary their scenarios: not every group has a single category.
    assert any(len({c.scenario.faults[0].category for c in g}) > 1 for g in groups if len(g) > 1)


def test_mixed_suites_are_reproducible_and_drawn_suites_ignore_the_new_options() -> None:
    def summary(**kwargs: object) -> list[tuple[object, ...]]:
        return [
            (c.entities, c.noise, c.catalog_seed, c.seed, scenario_to_yaml(c.scenario))
            for c in generate_suite(6, 3, (50, 200), **kwargs)  # type: ignore[arg-type]
        ]

    assert summary(mix={50: 4, 200: 2}, per_catalog=2) == summary(
        mix={50: 4, 200: 2}, per_catalog=2
    )
    # per_catalog=1 is the drawn suite of before: one catalog per case.
    assert summary() == summary(per_catalog=1)
    assert len({s[2] for s in summary()}) == 6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mix": {50: 1}}, "holds 1 cases, not n = 2"),
        ({"mix": {50: 2, 200: 0}}, "positive SIZE:COUNT"),
        ({"per_catalog": 0}, "per_catalog must be >= 1"),
    ],
    ids=["sum", "zero-count", "per-catalog"],
)
def test_bad_mixes_are_rejected(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"n": 2, "seed": 1, "sizes": (50,), **kwargs}
    with pytest.raises(ScenarioError, match=message):
        list(generate_suite(**args))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50:60,100000:24", {50: 60, 100_000: 24}),
        (" 200 : 3 ", {200: 3}),
        ("50", "not SIZE:COUNT"),
        ("50:x", "not SIZE:COUNT"),
        ("50:1,50:2", "names 50 twice"),
        ("50:0", "positive SIZE:COUNT"),
    ],
    ids=["two", "spaces", "no-count", "not-a-number", "twice", "zero"],
)
def test_parse_mix(text: str, expected: dict[int, int] | str) -> None:
    if isinstance(expected, dict):
        assert parse_mix(text) == expected
    else:
        with pytest.raises(ScenarioError, match=expected):
            parse_mix(text)


def test_written_suite_links_shared_catalogs_and_records_its_parameters(tmp_path: Path) -> None:
    cases = list(write_suite(3, tmp_path, seed=4, mix={50: 3}, per_catalog=3))
    paths = [c.catalog_path for c in cases]
    assert all(p is not None and p.is_file() for p in paths)
    assert len({p.stat().st_ino for p in paths if p is not None}) == 1  # one file, three names
    index = read_suite_index(tmp_path)
    assert index is not None
    expected = suite_parameters(3, 4, mix={50: 3}, per_catalog=3)
    assert {k: index[k] for k in expected} == expected
    assert [c["catalog_seed"] for c in index["cases"]] == [cases[0].catalog_seed] * 3
    for case in cases:
        assert case.signals_path is not None
        assert load_signals_dir(case.signals_path).meta.catalog == "../catalog.json"


def test_a_suite_directory_without_its_index_is_incomplete(tmp_path: Path) -> None:
    assert read_suite_index(tmp_path) is None
    written = write_suite(2, tmp_path, seed=5, sizes=(50,))
    next(written)
    assert read_suite_index(tmp_path) is None  # not before the last case is written
    list(written)
    assert read_suite_index(tmp_path) is not None
    (tmp_path / "suite.json").write_text("[1, 2]")
    with pytest.raises(ScenarioError, match="field 'cases'"):
        read_suite_index(tmp_path)


def test_a_consumer_may_delete_each_case_while_its_catalog_is_still_shared(
    tmp_path: Path,
) -> None:
    # The accuracy benchmark deletes a case once evaluated, maybe before the next case of the
    # same catalog is written: the next one must still get its catalog.
    names = []
    for case in write_suite(3, tmp_path, seed=4, mix={50: 3}, per_catalog=3):
        assert case.directory is not None and case.catalog_path is not None
        assert load_catalog(case.catalog_path).data == case.catalog.data
        shutil.rmtree(case.directory)
        names.append(case.name)
    assert names == ["case-0000", "case-0001", "case-0002"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["suite.json"]  # no leftovers
