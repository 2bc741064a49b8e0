"""Recommendations: each change is applied, re-analyzed, and ranked by SPOFs removed."""

from __future__ import annotations

from pathlib import Path

from tests.resilience.conftest import build, comp, group

from outagelens.resilience.cutsets import single_failure_sets
from outagelens.resilience.recommend import (
    RecommendConfig,
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
