"""Known cut sets on hand-built catalogs, and agreement with brute force on the example."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from tests.resilience.conftest import build, comp, group

from outagelens.resilience.cutsets import (
    CutSetConfig,
    ResilienceError,
    downs,
    minimal_cut_sets,
    single_failure_sets,
)
from outagelens.topology import Catalog, load_catalog

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "three-customers.yaml"

CASES = [
    (
        "series",
        [comp("a", requires=["b"]), comp("b")],
        {"service_requires": ["a"]},
        {("a",), ("b",)},
    ),
    (
        "parallel",
        [comp("a"), comp("b")],
        {"service_groups": [group("pair", 1, ["a", "b"])]},
        {("a", "b")},
    ),
    (
        "two-of-three",
        [comp("a"), comp("b"), comp("c")],
        {"service_groups": [group("g", 2, ["a", "b", "c"])]},
        {("a", "b"), ("a", "c"), ("b", "c")},
    ),
    (
        "three-of-three",
        [comp("a"), comp("b"), comp("c")],
        {"service_groups": [group("g", 3, ["a", "b", "c"])]},
        {("a",), ("b",), ("c",)},
    ),
    (
        "shared-dependency",
        [comp("a", requires=["p"]), comp("b", requires=["p"]), comp("p")],
        {"service_groups": [group("pair", 1, ["a", "b"])]},
        {("p",), ("a", "b")},
    ),
    (
        "shared-dependency-in-k-of-n",
        [comp("a", requires=["p"]), comp("b", requires=["p"]), comp("c"), comp("p")],
        {"service_groups": [group("g", 2, ["a", "b", "c"])]},
        {("p",), ("a", "b"), ("a", "c"), ("b", "c")},
    ),
    (
        "nested-redundancy",
        [
            comp("x", redundancy=[group("inner", 1, ["a", "b"])]),
            comp("y", requires=["c"]),
            comp("a"),
            comp("b"),
            comp("c"),
        ],
        {"service_groups": [group("outer", 1, ["x", "y"])]},
        {("x", "y"), ("c", "x"), ("a", "b", "y"), ("a", "b", "c")},
    ),
    (
        "series-then-parallel",
        [comp("top", redundancy=[group("pair", 1, ["a", "b"])]), comp("a"), comp("b")],
        {"service_requires": ["top"]},
        {("top",), ("a", "b")},
    ),
]


@pytest.mark.parametrize(
    ("components", "service", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_known_cut_sets(
    components: list[dict[str, object]],
    service: dict[str, list[str]],
    expected: set[tuple[str, ...]],
) -> None:
    catalog = build(components, **service)  # type: ignore[arg-type]
    result = minimal_cut_sets(catalog, CutSetConfig(max_order=3)).subscriptions["acme/svc"]
    assert set(result.all_sets()) == expected
    assert result.complete
    assert result.spofs == tuple(sorted(s[0] for s in expected if len(s) == 1))


def test_single_failure_sets_match_cut_set_spofs() -> None:
    catalog = load_catalog(EXAMPLE)
    analysis = minimal_cut_sets(catalog)
    singles = single_failure_sets(catalog)
    assert singles == {s: r.spofs for s, r in analysis.subscriptions.items()}


def _brute_force(catalog: Catalog, sub: str, units: list[str], size: int) -> set[tuple[str, ...]]:
    """Every minimal set of `size` units that downs `sub`, by propagation."""
    found: set[tuple[str, ...]] = set()
    for combo in itertools.combinations(sorted(units), size):
        if downs(catalog, sub, combo) and not any(
            downs(catalog, sub, smaller) for smaller in itertools.combinations(combo, size - 1)
        ):
            found.add(combo)
    return found


@pytest.mark.parametrize("universe", ["component", "location"])
def test_example_matches_brute_force_up_to_size_two(universe: str) -> None:
    catalog = load_catalog(EXAMPLE)
    units = list(catalog.components if universe == "component" else catalog.locations)
    analysis = minimal_cut_sets(catalog, CutSetConfig(universe=universe))  # type: ignore[arg-type]
    for sub, result in analysis.subscriptions.items():
        assert set(result.spofs) == {u for u in units if downs(catalog, sub, [u])}, sub
        singles = set(result.spofs)
        pairs = {p for p in _brute_force(catalog, sub, units, 2) if not singles & set(p)}
        assert set(result.cut_sets) == pairs, sub


def test_three_customer_story_spofs() -> None:
    catalog = load_catalog(EXAMPLE)
    ranking = minimal_cut_sets(catalog).ranking
    top = ranking[0]
    assert top.entity == "global-dns"
    assert top.shared and len(top.customers) == 4
    fra1 = {r.entity: r for r in ranking}["fra1-cooling"]
    assert fra1.customers == ("hansa-direktbank", "rheinlogistik")
    assert fra1.revenue_per_hour == pytest.approx(60 * (350 + 850))
    assert "fra1-crac-1" not in {r.entity for r in ranking}  # 2-of-3 cooling units


def test_shared_spof_ranked_by_customers_then_revenue() -> None:
    catalog = build(
        [comp("shared"), comp("solo")],
        service_requires=["shared", "solo"],
        customers=("a", "b"),
    )
    ranking = minimal_cut_sets(catalog).ranking
    assert [r.entity for r in ranking] == ["shared", "solo"]  # ties broken by revenue then id
    assert all(r.shared for r in ranking)
    assert ranking[0].revenue_per_hour == pytest.approx(60 * (10 + 20))


def test_cap_marks_result_bounded() -> None:
    members = [f"m{i}" for i in range(6)]
    catalog = build([comp(m) for m in members], service_groups=[group("wide", 3, members)])
    config = CutSetConfig(max_order=4, max_sets_per_node=3)
    result = minimal_cut_sets(catalog, config).subscriptions["acme/svc"]
    assert not result.complete
    for cut in result.cut_sets:
        assert downs(catalog, "acme/svc", cut)


@pytest.mark.parametrize(
    "kwargs", [{"max_order": 0}, {"max_order": 5}, {"max_sets_per_node": 0}], ids=str
)
def test_bad_config_is_an_error(kwargs: dict[str, int]) -> None:
    with pytest.raises(ResilienceError):
        CutSetConfig(**kwargs)  # type: ignore[arg-type]
