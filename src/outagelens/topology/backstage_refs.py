"""Backstage entity references and the small text formats of OutageLens annotations.

Entity references follow Backstage: `[<kind>:][<namespace>/]<name>`, kind case-insensitive,
namespace defaulting to the referring entity's. Annotation formats are documented in
docs/catalog.md ("Backstage import").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANNOTATION_PREFIX = "outagelens.io/"
_NAME = r"[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*"
_REF = re.compile(rf"^(?:(?P<kind>[A-Za-z][A-Za-z0-9]*):)?(?:(?P<ns>{_NAME})/)?(?P<name>{_NAME})$")
_GROUP = re.compile(
    r"^\s*(?P<name>[^:]+?)\s*:\s*(?P<k>\d+)\s+of\s+(?P<members>[^;]+?)\s*"
    r"(?:;\s*failover\s*=\s*(?P<failover>\d+(?:\.\d+)?)\s*(?:m|min|minutes)?\s*)?$"
)


class AnnotationError(ValueError):
    """A reference or annotation value that cannot be parsed; the message says why."""


@dataclass(frozen=True, slots=True, order=True)
class EntityRef:
    """A full Backstage entity reference: kind (lower case), namespace, name."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"


def parse_ref(text: object, *, default_kind: str | None, default_namespace: str) -> EntityRef:
    """Parse `[<kind>:][<namespace>/]<name>`; kind '' means 'any' when no default is given."""
    if not isinstance(text, str):
        raise AnnotationError(f"an entity reference must be a string, got {text!r}")
    m = _REF.match(text.strip())
    if m is None:
        raise AnnotationError(
            f"'{text}' is not an entity reference ([<kind>:][<namespace>/]<name>)"
        )
    kind = (m.group("kind") or default_kind or "").lower()
    return EntityRef(kind, m.group("ns") or default_namespace, m.group("name"))


@dataclass(frozen=True, slots=True)
class GroupText:
    """One parsed redundancy group of an `outagelens.io/redundancy` annotation."""

    name: str
    k: int
    members: tuple[str, ...]
    failover_minutes: float


def parse_redundancy(value: str) -> list[GroupText]:
    """Groups, one per line (or separated by '|'): `<name>: <k> of <ref>, <ref>[; failover=<m>]`."""
    groups: list[GroupText] = []
    for raw in re.split(r"[\n|]", value):
        if not raw.strip():
            continue
        m = _GROUP.match(raw)
        if m is None:
            raise AnnotationError(
                f"cannot read group '{raw.strip()}': expected '<name>: <k> of <ref>, <ref>, ...' "
                "optionally followed by '; failover=<minutes>'"
            )
        members = tuple(x.strip() for x in m.group("members").split(",") if x.strip())
        failover = float(m.group("failover")) if m.group("failover") else 0.0
        groups.append(GroupText(m.group("name"), int(m.group("k")), members, failover))
    if not groups:
        raise AnnotationError("no redundancy group given")
    return groups


def parse_software(value: str) -> tuple[str, str | None]:
    """`<name> [<version>]`, e.g. 'postgresql 16.4'."""
    parts = value.split()
    if not parts or len(parts) > 2:
        raise AnnotationError(f"expected '<name> [<version>]', got '{value}'")
    return parts[0], parts[1] if len(parts) == 2 else None


def parse_minutes(value: str) -> float:
    """A non-negative number of minutes."""
    try:
        minutes = float(value)
    except ValueError:
        raise AnnotationError(f"expected a number of minutes, got '{value}'") from None
    if minutes < 0:
        raise AnnotationError(f"minutes must not be negative, got {minutes}")
    return minutes
