"""Minimal cut sets of every subscription: the sets of components (or locations) whose joint
failure takes it down. Size 1 are the single points of failure.

Both computations are bottom-up over the compiled dependency graph in topological order
(dependencies before dependents), so one pass covers every subscription at once:

* `single_failure_sets`: for each node, the candidates whose single failure downs it. A node
  inherits every set of what it requires; a k-of-n group goes down when more than n-k members
  do, so a candidate downs the group when it downs at least n-k+1 members.
* `minimal_cut_sets`: the same recursion over families of minimal sets of size <= max_order
  (a truncated MOCUS). Requires take the union of the families; a k-of-n group combines member
  cut sets until at least n-k+1 members are down. Families are capped per node; a subscription
  whose closure hit the cap is reported as bounded (not complete).

Intermediate results are dropped as soon as every dependent of a node has been computed,
which keeps memory proportional to the graph's frontier rather than its size.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal, TypeVar

from outagelens.errors import OutageLensError
from outagelens.topology.catalog import Catalog
from outagelens.topology.graph import DependencyGraph, NodeKind

Universe = Literal["component", "location"]
_EMPTY: frozenset[int] = frozenset()
_T = TypeVar("_T")
Family = frozenset[frozenset[int]]


class ResilienceError(OutageLensError):
    """A resilience analysis could not run on the given catalog or arguments."""


@dataclass(frozen=True, slots=True)
class CutSetConfig:
    """How far to enumerate cut sets: exact up to size 2, bounded beyond by a per-node cap."""

    max_order: int = 2
    max_sets_per_node: int = 20_000
    universe: Universe = "component"

    def __post_init__(self) -> None:
        if not 1 <= self.max_order <= 4:
            raise ResilienceError(f"max_order must be between 1 and 4, got {self.max_order}")
        if self.max_sets_per_node < 1:
            raise ResilienceError(
                f"max_sets_per_node must be positive, got {self.max_sets_per_node}"
            )


@dataclass(frozen=True, slots=True)
class SubscriptionCutSets:
    """Minimal cut sets of one subscription, sorted by size then ids."""

    subscription: str
    customer: str
    spofs: tuple[str, ...]
    cut_sets: tuple[tuple[str, ...], ...]  # size 2 and beyond
    complete: bool  # False when a per-node cap truncated the enumeration

    def all_sets(self) -> list[tuple[str, ...]]:
        """Every minimal cut set, size 1 first."""
        return [(s,) for s in self.spofs] + list(self.cut_sets)


@dataclass(frozen=True, slots=True)
class SpofRank:
    """One single point of failure with everything it takes down."""

    entity: str
    kind: str
    subscriptions: tuple[str, ...]
    customers: tuple[str, ...]
    revenue_per_hour: float
    currency: str

    @property
    def shared(self) -> bool:
        """Whether it takes down two or more customers at once."""
        return len(self.customers) >= 2


@dataclass(frozen=True)
class CutSetAnalysis:
    """Cut sets of every subscription over one universe of failure units."""

    universe: Universe
    max_order: int
    subscriptions: dict[str, SubscriptionCutSets] = field(default_factory=dict)
    ranking: tuple[SpofRank, ...] = ()


def topological_order(graph: DependencyGraph) -> list[int]:
    """Node indices with every node after all of its dependencies (Kahn over reverse CSR)."""
    n = len(graph)
    req_ptr, grp_ptr, mem_ptr = graph.req_ptr, graph.grp_ptr, graph.mem_ptr
    pending = [0] * n
    for v in range(n):
        deps = req_ptr[v + 1] - req_ptr[v]
        for g in range(grp_ptr[v], grp_ptr[v + 1]):
            deps += mem_ptr[g + 1] - mem_ptr[g]
        pending[v] = deps
    queue = deque(v for v in range(n) if pending[v] == 0)
    order: list[int] = []
    rev_ptr, rev_node = graph.rev_ptr, graph.rev_node
    while queue:
        u = queue.popleft()
        order.append(u)
        for e in range(rev_ptr[u], rev_ptr[u + 1]):
            v = rev_node[e]
            pending[v] -= 1
            if pending[v] == 0:
                queue.append(v)
    if len(order) != n:
        raise ResilienceError("the dependency graph has a cycle; cut sets are undefined")
    return order


def candidate_mask(graph: DependencyGraph, universe: Universe) -> list[bool]:
    """Which nodes are failure units: components, or locations for site-loss analysis."""
    kind = NodeKind.COMPONENT if universe == "component" else NodeKind.LOCATION
    return [k == kind for k in graph.kinds]


def bottom_up(
    graph: DependencyGraph,
    keep: list[bool],
    compute: Callable[[int, list[_T | None]], _T],
) -> list[_T | None]:
    """Run `compute` on each node in topological order, freeing results no longer needed."""
    out: list[_T | None] = [None] * len(graph)
    remaining = [graph.rev_ptr[v + 1] - graph.rev_ptr[v] for v in range(len(graph))]
    for v in topological_order(graph):
        out[v] = compute(v, out)
        for u in graph.dependencies_of(v):
            remaining[u] -= 1
            if remaining[u] == 0 and not keep[u]:
                out[u] = None
    return out


def _single_sets(
    graph: DependencyGraph, is_candidate: list[bool], keep: list[bool]
) -> list[frozenset[int] | None]:
    """Per kept node: candidate indices whose single failure downs it."""
    req_ptr, req_idx, grp_ptr, grp_k = graph.req_ptr, graph.req_idx, graph.grp_ptr, graph.grp_k
    mem_ptr, mem_idx = graph.mem_ptr, graph.mem_idx

    def compute(v: int, done: list[frozenset[int] | None]) -> frozenset[int]:
        reqs = req_idx[req_ptr[v] : req_ptr[v + 1]]
        groups = range(grp_ptr[v], grp_ptr[v + 1])
        if not groups and not is_candidate[v]:
            if not reqs:
                return _EMPTY
            if len(reqs) == 1:
                return done[reqs[0]] or _EMPTY  # share the child's set: chains cost nothing
        acc: set[int] = set()
        for r in reqs:
            acc |= done[r] or _EMPTY
        for g in groups:
            members = mem_idx[mem_ptr[g] : mem_ptr[g + 1]]
            needed = len(members) - grp_k[g] + 1
            if needed == 1:
                for m in members:
                    acc |= done[m] or _EMPTY
                continue
            counts = Counter(x for m in members for x in done[m] or _EMPTY)
            acc.update(x for x, c in counts.items() if c >= needed)
        if is_candidate[v]:
            acc.add(v)
        return frozenset(acc)

    return bottom_up(graph, keep, compute)


def _subscription_nodes(catalog: Catalog) -> list[int]:
    index = catalog.graph.index
    return [index[s] for s in catalog.subscriptions]


def single_failure_sets(
    catalog: Catalog, universe: Universe = "component"
) -> dict[str, tuple[str, ...]]:
    """Every subscription's single points of failure (components or locations), sorted."""
    graph = catalog.graph
    keep = [False] * len(graph)
    subs = _subscription_nodes(catalog)
    for s in subs:
        keep[s] = True
    singles = _single_sets(graph, candidate_mask(graph, universe), keep)
    ids = graph.ids
    return {ids[s]: tuple(sorted(ids[x] for x in singles[s] or _EMPTY)) for s in subs}


def _minimize(sets: Iterable[frozenset[int]]) -> set[frozenset[int]]:
    """Keep only sets with no proper subset among them."""
    out: set[frozenset[int]] = set()
    singles: set[int] = set()
    sizes: set[int] = set()
    for s in sorted(set(sets), key=len):
        n = len(s)
        if n == 1:
            out.add(s)
            singles |= s
            continue
        if not singles.isdisjoint(s):
            continue  # the common case for pairs, checked in C
        if n > 2 and any(
            frozenset(sub) in out for r in range(2, n) if r in sizes for sub in combinations(s, r)
        ):
            continue
        out.add(s)
        sizes.add(n)
    return out


def _group_family(
    families: list[Family], needed: int, order: int, cap: int
) -> tuple[set[frozenset[int]], bool]:
    """Minimal sets of size <= order that down at least `needed` of the member families.

    Dynamic programme over members: `layers[j]` holds the minimal sets that down j of the
    members seen so far; a set downs a member when it contains one of the member's cut sets,
    so extending layer j-1 by each cut set of the next member gives candidates for layer j.
    """
    if needed == 1:
        acc: set[frozenset[int]] = set()
        for fam in families:
            acc |= fam
        return acc, False
    layers: list[set[frozenset[int]]] = [{_EMPTY}] + [set() for _ in range(needed)]
    truncated = False
    for fam in families:
        for j in range(needed, 0, -1):
            grown = {
                p | c
                for p in layers[j - 1]
                for c in fam
                if len(p) + len(c) <= order or (not p.isdisjoint(c) and len(p | c) <= order)
            }
            if grown:
                merged = _minimize(layers[j] | grown)
                if len(merged) > cap:
                    truncated = True
                    merged = set(sorted(merged, key=lambda x: (len(x), sorted(x)))[:cap])
                layers[j] = merged
    return layers[needed], truncated


def _families(
    graph: DependencyGraph, is_candidate: list[bool], keep: list[bool], config: CutSetConfig
) -> list[tuple[Family, bool] | None]:
    """Per kept node: (minimal cut sets up to max_order, truncated?)."""
    order, cap = config.max_order, config.max_sets_per_node
    empty: tuple[Family, bool] = (frozenset(), False)

    def compute(v: int, done: list[tuple[Family, bool] | None]) -> tuple[Family, bool]:
        reqs = graph.requires_of(v)
        groups = graph.groups_of(v)
        if not groups and not is_candidate[v] and len(reqs) <= 1:
            return (done[reqs[0]] or empty) if reqs else empty
        acc: set[frozenset[int]] = set()
        truncated = False
        for r in reqs:
            fam, t = done[r] or empty
            acc |= fam
            truncated |= t
        for g in groups:
            members = graph.members_of(g)
            fams = []
            for m in members:
                fam, t = done[m] or empty
                fams.append(fam)
                truncated |= t
            needed = len(members) - graph.grp_k[g] + 1
            sets, t = _group_family(fams, needed, order, cap)
            acc |= sets
            truncated |= t
        if is_candidate[v]:
            acc.add(frozenset((v,)))
        result = _minimize(acc)
        if len(result) > cap:
            truncated = True
            result = set(sorted(result, key=lambda s: (len(s), sorted(s)))[:cap])
        return frozenset(result), truncated

    return bottom_up(graph, keep, compute)


def spof_ranking(catalog: Catalog, singles: dict[str, tuple[str, ...]]) -> tuple[SpofRank, ...]:
    """Rank single points of failure by customers, then revenue per hour they take down."""
    subs_of: dict[str, list[str]] = {}
    for sub_id, spofs in singles.items():
        for x in spofs:
            subs_of.setdefault(x, []).append(sub_id)
    ranks = []
    for entity, subs in subs_of.items():
        refs = [catalog.subscriptions[s] for s in subs]
        currencies = {r.subscription.business.currency for r in refs}
        ranks.append(
            SpofRank(
                entity=entity,
                kind=catalog.kind_of(entity)
                if entity not in catalog.components
                else str(catalog.components[entity].kind),
                subscriptions=tuple(sorted(subs)),
                customers=tuple(sorted({r.customer.id for r in refs})),
                revenue_per_hour=sum(60 * r.subscription.business.revenue_per_minute for r in refs),
                currency="/".join(sorted(currencies)),
            )
        )
    ranks.sort(
        key=lambda r: (-len(r.customers), -r.revenue_per_hour, -len(r.subscriptions), r.entity)
    )
    return tuple(ranks)


def minimal_cut_sets(catalog: Catalog, config: CutSetConfig | None = None) -> CutSetAnalysis:
    """Minimal cut sets of every subscription up to `config.max_order`, with the SPOF ranking."""
    config = config or CutSetConfig()
    graph = catalog.graph
    subs = _subscription_nodes(catalog)
    keep = [False] * len(graph)
    for s in subs:
        keep[s] = True
    mask = candidate_mask(graph, config.universe)
    singles_idx = _single_sets(graph, mask, keep)
    fams = _families(graph, mask, keep, config) if config.max_order >= 2 else None
    ids = graph.ids
    out: dict[str, SubscriptionCutSets] = {}
    singles: dict[str, tuple[str, ...]] = {}
    for s in subs:
        sid = ids[s]
        spofs = tuple(sorted(ids[x] for x in singles_idx[s] or _EMPTY))
        singles[sid] = spofs
        fam, truncated = (fams[s] or (frozenset(), False)) if fams else (frozenset(), False)
        bigger = sorted(
            sorted(tuple(sorted(ids[x] for x in c)) for c in fam if len(c) >= 2), key=len
        )
        out[sid] = SubscriptionCutSets(
            subscription=sid,
            customer=catalog.subscriptions[sid].customer.id,
            spofs=spofs,
            cut_sets=tuple(bigger),
            complete=not truncated,
        )
    return CutSetAnalysis(
        universe=config.universe,
        max_order=config.max_order,
        subscriptions=out,
        ranking=spof_ranking(catalog, singles),
    )


def downs(catalog: Catalog, subscription: str, failed: Iterable[str]) -> bool:
    """Whether failing `failed` together takes `subscription` down (brute-force propagation)."""
    index = catalog.graph.index
    state = catalog.graph.propagate(index[f] for f in failed)
    return index[subscription] in state.down
