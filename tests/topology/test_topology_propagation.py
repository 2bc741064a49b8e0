"""Failure propagation through requires chains, k-of-n groups, locations and subscriptions."""

from __future__ import annotations

import pytest
from tests.topology.builders import build, comp, two_site_catalog

CHAIN = [comp("a"), comp("b", "a"), comp("c", "b"), comp("d", "c"), comp("x")]


# owner needs k of the three members m1..m3
def _group(k: int) -> list[dict[str, object]]:
    return [
        comp("m1"),
        comp("m2"),
        comp("m3"),
        comp("owner", groups=[("g", k, ["m1", "m2", "m3"])]),
        comp("user", "owner"),
    ]


NESTED = [
    comp("feed1"),
    comp("feed2"),
    comp("ups-a"),
    comp("ups-b"),
    comp("path-a", "ups-a", groups=[("source", 1, ["feed1", "feed2"])]),
    comp("path-b", "ups-b", groups=[("source", 1, ["feed1", "feed2"])]),
    comp("rack", groups=[("power", 1, ["path-a", "path-b"])]),
    comp("server", "rack"),
]

CASES = [
    # (id, components, failed, expected down components)
    ("chain-root", CHAIN, ["a"], {"a", "b", "c", "d"}),
    ("chain-middle", CHAIN, ["c"], {"c", "d"}),
    ("chain-leaf", CHAIN, ["d"], {"d"}),
    ("chain-unrelated", CHAIN, ["x"], {"x"}),
    ("k1-one-member", _group(1), ["m1"], {"m1"}),
    ("k1-two-members", _group(1), ["m1", "m2"], {"m1", "m2"}),
    ("k1-all-members", _group(1), ["m1", "m2", "m3"], {"m1", "m2", "m3", "owner", "user"}),
    ("k2-one-member-partial", _group(2), ["m2"], {"m2"}),
    ("k2-two-members", _group(2), ["m1", "m3"], {"m1", "m3", "owner", "user"}),
    ("k-equals-n-one-member", _group(3), ["m3"], {"m3", "owner", "user"}),
    ("k-equals-n-none", _group(3), [], set()),
    ("nested-one-feed", NESTED, ["feed1"], {"feed1"}),
    (
        "nested-both-feeds",
        NESTED,
        ["feed1", "feed2"],
        {"feed1", "feed2", "path-a", "path-b", "rack", "server"},
    ),
    ("nested-one-ups", NESTED, ["ups-a"], {"ups-a", "path-a"}),
    (
        "nested-ups-and-other-path",
        NESTED,
        ["ups-a", "ups-b"],
        {"ups-a", "ups-b", "path-a", "path-b", "rack", "server"},
    ),
    ("nested-ups-a-and-one-feed", NESTED, ["ups-a", "feed2"], {"ups-a", "feed2", "path-a"}),
]


@pytest.mark.parametrize(
    ("components", "failed", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_propagation_table(
    components: list[dict[str, object]], failed: list[str], expected: set[str]
) -> None:
    catalog = build(components)
    assert set(catalog.propagate(failed).components) == expected


def test_degraded_groups_report_partial_loss() -> None:
    prop = build(_group(2)).propagate(["m1"])
    assert prop.degraded_groups == (("owner", "g", 2, 2),)
    lost = build(_group(2)).propagate(["m1", "m2"])
    assert lost.degraded_groups == ()  # the owner is down, so the group is not "degraded"


def test_causes_and_paths_through_requires_and_groups() -> None:
    prop = build(NESTED).propagate(["feed1", "feed2"])
    cause = prop.causes["path-a"]
    assert cause.kind == "group" and cause.group == "source"
    assert (cause.group_k, cause.group_n) == (1, 2)
    assert set(cause.via) == {"feed1", "feed2"}
    assert "needs 1 of 2 in group 'source', but only 0 healthy" in cause.sentence()
    assert prop.causes["server"].kind == "requires" and prop.causes["server"].via == ("rack",)
    assert prop.causes["feed1"].kind == "root"
    path = prop.paths["server"]
    assert path[:3] == ("server", "rack", path[2]) and path[2] in {"path-a", "path-b"}
    assert path[-1] in {"feed1", "feed2"}
    assert "server" in prop.causes and "ups-a" not in prop.causes
    with pytest.raises(KeyError):
        prop.causes["ups-a"]


def test_location_failure_takes_its_components_and_deployments_down() -> None:
    catalog = two_site_catalog()
    prop = catalog.propagate(["a"])
    assert set(prop.components) == {"a-power", "a-host"}
    assert prop.deployments == ("web@a",)
    assert prop.locations == ("a",)
    assert prop.affected_locations == ("a",)  # shop still runs in b: partial, not down
    assert prop.subscriptions == ("bank/web",)
    assert prop.customers == ("bank",)


@pytest.mark.parametrize(
    ("failed", "down", "partial"),
    [
        (["a-host"], ["bank/web"], ["shop/web"]),
        (["b-host"], [], ["shop/web"]),
        (["a-host", "b-host"], ["bank/web", "shop/web"], []),
        (["dns"], ["bank/web", "shop/web"], []),
        (["web@b"], [], ["shop/web"]),
    ],
    ids=["site-a-host", "site-b-host", "both-hosts", "global-dns", "deployment-b"],
)
def test_min_healthy_locations(failed: list[str], down: list[str], partial: list[str]) -> None:
    prop = two_site_catalog().propagate(failed)
    assert list(prop.subscriptions) == down
    assert list(prop.partial_subscriptions) == partial
    partial_customers = {s.split("/")[0] for s in partial} - {s.split("/")[0] for s in down}
    assert set(prop.partial_customers) == partial_customers
    assert set(prop.affected_customers) == {s.split("/")[0] for s in down + partial}


def test_failing_a_customer_fails_its_subscriptions() -> None:
    prop = two_site_catalog().propagate(["shop"])
    assert prop.subscriptions == ("shop/web",)
    assert prop.is_down("shop") and not prop.is_down("bank")


def test_blast_radius_of_a_shared_host() -> None:
    radius = two_site_catalog().blast_radius("a-power")
    assert radius.customers == ("bank",)
    assert radius.subscriptions == ("bank/web",)
    assert radius.propagation.partial_customers == ("shop",)
