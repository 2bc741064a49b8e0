"""Whole-catalog checks: duplicate ids, unknown references, misplaced references, cycles."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from outagelens.errors import CatalogError, CatalogErrors
from outagelens.topology.models import CatalogFile, Dependent, Subscription


def subscription_id(customer_id: str, sub: Subscription) -> str:
    """The entity id of a subscription: explicit, or '<customer>/<service>'."""
    return sub.id or f"{customer_id}/{sub.service}"


def deployment_id(service_id: str, location_id: str) -> str:
    """The entity id of a service's deployment in one location."""
    return f"{service_id}@{location_id}"


def _suggest(name: str, known: dict[str, str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" (did you mean: {', '.join(close)}?)" if close else ""


def _dependency_fields(dep: Dependent) -> Iterator[tuple[str, str]]:
    """(field path, referenced id) for every reference a dependent makes."""
    for i, ref in enumerate(dep.requires):
        yield f"requires[{i}]", ref
    for gi, group in enumerate(dep.redundancy):
        for mi, ref in enumerate(group.members):
            yield f"redundancy[{gi}].members[{mi}]", ref


class _Checker:
    """Collects every problem instead of stopping at the first, so one run shows them all."""

    def __init__(self, catalog: CatalogFile, file: str | None) -> None:
        self.catalog = catalog
        self.file = file
        self.errors: list[CatalogError] = []
        self.kinds: dict[str, str] = {}

    def error(self, message: str, entity: str | None, field: str | None) -> None:
        self.errors.append(CatalogError(message, file=self.file, entity=entity, field=field))

    def register(self, entity_id: str, kind: str, field: str) -> None:
        if entity_id in self.kinds:
            self.error(f"duplicate id: already used by a {self.kinds[entity_id]}", entity_id, field)
        else:
            self.kinds[entity_id] = kind

    def collect_ids(self) -> None:
        c = self.catalog
        for loc in c.locations:
            self.register(loc.id, "location", "id")
        for comp in c.components:
            self.register(comp.id, "component", "id")
        for svc in c.services:
            self.register(svc.id, "service", "id")
            for loc_id in svc.locations:
                self.register(deployment_id(svc.id, loc_id), "deployment", f"locations.{loc_id}")
        for cust in c.customers:
            self.register(cust.id, "customer", "id")
            for si, sub in enumerate(cust.subscriptions):
                self.register(
                    subscription_id(cust.id, sub), "subscription", f"subscriptions[{si}].id"
                )

    def ref(self, entity: str, field: str, ref: str, allowed: tuple[str, ...]) -> None:
        kind = self.kinds.get(ref)
        if kind is None:
            self.error(f"unknown id '{ref}'{_suggest(ref, self.kinds)}", entity, field)
        elif kind not in allowed:
            self.error(
                f"'{ref}' is a {kind}; only {' or '.join(allowed)} may be referenced here",
                entity,
                field,
            )

    def check_refs(self) -> None:
        deps = ("location", "component", "service", "deployment")
        for comp in self.catalog.components:
            if comp.location is not None:
                self.ref(comp.id, "location", comp.location, ("location",))
            for fld, ref in _dependency_fields(comp):
                self.ref(comp.id, fld, ref, deps)
            if comp.replication and comp.replication.target:
                self.ref(comp.id, "replication.target", comp.replication.target, ("component",))
        for svc in self.catalog.services:
            for fld, ref in _dependency_fields(svc):
                self.ref(svc.id, fld, ref, deps)
            for loc_id, dep in svc.locations.items():
                self.ref(svc.id, f"locations.{loc_id}", loc_id, ("location",))
                for fld, ref in _dependency_fields(dep):
                    self.ref(svc.id, f"locations.{loc_id}.{fld}", ref, deps)
        self.check_subscriptions(deps)

    def check_subscriptions(self, deps: tuple[str, ...]) -> None:
        services = {s.id: s for s in self.catalog.services}
        for cust in self.catalog.customers:
            for si, sub in enumerate(cust.subscriptions):
                prefix = f"subscriptions[{si}]"
                self.ref(cust.id, f"{prefix}.service", sub.service, ("service",))
                svc = services.get(sub.service)
                for li, loc_id in enumerate(sub.locations):
                    fld = f"{prefix}.locations[{li}]"
                    self.ref(cust.id, fld, loc_id, ("location",))
                    if svc is not None and svc.locations and loc_id not in svc.locations:
                        self.error(
                            f"service '{svc.id}' is not deployed in '{loc_id}' "
                            f"(deployed in: {', '.join(svc.locations)})",
                            cust.id,
                            fld,
                        )
                for fld, ref in _dependency_fields(sub):
                    self.ref(cust.id, f"{prefix}.{fld}", ref, deps)


def check_catalog(catalog: CatalogFile, file: str | None = None) -> None:
    """Raise `CatalogErrors` listing every cross-reference problem; cycles are checked later."""
    checker = _Checker(catalog, file)
    checker.collect_ids()
    checker.check_refs()
    if checker.errors:
        raise CatalogErrors(checker.errors)
