"""Recommendations: each change is applied, re-analyzed, and ranked by SPOFs removed."""

from __future__ import annotations

from pathlib import Path

from tests.resilience.conftest import build, comp, group

from outagelens.resilience.cutsets import single_failure_sets
from outagelens.resilience.recommend import (
    RecommendConfig,
    apply_change,
    combined_plan,
    recommend,
    score,
    with_group_member,
    with_redundant_peer,
    with_second_location,
)
from outagelens.topology import load_catalog

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "three-customers.yaml"


def test_redundant_peer_removes_shared_spof() -> None:
    catalog = build(
        [comp("shared", requires=["power"]), comp("power")],
        service_requires=["shared"],
        customers=("a", "b"),
    )
    changed, change = with_redundant_peer(catalog, "shared")
    assert change.adds == ("shared-peer",)
    singles = single_failure_sets(changed)
    assert singles["a/svc"] == ("power",)  # the peer shares the power feed: honest result
    before, _ = score(catalog)
    after, _ = score(changed)
    assert (before.customer_spofs, after.customer_spofs) == (4, 2)
    assert (before.shared_spofs, after.shared_spofs) == (2, 1)


def test_group_member_turns_n_of_n_into_tolerant_group() -> None:
    catalog = build(
        [comp("top", redundancy=[group("all", 2, ["a", "b"])]), comp("a"), comp("b")],
        service_requires=["top"],
    )
    changed, change = with_group_member(catalog, "top", "all")
    assert "2 of 2 -> 2 of 3" in change.description
    assert single_failure_sets(changed)["acme/svc"] == ("top",)


def test_second_location_keeps_needed_count() -> None:
    catalog = load_catalog(EXAMPLE)
    changed, change = with_second_location(catalog, "hansa-direktbank/online-banking", "ams1")
    sub = changed.subscriptions["hansa-direktbank/online-banking"].subscription
    assert sub.locations == ["fra1", "ams1"]
    assert sub.min_healthy_locations == 1
    assert "ams1 (eu-west)" in change.description
    assert single_failure_sets(changed)["hansa-direktbank/online-banking"] == ("global-dns",)


def test_recommend_on_example_is_measured_and_ranked() -> None:
    recs = recommend(load_catalog(EXAMPLE), RecommendConfig(top=20))
    assert recs
    gains = [r.gain for r in recs]
    assert gains == sorted(gains, reverse=True)
    by_target = {r.change.target: r for r in recs}
    dns = by_target["global-dns"]
    assert dns.removed_spofs == ("global-dns",)
    assert dns.gain == 4  # global-dns took down four customers
    assert dns.after.revenue_exposed_per_hour < dns.before.revenue_exposed_per_hour
    kinds = {r.change.kind for r in recs}
    assert {"redundant-peer", "second-location"} <= kinds


def test_no_recommendation_without_spofs() -> None:
    catalog = build([comp("a"), comp("b")], service_groups=[group("pair", 1, ["a", "b"])])
    assert recommend(catalog) == ()


def test_combined_plan_is_measured_on_the_combined_catalog() -> None:
    catalog = load_catalog(EXAMPLE)
    recs = recommend(catalog)
    plan = combined_plan(catalog, recs, size=3)
    assert plan is not None and len(plan.changes) == 3
    changed = catalog
    for change in plan.changes:
        changed = apply_change(changed, change)
    assert score(changed)[0] == plan.after
    assert plan.after.customer_spofs < min(r.after.customer_spofs for r in recs[:3])
    assert plan.after.shared_spofs == 0


def test_combined_plan_skips_changes_that_no_longer_apply() -> None:
    catalog = build([comp("p")], service_requires=["p"], customers=("a", "b"))
    (rec,) = recommend(catalog)
    plan = combined_plan(catalog, (rec, rec), size=2)  # the second peer of p is a fresh id
    assert plan is not None
    assert plan.after.customer_spofs == 0
    assert combined_plan(catalog, ()) is None


def test_work_budget_limits_candidates_but_keeps_each_kind() -> None:
    catalog = load_catalog(EXAMPLE)
    recs = recommend(catalog, RecommendConfig(work_budget=1))
    assert 1 <= len(recs) <= 3
    assert {r.change.kind for r in recs} == {"redundant-peer", "second-location"}
    assert RecommendConfig(work_budget=1_000_000).candidate_limit(83_158) == 12


def test_peer_group_name_does_not_clash() -> None:
    catalog = build(
        [
            comp("top", requires=["p"], redundancy=[group("p-pair", 1, ["a", "b"])]),
            comp("p"),
            comp("a"),
            comp("b"),
        ],
        service_requires=["top"],
    )
    changed, _ = with_redundant_peer(catalog, "p")
    names = [g.name for g in changed.components["top"].redundancy]
    assert names == ["p-pair", "p-pair-2"]
    assert "p" not in single_failure_sets(changed)["acme/svc"]
