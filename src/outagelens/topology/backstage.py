"""Import a Backstage catalog (multi-document `catalog-info.yaml`) as an OutageLens catalog.

Mapping (docs/catalog.md, "Backstage import", has the full description):

- `Component` and `Resource` -> components; kind from `spec.type` through `TYPE_KINDS`
  (overridden by annotation `outagelens.io/kind`); site from `outagelens.io/location`;
- `System` -> a service; the components and resources that belong to it (`spec.system`) or
  declare `dependencyOf: [system:...]` are what it needs: in their site's deployment
  ('<service>@<site>') when they have a site, everywhere otherwise;
- `spec.dependsOn` / `spec.dependencyOf` -> `requires`, except members of a redundancy group
  declared with `outagelens.io/redundancy` (`<name>: <k> of <ref>, <ref>; failover=<min>`);
- sites, customers (with subscriptions) and the provider are entities of `apiVersion:
  outagelens.io/v1alpha1`, kinds `Site`, `Customer` and `Provider`, whose `spec` is the native
  format with entity references in place of ids;
- other Backstage kinds (API, Group, User, Domain, Location, Template) are ignored.

Every problem is reported as a `CatalogError` naming the file, the entity (`kind:namespace/name`)
and the field, all at once in a `CatalogErrors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from outagelens.errors import CatalogError, CatalogErrors
from outagelens.topology.backstage_refs import (
    ANNOTATION_PREFIX,
    AnnotationError,
    EntityRef,
    parse_minutes,
    parse_redundancy,
    parse_ref,
    parse_software,
)
from outagelens.topology.models import CatalogFile, ComponentKind

CORE_API_VERSIONS = frozenset({"backstage.io/v1alpha1", "backstage.io/v1beta1"})
OUTAGELENS_API_VERSION = "outagelens.io/v1alpha1"
CORE_KINDS = frozenset({"component", "resource", "system"})
OUTAGELENS_KINDS = frozenset({"site", "customer", "provider"})
IGNORED_KINDS = frozenset({"api", "group", "user", "domain", "location", "template"})
DEPENDENCY_KINDS = ("component", "resource", "system", "site")

K = ComponentKind
# Backstage `spec.type` (lower case) -> component kind; any ComponentKind value maps to itself.
TYPE_KINDS: dict[str, ComponentKind] = {
    "service": K.APPLICATION, "website": K.APPLICATION, "library": K.OTHER,
    "database": K.DATABASE, "postgres": K.DATABASE, "postgresql": K.DATABASE,
    "mysql": K.DATABASE, "rds": K.DATABASE, "cache": K.CACHE, "redis": K.CACHE,
    "memcached": K.CACHE, "queue": K.MESSAGE_QUEUE, "topic": K.MESSAGE_QUEUE,
    "kafka": K.MESSAGE_QUEUE, "rabbitmq": K.MESSAGE_QUEUE, "s3-bucket": K.STORAGE,
    "bucket": K.STORAGE, "object-storage": K.STORAGE, "san": K.STORAGE,
    "kubernetes-cluster": K.CONTAINER_PLATFORM, "cluster": K.CONTAINER_PLATFORM,
    "vm": K.COMPUTE, "virtual-machine": K.COMPUTE, "server": K.COMPUTE,
    "load-balancer": K.LOAD_BALANCER, "lb": K.LOAD_BALANCER, "dns-zone": K.DNS,
    "vpc": K.NETWORK, "subnet": K.NETWORK, "pdu": K.POWER, "crac": K.COOLING,
    "gateway": K.API_GATEWAY, "idp": K.IDENTITY,
}  # fmt: skip
DEFAULT_KINDS = {"component": K.APPLICATION, "resource": K.OTHER}


def _annotation(name: str) -> str:
    return f"metadata.annotations.{ANNOTATION_PREFIX}{name}"


@dataclass(slots=True)
class _Entity:
    ref: EntityRef
    doc: dict[str, Any]
    id: str
    spec: dict[str, Any]
    annotations: dict[str, str]
    members: list[_Entity] = field(default_factory=list)  # systems: what belongs to them
    depended_by: list[_Entity] = field(default_factory=list)  # from others' dependencyOf

    def title(self) -> str:
        meta = self.doc.get("metadata") or {}
        title = meta.get("title")
        return title if isinstance(title, str) and title else self.ref.name


class _Importer:
    def __init__(self, docs: list[dict[str, Any]], source: str | None) -> None:
        self.docs = docs
        self.source = source
        self.errors: list[CatalogError] = []
        self.entities: dict[EntityRef, _Entity] = {}
        self.by_id: dict[str, _Entity] = {}
        # (section, position) -> (entity, native field -> Backstage field) for pydantic errors
        self.origin: dict[tuple[str, int], tuple[_Entity, dict[str, str]]] = {}

    def error(self, entity: _Entity | str | None, fld: str | None, message: str) -> None:
        name = str(entity.ref) if isinstance(entity, _Entity) else entity
        self.errors.append(CatalogError(message, file=self.source, entity=name, field=fld))

    # -- collection -------------------------------------------------------------------------

    def collect(self) -> None:
        for pos, doc in enumerate(self.docs):
            where = f"document {pos + 1}"
            if not isinstance(doc, dict):
                self.error(where, None, "a Backstage document must be a mapping")
                continue
            entity = self._entity(doc, where)
            if entity is None:
                continue
            if entity.ref in self.entities:
                self.error(entity, "metadata.name", "entity defined more than once")
                continue
            other = self.by_id.get(entity.id)
            if other is not None:
                self.error(
                    entity,
                    "metadata.name",
                    f"maps to id '{entity.id}' like {other.ref}; set annotation "
                    f"{ANNOTATION_PREFIX}id on one of them",
                )
                continue
            self.entities[entity.ref] = entity
            self.by_id[entity.id] = entity

    def _entity(self, doc: dict[str, Any], where: str) -> _Entity | None:
        api, kind = doc.get("apiVersion"), str(doc.get("kind", "")).lower()
        meta = doc.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            self.error(f"{doc.get('kind', '?')} in {where}", "metadata.name", "missing name")
            return None
        ns = meta.get("namespace") or "default"
        ref = EntityRef(kind, str(ns), meta["name"])
        if kind in IGNORED_KINDS and api in CORE_API_VERSIONS:
            return None
        if (kind in CORE_KINDS and api not in CORE_API_VERSIONS) or (
            kind in OUTAGELENS_KINDS and api != OUTAGELENS_API_VERSION
        ):
            expected = (
                OUTAGELENS_API_VERSION if kind in OUTAGELENS_KINDS else "backstage.io/v1alpha1"
            )
            self.error(str(ref), "apiVersion", f"'{api}' is not valid here (expected {expected})")
            return None
        if kind not in CORE_KINDS | OUTAGELENS_KINDS:
            self.error(str(ref), "kind", f"unsupported kind '{doc.get('kind')}' ({where})")
            return None
        raw_annotations = meta.get("annotations") or {}
        annotations = {
            str(k)[len(ANNOTATION_PREFIX) :]: str(v)
            for k, v in raw_annotations.items()
            if str(k).startswith(ANNOTATION_PREFIX)
        }
        spec = doc.get("spec") or {}
        if not isinstance(spec, dict):
            self.error(str(ref), "spec", "spec must be a mapping")
            return None
        default_id = ref.name if ref.namespace == "default" else f"{ref.namespace}/{ref.name}"
        return _Entity(ref, doc, annotations.get("id", default_id), spec, annotations)

    # -- references -------------------------------------------------------------------------

    def resolve(
        self,
        owner: _Entity,
        fld: str,
        text: object,
        *,
        default_kind: str | None = None,
        allowed: tuple[str, ...] = DEPENDENCY_KINDS,
    ) -> _Entity | None:
        """The entity a reference names, or None after recording an error."""
        try:
            ref = parse_ref(text, default_kind=default_kind, default_namespace=owner.ref.namespace)
        except AnnotationError as exc:
            self.error(owner, fld, str(exc))
            return None
        if not ref.kind:
            found = [
                e
                for kind in allowed
                if (e := self.entities.get(EntityRef(kind, ref.namespace, ref.name)))
            ]
            if len(found) != 1:
                why = "ambiguous" if found else "unknown"
                self.error(owner, fld, f"{why} reference '{text}'; write it as <kind>:{text}")
                return None
            return found[0]
        target = self.entities.get(ref)
        if target is None and ref.kind in IGNORED_KINDS:
            self.error(owner, fld, f"'{ref}' is of a kind OutageLens ignores; depend on a "
                       "Component, Resource, System or Site instead")  # fmt: skip
            return None
        if target is None:
            self.error(owner, fld, f"unknown entity '{ref}' (referenced as '{text}')")
            return None
        if ref.kind not in allowed:
            self.error(owner, fld, f"'{ref}' is a {ref.kind}; expected {' or '.join(allowed)}")
            return None
        return target

    def ref_list(self, owner: _Entity, fld: str, value: object) -> list[object]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(owner, fld, "must be a list of entity references")
            return []
        return value

    def link(self) -> None:
        """Record `spec.system` and `spec.dependencyOf` on the entities they point to."""
        for e in self.entities.values():
            if e.ref.kind not in ("component", "resource"):
                continue
            if e.spec.get("system") is not None:
                system = self.resolve(
                    e, "spec.system", e.spec["system"], default_kind="system", allowed=("system",)
                )
                if system is not None:
                    system.members.append(e)
            for i, text in enumerate(
                self.ref_list(e, "spec.dependencyOf", e.spec.get("dependencyOf"))
            ):
                target = self.resolve(
                    e, f"spec.dependencyOf[{i}]", text, allowed=("component", "resource", "system")
                )
                if target is not None and target.ref.kind == "system":
                    target.members.append(e)
                elif target is not None:
                    target.depended_by.append(e)

    # -- conversion -------------------------------------------------------------------------

    def component_kind(self, e: _Entity) -> ComponentKind:
        override = e.annotations.get("kind")
        if override is not None:
            try:
                return ComponentKind(override)
            except ValueError:
                kinds = ", ".join(k.value for k in ComponentKind)
                self.error(e, _annotation("kind"), f"unknown kind '{override}' (one of: {kinds})")
                return DEFAULT_KINDS[e.ref.kind]
        spec_type = str(e.spec.get("type", "")).lower()
        normalized = spec_type.replace("-", "_")
        if normalized in ComponentKind.__members__.values():
            return ComponentKind(normalized)
        return TYPE_KINDS.get(spec_type, DEFAULT_KINDS[e.ref.kind])

    def groups(self, e: _Entity) -> tuple[list[dict[str, Any]], set[str]]:
        """Redundancy groups of an entity's annotation, and the ids of all their members."""
        text = e.annotations.get("redundancy")
        if text is None:
            return [], set()
        fld = _annotation("redundancy")
        try:
            parsed = parse_redundancy(text)
        except AnnotationError as exc:
            self.error(e, fld, str(exc))
            return [], set()
        out: list[dict[str, Any]] = []
        members: set[str] = set()
        for g in parsed:
            ids = [t.id for m in g.members if (t := self.resolve(e, f"{fld} ({g.name})", m))]
            members.update(ids)
            group = {"name": g.name, "k": g.k, "members": ids}
            if g.failover_minutes:
                group["failover_minutes"] = g.failover_minutes
            out.append(group)
        return out, members

    def component(self, e: _Entity) -> dict[str, Any]:
        groups, grouped = self.groups(e)
        deps: list[str] = []
        for i, text in enumerate(self.ref_list(e, "spec.dependsOn", e.spec.get("dependsOn"))):
            target = self.resolve(e, f"spec.dependsOn[{i}]", text)
            if target is not None:
                deps.append(target.id)
        deps.extend(d.id for d in e.depended_by)
        out: dict[str, Any] = {"id": e.id, "kind": self.component_kind(e), "name": e.title()}
        requires = [d for d in dict.fromkeys(deps) if d not in grouped]
        if requires:
            out["requires"] = requires
        if groups:
            out["redundancy"] = groups
        self._optional_annotations(e, out)
        labels = (e.doc.get("metadata") or {}).get("labels")
        if isinstance(labels, dict) and labels:
            out["labels"] = {str(k): str(v) for k, v in labels.items()}
        return out

    def _optional_annotations(self, e: _Entity, out: dict[str, Any]) -> None:
        a = e.annotations
        if "location" in a:
            site = self.resolve(
                e, _annotation("location"), a["location"], default_kind="site", allowed=("site",)
            )
            if site is not None:
                out["location"] = site.id
        try:
            if "software" in a:
                name, version = parse_software(a["software"])
                out["software"] = {"name": name, "version": version}
        except AnnotationError as exc:
            self.error(e, _annotation("software"), str(exc))
        try:
            if "restore-minutes" in a:
                out["recovery"] = {"restore_minutes": parse_minutes(a["restore-minutes"])}
        except AnnotationError as exc:
            self.error(e, _annotation("restore-minutes"), str(exc))

    def service(self, e: _Entity) -> dict[str, Any]:
        groups, grouped = self.groups(e)
        requires: list[str] = []
        locations: dict[str, dict[str, list[str]]] = {}
        for text in (e.annotations.get("locations") or "").split(","):
            if text.strip():
                fld = _annotation("locations")
                site = self.resolve(e, fld, text, default_kind="site", allowed=("site",))
                if site is not None:
                    locations.setdefault(site.id, {"requires": []})
        # Backstage Systems have no dependsOn; if one is given anyway, it counts like parts.
        for i, raw in enumerate(self.ref_list(e, "spec.dependsOn", e.spec.get("dependsOn"))):
            target = self.resolve(e, f"spec.dependsOn[{i}]", raw)
            if target is not None:
                e.members.append(target)
        unique = {m.id: m for m in e.members}
        for member in unique.values():
            if member.id in grouped:
                continue
            where = self._site_of(member)
            if where is None:
                requires.append(member.id)
            else:
                locations.setdefault(where, {"requires": []})["requires"].append(member.id)
        out: dict[str, Any] = {"id": e.id, "name": e.title(), "requires": requires}
        description = (e.doc.get("metadata") or {}).get("description")
        if isinstance(description, str):
            out["description"] = description
        if groups:
            out["redundancy"] = groups
        if locations:
            out["locations"] = locations
        return out

    def _site_of(self, member: _Entity) -> str | None:
        text = member.annotations.get("location")
        if text is None:
            return None
        try:
            ref = parse_ref(text, default_kind="site", default_namespace=member.ref.namespace)
        except AnnotationError:
            return None  # reported when the member itself is converted
        site = self.entities.get(ref)
        return site.id if site is not None and ref.kind == "site" else None

    def site(self, e: _Entity) -> dict[str, Any]:
        return {**e.spec, "id": e.id}

    def customer(self, e: _Entity) -> dict[str, Any]:
        out = {"name": e.title(), **e.spec, "id": e.id}
        subs = self.ref_list(e, "spec.subscriptions", e.spec.get("subscriptions"))
        out["subscriptions"] = [self.subscription(e, i, s) for i, s in enumerate(subs)]
        return out

    def subscription(self, e: _Entity, i: int, raw: object) -> object:
        if not isinstance(raw, dict):
            return raw  # pydantic reports the type error with its field
        pre = f"spec.subscriptions[{i}]"
        sub = dict(raw)
        if "service" in sub:
            svc = self.resolve(
                e, f"{pre}.service", sub["service"], default_kind="system", allowed=("system",)
            )
            sub["service"] = svc.id if svc is not None else str(sub["service"])
        locs = self.ref_list(e, f"{pre}.locations", sub.get("locations"))
        sub["locations"] = [
            t.id
            for j, text in enumerate(locs)
            if (t := self.resolve(e, f"{pre}.locations[{j}]", text, default_kind="site"))
        ]
        reqs = self.ref_list(e, f"{pre}.requires", sub.get("requires"))
        sub["requires"] = [
            t.id
            for j, text in enumerate(reqs)
            if (t := self.resolve(e, f"{pre}.requires[{j}]", text))
        ]
        groups = self.ref_list(e, f"{pre}.redundancy", sub.get("redundancy"))
        sub["redundancy"] = [
            self._sub_group(e, f"{pre}.redundancy[{j}]", g) for j, g in enumerate(groups)
        ]
        return sub

    def _sub_group(self, e: _Entity, fld: str, raw: object) -> object:
        if not isinstance(raw, dict):
            return raw
        members = self.ref_list(e, f"{fld}.members", raw.get("members"))
        ids = [
            t.id
            for j, text in enumerate(members)
            if (t := self.resolve(e, f"{fld}.members[{j}]", text))
        ]
        return {**raw, "members": ids}

    # -- assembly ---------------------------------------------------------------------------

    def build(self) -> CatalogFile:
        self.collect()
        self.link()
        native: dict[str, Any] = {
            "provider": {"name": "Backstage catalog"},
            "locations": [],
            "components": [],
            "services": [],
            "customers": [],
        }
        providers = [e for e in self.entities.values() if e.ref.kind == "provider"]
        for extra in providers[1:]:
            self.error(extra, "kind", f"only one Provider entity is allowed ({providers[0].ref})")
        if providers:
            native["provider"] = {"name": providers[0].title(), **providers[0].spec}
            self.origin[("provider", -1)] = (providers[0], {})
        sections = {
            "site": ("locations", self.site),
            "component": ("components", self.component),
            "resource": ("components", self.component),
            "system": ("services", self.service),
            "customer": ("customers", self.customer),
        }
        for e in self.entities.values():
            if e.ref.kind in sections:
                section, convert = sections[e.ref.kind]
                self.origin[(section, len(native[section]))] = (e, {})
                native[section].append(convert(e))
        if self.errors:
            raise CatalogErrors(self.errors)
        try:
            return CatalogFile.model_validate(native)
        except ValidationError as exc:
            raise CatalogErrors([self._translate(err) for err in exc.errors()]) from None

    def _translate(self, err: Any) -> CatalogError:
        """A pydantic error on the native form, named by the Backstage entity and field."""
        loc = list(err["loc"])
        key = (str(loc[0]), int(loc[1])) if len(loc) > 1 and isinstance(loc[1], int) else None
        if loc and loc[0] == "provider":
            key, loc = ("provider", -1), ["provider", -1, *loc[1:]]
        origin = self.origin.get(key) if key else None
        rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:]).lstrip(".")
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against docs/catalog.md)"
        elif err["type"] == "missing":
            message = "required field is missing"
        if origin is None:
            return CatalogError(message, file=self.source, field=rest or None)
        entity, _ = origin
        fld = _backstage_field(entity.ref.kind, rest)
        return CatalogError(message, file=self.source, entity=str(entity.ref), field=fld)


_NATIVE_TO_BACKSTAGE = {
    "kind": "spec.type",
    "name": "metadata.title",
    "requires": "spec.dependsOn",
    "redundancy": _annotation("redundancy"),
    "software": _annotation("software"),
    "recovery": _annotation("restore-minutes"),
    "location": _annotation("location"),
    "labels": "metadata.labels",
}


def _backstage_field(kind: str, native_field: str) -> str:
    """Where a native field of a converted entity came from in the Backstage document."""
    if kind in OUTAGELENS_KINDS:
        return f"spec.{native_field}" if native_field else "spec"
    head = native_field.split(".", 1)[0].split("[", 1)[0]
    return _NATIVE_TO_BACKSTAGE.get(head, native_field)


def catalog_from_backstage(docs: list[dict[str, Any]], *, source: str | None) -> CatalogFile:
    """Convert parsed Backstage entity documents to a native catalog (not yet compiled)."""
    return _Importer(docs, source).build()
