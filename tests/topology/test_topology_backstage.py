"""Backstage import: mapping of kinds, references, annotations; errors name entity and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from outagelens.errors import CatalogError, CatalogErrors
from outagelens.topology import load_catalog
from outagelens.topology.backstage import catalog_from_backstage
from outagelens.topology.backstage_refs import EntityRef, parse_redundancy, parse_ref
from outagelens.topology.models import ComponentKind

EXAMPLE = "examples/backstage/catalog-info.yaml"


def _doc(kind: str, name: str, spec: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    custom = kind in ("Site", "Customer", "Provider")
    api = "outagelens.io/v1alpha1" if custom else "backstage.io/v1alpha1"
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, **meta}, "spec": spec or {}}


def _site(name: str = "s1") -> dict[str, Any]:
    return _doc("Site", name, {"region": "r", "geography": "Somewhere"})


def _res(name: str, spec: dict[str, Any] | None = None, **annotations: str) -> dict[str, Any]:
    full = {f"outagelens.io/{k.replace('_', '-')}": v for k, v in annotations.items()}
    return _doc("Resource", name, {"type": "database", "owner": "t", **(spec or {})},
                annotations=full)  # fmt: skip


def test_example_maps_kinds_sites_groups_and_services() -> None:
    catalog = load_catalog(EXAMPLE)
    assert catalog.provider.name == "Spree Cloud GmbH"
    assert set(catalog.locations) == {"ber1", "ber2"}
    c = catalog.components
    assert c["ber1-pdu-a"].kind is ComponentKind.POWER  # spec.type pdu via TYPE_KINDS
    assert c["ber1-k8s"].kind is ComponentKind.CONTAINER_PLATFORM
    assert c["control-panel"].kind is ComponentKind.APPLICATION
    assert c["ber1-grid"].kind is ComponentKind.UTILITY_FEED  # a ComponentKind value itself
    assert c["ber1-grid"].recovery.restore_minutes == 180
    pg = c["ber1-pg"]
    assert pg.requires == [] and pg.location == "ber1"
    assert [(g.name, g.k, g.members, g.failover_minutes) for g in pg.redundancy] == [
        ("replicas", 1, ["ber1-pg-1", "ber1-pg-2"], 0.5)
    ]
    assert c["ber1-fabric"].requires == ["ber1-cooling"]  # group members leave `requires`
    assert c["ber1-pg-1"].software is not None and c["ber1-pg-1"].software.version == "16.4"
    k8s = catalog.services["managed-k8s"]
    assert k8s.name == "Managed Kubernetes"
    assert set(k8s.requires) == {"dns", "control-panel"}  # dependencyOf and unlocated member
    assert k8s.locations["ber1"].requires == ["ber1-k8s"]
    assert "platform" not in catalog.components  # Group entities are ignored


def test_example_propagation() -> None:
    catalog = load_catalog(EXAMPLE)
    prop = catalog.propagate(["ber1-pdu-a", "ber1-pdu-b"])
    assert prop.subscriptions == ("kiezkauf/managed-postgres", "spreebank/managed-postgres")
    assert prop.partial_subscriptions == ("kiezkauf/managed-k8s",)
    assert catalog.propagate(["ber1-pdu-a"]).subscriptions == ()


def test_references_default_kind_and_namespace() -> None:
    assert parse_ref("db", default_kind="system", default_namespace="ops") == EntityRef(
        "system", "ops", "db"
    )
    assert parse_ref("Resource:infra/db", default_kind=None, default_namespace="x") == EntityRef(
        "resource", "infra", "db"
    )
    docs = [
        _site(),
        _doc("Resource", "db", {"type": "database"}, namespace="infra"),
        _doc("Component", "app", {"type": "service", "dependsOn": ["resource:db"]},
             namespace="infra"),
    ]  # fmt: skip
    data = catalog_from_backstage(docs, source="f.yaml")
    app = next(c for c in data.components if c.id == "infra/app")
    assert app.requires == ["infra/db"]  # non-default namespaces prefix the id


def test_redundancy_annotation_format() -> None:
    groups = parse_redundancy("power: 1 of a, b\nspines: 2 of x, y, z; failover=1.5")
    assert [(g.name, g.k, g.members, g.failover_minutes) for g in groups] == [
        ("power", 1, ("a", "b"), 0.0),
        ("spines", 2, ("x", "y", "z"), 1.5),
    ]


ANN = "metadata.annotations.outagelens.io/"
ERROR_CASES: list[tuple[str, list[dict[str, Any]], str, str, str]] = [
    # (id, documents, entity, field, words in the message)
    ("unknown-ref", [_res("a", {"dependsOn": ["resource:nope"]})], "resource:default/a",
     "spec.dependsOn[0]", "unknown entity 'resource:default/nope'"),
    ("ignored-kind-ref", [_res("a", {"dependsOn": ["api:orders"]})], "resource:default/a",
     "spec.dependsOn[0]", "of a kind OutageLens ignores"),
    ("ambiguous-ref", [_res("x"), _doc("Component", "x", annotations={"outagelens.io/id": "x2"}),
                       _res("a", {"dependsOn": ["x"]})],
     "resource:default/a", "spec.dependsOn[0]", "ambiguous reference 'x'"),
    ("bad-ref-syntax", [_res("a", {"dependsOn": ["resource:"]})], "resource:default/a",
     "spec.dependsOn[0]", "not an entity reference"),
    ("bad-redundancy", [_res("a", redundancy="power = a or b")], "resource:default/a",
     ANN + "redundancy", "cannot read group"),
    ("k-greater-than-n", [_res("m"), _res("a", redundancy="g: 3 of m")], "resource:default/a",
     ANN + "redundancy", "k=3"),
    ("bad-kind", [_res("a", kind="mainframe")], "resource:default/a", ANN + "kind",
     "unknown kind 'mainframe'"),
    ("location-not-a-site", [_res("b"), _res("a", location="resource:b")],
     "resource:default/a", ANN + "location", "expected site"),
    ("bad-restore", [_res("a", restore_minutes="-3")], "resource:default/a",
     ANN + "restore-minutes", "must not be negative"),
    ("negative-fee", [_site(), _doc("System", "web"), _doc("Customer", "acme", {
        "industry": "retail",
        "subscriptions": [{"service": "web", "locations": ["s1"], "monthly_fee": -1}]})],
     "customer:default/acme", "spec.subscriptions[0].monthly_fee", "greater than or equal"),
    ("unknown-site-field", [_doc("Site", "s1", {"region": "r", "geography": "g", "zone": 1})],
     "site:default/s1", "spec.zone", "unknown field"),
    ("wrong-api-version", [{**_site(), "apiVersion": "backstage.io/v1alpha1"}],
     "site:default/s1", "apiVersion", "expected outagelens.io/v1alpha1"),
    ("duplicate", [_res("a"), _res("a")], "resource:default/a", "metadata.name",
     "defined more than once"),
    ("same-id", [_res("a"), _doc("System", "a")], "system:default/a", "metadata.name",
     "maps to id 'a'"),
    ("service-not-a-system", [_site(), _res("db"), _doc("Customer", "c", {
        "industry": "x", "subscriptions": [{"service": "resource:db", "locations": ["s1"]}]})],
     "customer:default/c", "spec.subscriptions[0].service", "expected system"),
]  # fmt: skip


@pytest.mark.parametrize(("docs", "entity", "field", "words"), [c[1:] for c in ERROR_CASES],
                         ids=[c[0] for c in ERROR_CASES])  # fmt: skip
def test_backstage_errors_name_entity_and_field(
    tmp_path: Path, docs: list[dict[str, Any]], entity: str, field: str, words: str
) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    errors = info.value.errors if isinstance(info.value, CatalogErrors) else [info.value]
    found = [e for e in errors if e.entity == entity and e.field == field]
    assert found, [str(e) for e in errors]
    assert words in str(found[0]) and str(path) in str(found[0])


def test_system_parts_and_depends_on_become_deployments_or_requires() -> None:
    docs = [
        _site("s1"),
        _site("s2"),
        _res("db1", {"system": "app"}, location="s1"),
        _res("db2", {"dependencyOf": ["system:app"]}, location="s2"),
        _res("idp", {"type": "idp"}),
        _doc("System", "app", {"owner": "t", "dependsOn": ["resource:idp"]},
             annotations={"outagelens.io/locations": "s1, site:s2"}),
    ]  # fmt: skip
    service = catalog_from_backstage(docs, source="f.yaml").services[0]
    assert service.requires == ["idp"]
    assert {k: v.requires for k, v in service.locations.items()} == {
        "s1": ["db1"],
        "s2": ["db2"],
    }
