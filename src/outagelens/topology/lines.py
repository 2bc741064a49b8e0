"""Add YAML line numbers to catalog errors, by walking the composed node tree of the file.

Only done when loading fails: composing keeps every node and its position in memory, which
valid catalogs (up to millions of entities) should not pay for.
"""

from __future__ import annotations

import re

import yaml

from outagelens.errors import CatalogError, CatalogErrors

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SECTIONS = ("components", "locations", "services", "customers")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _field_path(field: str | None) -> list[str | int]:
    """'subscriptions[0].sla.credit_tiers' -> ['subscriptions', 0, 'sla', 'credit_tiers']."""
    if not field:
        return []
    field = field.split(" ", 1)[0]  # drop notes such as ' (group name)'
    prefix = "metadata.annotations."
    if field.startswith(prefix):
        return ["metadata", "annotations", field[len(prefix) :]]
    return [int(i) if i else name for name, i in _PART.findall(field)]


def _get(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                found: yaml.Node = v
                return found
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        item: yaml.Node = node.value[key]
        return item
    return None


def _scalar(node: yaml.Node | None, *keys: str) -> str | None:
    for key in keys:
        node = _get(node, key) if node is not None else None
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _entity_node(docs: list[yaml.Node], entity: str | None) -> yaml.Node | None:
    """The node of a native entity (by id) or of a Backstage entity ('kind:namespace/name')."""
    if entity is None:
        return docs[0] if len(docs) == 1 else None
    if len(docs) > 1 or ":" in entity:
        kind, _, rest = entity.partition(":")
        namespace, _, name = rest.rpartition("/")
        for doc in docs:
            same_kind = (_scalar(doc, "kind") or "").lower() == kind
            ns = _scalar(doc, "metadata", "namespace") or "default"
            if same_kind and ns == namespace and _scalar(doc, "metadata", "name") == name:
                return doc
        if len(docs) > 1:
            return None
    for section in _SECTIONS:
        seq = _get(docs[0], section)
        if isinstance(seq, yaml.SequenceNode):
            for item in seq.value:
                if _scalar(item, "id") == entity:
                    node: yaml.Node = item
                    return node
    return None


def line_of(docs: list[yaml.Node], error: CatalogError) -> int | None:
    """1-based line of the most precise node an error points to, if it can be found."""
    node = _entity_node(docs, error.entity)
    if node is None:
        return None
    for part in _field_path(error.field):
        child = _get(node, part)
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def with_lines(exc: CatalogError, text: str) -> CatalogError:
    """The same error(s) with line numbers added where the YAML text allows."""
    try:
        docs = [d for d in yaml.compose_all(text, Loader=Loader) if d is not None]
    except yaml.YAMLError:
        return exc
    if not docs:
        return exc

    def one(e: CatalogError) -> CatalogError:
        if e.line is not None or (e.entity is None and e.field is None):
            return e
        line = line_of(docs, e)
        return CatalogError(e.reason, file=e.file, entity=e.entity, field=e.field, line=line)

    if isinstance(exc, CatalogErrors):
        return CatalogErrors([one(e) for e in exc.errors])
    return one(exc)
