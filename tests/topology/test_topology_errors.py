"""Load errors name the file, the entity and the field, and say what is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.topology.builders import comp, raw_catalog

from outagelens.errors import CatalogError, CatalogErrors
from outagelens.topology import load_catalog


def _customer(**sub: Any) -> dict[str, Any]:
    subscription = {"service": "web", "locations": ["a"], **sub}
    return {"id": "acme", "name": "Acme", "industry": "retail", "subscriptions": [subscription]}


def _with_customer(**sub: Any) -> dict[str, Any]:
    return raw_catalog(
        [comp("host", location="a")],
        locations=["a"],
        services=[{"id": "web", "name": "Web", "locations": {"a": {"requires": ["host"]}}}],
        customers=[_customer(**sub)],
    )


def _site(sid: str) -> dict[str, str]:
    return {"id": sid, "region": "r", "geography": "g"}


BAD_TIERS = {
    "target_percent": 99.9,
    "credit_tiers": [
        {"below_percent": 99.0, "credit_percent": 10},
        {"below_percent": 99.5, "credit_percent": 25},
    ],
}

CASES: list[tuple[str, dict[str, Any], str, str, list[str]]] = [
    # (id, raw catalog, entity, field, words the message must contain)
    (
        "unknown-dependency",
        raw_catalog([comp("a", "dbb"), comp("db")]),
        "a",
        "requires[0]",
        ["unknown id 'dbb'", "did you mean: db"],
    ),
    (
        "unknown-group-member",
        raw_catalog([comp("a", groups=[("g", 1, ["x", "y"])]), comp("x")]),
        "a",
        "redundancy[0].members[1]",
        ["unknown id 'y'"],
    ),
    ("duplicate-id", raw_catalog([comp("a"), comp("a")]), "a", "id", ["duplicate id"]),
    (
        "k-greater-than-n",
        raw_catalog([comp("m"), comp("a", groups=[("g", 3, ["m"])])]),
        "a",
        "redundancy[0]",
        ["k=3", "n=1"],
    ),
    (
        "negative-fee",
        _with_customer(monthly_fee=-5),
        "acme",
        "subscriptions[0].monthly_fee",
        ["greater than or equal to 0"],
    ),
    (
        "tiers-out-of-order",
        _with_customer(sla=BAD_TIERS),
        "acme",
        "subscriptions[0].sla.credit_tiers",
        ["strictly decreasing below_percent", "99.0 then 99.5"],
    ),
    (
        "unknown-field",
        raw_catalog([{**comp("a"), "requirez": []}]),
        "a",
        "requirez",
        ["unknown field"],
    ),
    (
        "unknown-location",
        _with_customer(locations=["b"]),
        "acme",
        "subscriptions[0].locations[0]",
        ["unknown id 'b'"],
    ),
    (
        "location-not-deployed",
        {**_with_customer(locations=["a", "c"]), "locations": [_site("a"), _site("c")]},
        "acme",
        "subscriptions[0].locations[1]",
        ["service 'web' is not deployed in 'c'", "deployed in: a"],
    ),
    (
        "wrong-kind-of-reference",
        raw_catalog([comp("a", location="b"), comp("b")]),
        "a",
        "location",
        ["'b' is a component; only location may be referenced here"],
    ),
]


@pytest.mark.parametrize(
    ("raw", "entity", "field", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_error_names_file_entity_and_field(
    tmp_path: Path, raw: dict[str, Any], entity: str, field: str, words: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    errors = info.value.errors if isinstance(info.value, CatalogErrors) else [info.value]
    matching = [e for e in errors if e.entity == entity and e.field == field]
    assert matching, [str(e) for e in errors]
    message = str(matching[0])
    assert str(path) in message and f"entity '{entity}'" in message and f"'{field}'" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("components", "cycle"),
    [
        ([comp("a", "b"), comp("b", "c"), comp("c", "a")], "a -> b -> c -> a"),
        ([comp("a", "a")], "a -> a"),
        (
            [comp("x"), comp("a", groups=[("g", 1, ["x", "b"])]), comp("b", "a")],
            "a -> b -> a",
        ),
    ],
    ids=["three-cycle", "self-loop", "through-group"],
)
def test_cycle_is_printed(tmp_path: Path, components: list[dict[str, Any]], cycle: str) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text(yaml.safe_dump(raw_catalog(components)))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    # The cycle may be reported from any of its nodes: compare it as a rotation.
    reported = message.split("dependency cycle: ")[1].split()[::2]
    expected = cycle.split()[::2]
    assert len(reported) == len(expected)
    ring = expected[:-1]
    start = ring.index(reported[0])
    assert reported[:-1] == ring[start:] + ring[:start]
    assert str(path) in message and info.value.entity == reported[0]
    assert info.value.field is not None and info.value.field.startswith(("requires", "redundancy"))


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(raw_catalog([comp("a", "nope"), comp("b", "never")])))
    with pytest.raises(CatalogErrors) as info:
        load_catalog(path)
    assert {e.entity for e in info.value.errors} == {"a", "b"}
    assert "2 problem(s)" in str(info.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{}", ["required field is missing"]),
        ("- just\n- a list\n", ["mapping at the top level"]),
        ("key: [unclosed\n", ["not valid YAML"]),
        ("version: 1\n---\nversion: 1\n", ["expected one YAML document"]),
    ],
    ids=["empty-mapping", "list", "bad-yaml", "two-native-documents"],
)
def test_file_level_errors(tmp_path: Path, text: str, words: list[str]) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    for word in words:
        assert word in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="file not found"):
        load_catalog(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "version: 1\nprovider: {name: X}\ncomponents:\n  - id: a\n    kind: other\n"
            "    requires: [b]\n  - id: b\n    kind: other\n    requires: [a]\n",
            6,
            ["dependency cycle: a -> b -> a", "field 'requires'"],
        ),
        (
            "version: 1\nprovider: {name: X}\ncomponents:\n  - id: a\n    kind: other\n"
            "    requires: [zz]\n",
            6,
            ["unknown id 'zz'"],
        ),
        (
            "version: 1\nprovider: {name: X}\ncomponents:\n  - id: a\n    kind: other\n"
            "    redundancy:\n      - {name: g, k: 2, members: [a]}\n",
            7,
            ["needs k=2 healthy members but has only n=1"],
        ),
    ],
    ids=["cycle", "unknown-id", "k-greater-than-n"],
)
def test_errors_carry_the_yaml_line(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    path = tmp_path / "lines.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    errors = info.value.errors if isinstance(info.value, CatalogErrors) else [info.value]
    assert errors[0].line == line
    assert f"{path}:{line}: " in str(errors[0])
    for word in words:
        assert word in str(errors[0])
    assert "Value error" not in str(errors[0])


def test_json_catalog_loads_like_yaml_and_reports_lines(tmp_path: Path) -> None:
    raw = raw_catalog([comp("a"), comp("b", "a")])
    as_json = tmp_path / "c.json"
    as_json.write_text(json.dumps(raw, indent=1))
    as_yaml = tmp_path / "c.yaml"
    as_yaml.write_text(yaml.safe_dump(raw))
    assert load_catalog(as_json).data == load_catalog(as_yaml).data
    raw["components"][1]["requires"] = ["zz"]
    as_json.write_text(json.dumps(raw, indent=1))
    with pytest.raises(CatalogError) as info:
        load_catalog(as_json)
    assert info.value.line is not None and "unknown id 'zz'" in str(info.value)
