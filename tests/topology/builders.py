"""Builders for small catalogs written inline in tests."""

from __future__ import annotations

from typing import Any

from outagelens.topology import Catalog, catalog_from_dict


def comp(
    cid: str,
    *requires: str,
    groups: list[tuple[str, int, list[str]]] | None = None,
    location: str | None = None,
    kind: str = "other",
) -> dict[str, Any]:
    """A component dict: `requires` ids and (name, k, members) groups."""
    out: dict[str, Any] = {"id": cid, "kind": kind, "requires": list(requires)}
    if groups:
        out["redundancy"] = [{"name": n, "k": k, "members": m} for n, k, m in groups]
    if location:
        out["location"] = location
    return out


def raw_catalog(
    components: list[dict[str, Any]] | None = None,
    *,
    locations: list[str] | None = None,
    services: list[dict[str, Any]] | None = None,
    customers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A native catalog mapping; locations are given by id and sit in region 'r'."""
    return {
        "version": 1,
        "provider": {"name": "Test Cloud"},
        "locations": [{"id": x, "region": "r", "geography": "Somewhere"} for x in locations or []],
        "components": components or [],
        "services": services or [],
        "customers": customers or [],
    }


def build(components: list[dict[str, Any]] | None = None, **kwargs: Any) -> Catalog:
    """A compiled catalog (see `raw_catalog`)."""
    return catalog_from_dict(raw_catalog(components, **kwargs), source="test.yaml")


def two_site_catalog() -> Catalog:
    """Two sites, a service deployed in both, an active-active and a single-site customer."""
    components = [
        comp("a-power", location="a", kind="power"),
        comp("a-host", "a-power", location="a", kind="hypervisor"),
        comp("b-power", location="b", kind="power"),
        comp("b-host", "b-power", location="b", kind="hypervisor"),
        comp("dns", kind="dns"),
    ]
    services = [
        {
            "id": "web",
            "name": "Web hosting",
            "requires": ["dns"],
            "locations": {"a": {"requires": ["a-host"]}, "b": {"requires": ["b-host"]}},
        }
    ]
    customers = [
        {
            "id": "shop",
            "name": "Shop",
            "industry": "e-commerce",
            "subscriptions": [
                {"service": "web", "locations": ["a", "b"], "min_healthy_locations": 1}
            ],
        },
        {
            "id": "bank",
            "name": "Bank",
            "industry": "banking",
            "subscriptions": [{"service": "web", "locations": ["a"], "monthly_fee": 100}],
        },
    ]
    return build(components, locations=["a", "b"], services=services, customers=customers)
