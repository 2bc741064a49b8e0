"""The typed result of a propagation, built in time proportional to what is down.

Causes and paths are read-only mappings computed on access: a failure of global DNS in a
million-entity catalog takes hundreds of thousands of entities down, and callers typically read
the causes of a handful of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np

from outagelens.topology.graph import (
    KIND_CODES,
    FailureCause,
    IntArray,
    NodeKind,
    PropagationState,
    gather,
)

if TYPE_CHECKING:
    from outagelens.topology.compile import Compiled


@dataclass(frozen=True)
class Propagation:
    """Everything that is down when a set of entities fails, and why."""

    failed: tuple[str, ...]
    locations: tuple[str, ...]
    components: tuple[str, ...]
    services: tuple[str, ...]
    deployments: tuple[str, ...]
    subscriptions: tuple[str, ...]
    customers: tuple[str, ...]
    partial_subscriptions: tuple[str, ...]
    partial_customers: tuple[str, ...]
    affected_locations: tuple[str, ...]
    causes: Mapping[str, FailureCause]
    paths: Mapping[str, tuple[str, ...]]
    degraded_groups: tuple[tuple[str, str, int, int], ...]

    @property
    def affected_customers(self) -> tuple[str, ...]:
        """Customers with a subscription down or running on reduced redundancy of locations."""
        return tuple(sorted({*self.customers, *self.partial_customers}))

    @property
    def down(self) -> frozenset[str]:
        """Every entity id that is down (not customers)."""
        return frozenset(self.causes)

    def is_down(self, entity_id: str) -> bool:
        """Whether an entity is down (a customer: when any of its subscriptions is)."""
        return entity_id in self.causes or entity_id in self.customers


class _DownView:
    """Shared base of the lazy views: keys are the down entity ids, in sorted order."""

    def __init__(self, state: PropagationState, order: IntArray) -> None:
        self._state = state
        self._nodes = order
        self._order: tuple[str, ...] | None = None

    def _ids(self) -> tuple[str, ...]:
        if self._order is None:
            self._order = _names(self._state.graph.ids, self._nodes)
        return self._order

    def _node(self, key: object) -> int:
        i = self._state.graph.index.get(key) if isinstance(key, str) else None
        if i is None or i not in self._state.down:
            raise KeyError(key)
        return i

    def __contains__(self, key: object) -> bool:
        i = self._state.graph.index.get(key) if isinstance(key, str) else None
        return i is not None and i in self._state.down

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())

    def __len__(self) -> int:
        return len(self._nodes)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self._nodes)} down entities>"


class CauseMap(_DownView, Mapping[str, FailureCause]):
    """Down entity id -> why it is down (computed on access)."""

    def __getitem__(self, key: str) -> FailureCause:
        return self._state.cause(self._node(key))


class PathMap(_DownView, Mapping[str, tuple[str, ...]]):
    """Down entity id -> chain back to a directly failed entity, itself first."""

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return tuple(self._state.path(self._node(key)))


def _names(ids: list[str], nodes: IntArray) -> tuple[str, ...]:
    if len(nodes) == 0:
        return ()
    if len(nodes) == 1:
        return (ids[int(nodes[0])],)
    picked: tuple[str, ...] = itemgetter(*nodes.tolist())(ids)  # one C-level pass
    return picked


def build_propagation(
    compiled: Compiled,
    failed: list[str],
    state: PropagationState,
    subscriptions: Mapping[str, object],
) -> Propagation:
    """The typed result; cost grows with the number of down entities, not the catalog size."""
    g, c = compiled.graph, compiled
    down = state.down_array()
    down = down[np.argsort(c.rank[down], kind="stable")]
    codes = g.kind_codes[down]
    by_kind = {k: _names(g.ids, down[codes == KIND_CODES[k]]) for k in NodeKind}
    subs = down[codes == KIND_CODES[NodeKind.SUBSCRIPTION]]
    owners = np.unique(c.owner[subs])
    customers = _names(c.customer_ids, owners[np.argsort(c.customer_rank[owners])])
    locs = c.location_of[down]
    sites, _ = gather(c.site_ptr, c.site_idx, subs)
    affected = np.unique(np.concatenate([locs[locs >= 0], sites]))
    degraded = state.degraded_groups()
    partial = sorted({owner for owner, _, _, _ in degraded if owner in subscriptions})
    partial_nodes = np.asarray([g.index[s] for s in partial], dtype=np.int64)
    partial_customers = {c.customer_ids[o] for o in c.owner[partial_nodes].tolist()}
    return Propagation(
        failed=tuple(failed),
        locations=by_kind[NodeKind.LOCATION],
        components=by_kind[NodeKind.COMPONENT],
        services=by_kind[NodeKind.SERVICE],
        deployments=by_kind[NodeKind.DEPLOYMENT],
        subscriptions=by_kind[NodeKind.SUBSCRIPTION],
        customers=customers,
        partial_subscriptions=tuple(partial),
        partial_customers=tuple(sorted(partial_customers.difference(customers))),
        affected_locations=tuple(sorted(g.ids[i] for i in affected.tolist())),
        causes=CauseMap(state, down),
        paths=PathMap(state, down),
        degraded_groups=tuple(degraded),
    )
