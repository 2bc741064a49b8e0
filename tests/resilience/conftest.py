"""Builders of small hand-built catalogs for the resilience tests."""

from __future__ import annotations

from typing import Any

from outagelens.topology import Catalog, catalog_from_dict


def comp(cid: str, *, requires: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """A component dict of kind `other` (override with kind=...)."""
    out: dict[str, Any] = {"id": cid, "kind": extra.pop("kind", "other")}
    if requires:
        out["requires"] = requires
    out.update(extra)
    return out


def group(name: str, k: int, members: list[str], failover: float = 0.0) -> dict[str, Any]:
    """A k-of-n redundancy group dict."""
    return {"name": name, "k": k, "members": members, "failover_minutes": failover}


def build(
    components: list[dict[str, Any]],
    *,
    service_requires: list[str] | None = None,
    service_groups: list[dict[str, Any]] | None = None,
    customers: tuple[str, ...] = ("acme",),
    locations: tuple[tuple[str, str], ...] = (("site1", "r1"),),
    sub: dict[str, Any] | None = None,
) -> Catalog:
    """One service `svc` (global, no deployments) that every customer subscribes to."""
    svc: dict[str, Any] = {"id": "svc", "name": "Service"}
    if service_requires:
        svc["requires"] = service_requires
    if service_groups:
        svc["redundancy"] = service_groups
    subscription = {"service": "svc", "locations": [locations[0][0]], **(sub or {})}
    raw = {
        "provider": {"name": "Test"},
        "locations": [{"id": loc, "region": reg, "geography": loc} for loc, reg in locations],
        "components": components,
        "services": [svc],
        "customers": [
            {
                "id": c,
                "name": c,
                "industry": "test",
                "subscriptions": [
                    {
                        **subscription,
                        "business": {"revenue_per_minute": 10.0 * (i + 1)},
                    }
                ],
            }
            for i, c in enumerate(customers)
        ],
    }
    return catalog_from_dict(raw)
