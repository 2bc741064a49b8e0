"""Grouping symptoms into incidents: first by time, then by shared failed infrastructure.

Symptoms whose active intervals overlap (within `gap_minutes`) form a time cluster. Within a
cluster, a greedy shared-risk cover (in the spirit of SCORE) picks the candidate whose failure
best explains the remaining symptoms without contradicting healthy observations; the symptoms
it explains become one incident, even when their start times differ by minutes. What is left
is covered again, so an unrelated small fault in the same window becomes its own incident.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain

import numpy as np
import numpy.typing as npt

from outagelens.correlate.explain import ExplainConfig, ExplanationModel
from outagelens.correlate.observations import ObservationIndex, build_observations
from outagelens.detect.models import Symptom
from outagelens.signals.frames import SeriesSet
from outagelens.topology.cascade import IntArray, edge_offsets


@dataclass(frozen=True, slots=True)
class CorrelateConfig:
    """Settings of incident grouping."""

    gap_minutes: float = 30.0  # symptoms further apart than this never share an incident
    explain: ExplainConfig = field(default_factory=ExplainConfig)
    # Candidate pools tried in all: when no candidate of a pool explains the rest better than
    # noise, the next pool comes from further down the cover counts (see `_cover`).
    max_pools: int = 8
    # Log-prior cost of one more simultaneous fault: two groups become one incident when one
    # cause explains their symptoms together no worse than their own covers minus this.
    merge_penalty: float = 2.5
    merge_targets: int = 3  # largest groups of a cluster that others may join


@dataclass(slots=True)
class SymptomGroup:
    """Symptoms that belong together, with the model of their time cluster."""

    symptoms: list[Symptom]
    obs_ids: frozenset[int]
    model: ExplanationModel
    cover: int | None  # graph node of the candidate that grouped them, None for leftovers


def time_clusters(
    symptoms: Sequence[Symptom], window_end: datetime, gap_minutes: float
) -> list[list[Symptom]]:
    """Symptoms split where no active interval comes within `gap_minutes` of the next start."""
    gap = timedelta(minutes=gap_minutes)
    clusters: list[list[Symptom]] = []
    reach: datetime | None = None
    for s in sorted(symptoms, key=lambda x: (x.start, x.entity)):
        if reach is None or s.start > reach:
            clusters.append([])
            reach = s.start
        clusters[-1].append(s)
        reach = max(reach, (s.end or window_end) + gap)
    return clusters


def healthy_keys(
    series: SeriesSet | None, start: datetime, end: datetime, symptomatic: set[tuple[str, ...]]
) -> list[tuple[str, str, str]]:
    """Series keys with samples in [start, end) and no symptom in the cluster."""
    if series is None or len(series.keys) == 0:
        return []
    a = max(0, series.minute_index(start))
    b = min(series.n_minutes, max(a + 1, series.minute_index(end)))
    seen = _any_finite(series.values["availability"][:, a:b])
    # Most rows have an availability sample: only the others need their request rates read.
    _or_rest(seen, series.values["request_rate"][:, a:b], _any_finite)
    keys = series.keys
    return [
        (k[0], k[1], k[2])
        for r in np.flatnonzero(seen).tolist()
        if (k := keys[r]) not in symptomatic
    ]


def _any_finite(x: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    """Per row, whether any value is finite. A few columns spread over the window answer for
    most rows (series with samples have them nearly every minute); the rest are read whole."""
    if x.shape[1] == 0:
        return np.zeros(x.shape[0], dtype=np.bool_)
    cols = np.unique(np.linspace(0, x.shape[1] - 1, _SAMPLED_COLUMNS).astype(np.int64))
    out: npt.NDArray[np.bool_] = np.logical_or.reduce(np.isfinite(x[:, cols]), axis=1)
    return _or_rest(out, x, _any_finite_whole)


_SAMPLED_COLUMNS = 4


def _or_rest(
    found: npt.NDArray[np.bool_],
    x: npt.NDArray[np.float32],
    test: Callable[[npt.NDArray[np.float32]], npt.NDArray[np.bool_]],
) -> npt.NDArray[np.bool_]:
    """`found |= test(x)` per row, in place: when few rows are not found yet, only those are
    copied out and tested (a copy of a few rows costs less than a pass over all)."""
    rest = np.flatnonzero(~found)
    if 4 * len(rest) < len(found):
        found[rest] = test(x[rest])
    else:
        found |= test(x)
    return found


def _any_finite_whole(x: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    """Per row, whether any value is finite: by the row's NaN-ignoring max (no temporary of
    the whole window); rows whose max is infinite are checked value by value."""
    top = np.fmax.reduce(x, axis=1) if x.shape[1] else np.full(x.shape[0], np.nan)
    out: npt.NDArray[np.bool_] = np.isfinite(top)
    for r in np.flatnonzero(np.isinf(top)).tolist():
        out[r] = bool(np.isfinite(x[r]).any())
    return out


def group_symptoms(
    index: ObservationIndex,
    symptoms: Sequence[Symptom],
    series: SeriesSet | None,
    window_end: datetime,
    config: CorrelateConfig | None = None,
    extra_candidates: Sequence[int] = (),
) -> list[SymptomGroup]:
    """Incidents' symptom groups, primary first (see `impact_order`)."""
    cfg = config or CorrelateConfig()
    groups: list[SymptomGroup] = []
    for cluster in time_clusters(symptoms, window_end, cfg.gap_minutes):
        start = min(s.start for s in cluster)
        end = max((s.end or window_end) for s in cluster)
        keyed = {(s.customer, s.service, s.location) for s in cluster if s.customer and s.service}
        symptomatic: set[tuple[str, ...]] = {k for k in keyed if None not in k}  # type: ignore[misc]
        obs = build_observations(index, cluster, healthy_keys(series, start, end, symptomatic))
        model = ExplanationModel(index.catalog, obs, cfg.explain)
        covered = _merge_upstream(_cover(model, extra_candidates, cfg.max_pools), cfg.gap_minutes)
        groups.extend(_merge_explained(model, covered, cfg))
    groups.sort(key=impact_order)
    return groups


def impact_order(g: SymptomGroup) -> tuple[float, float, datetime]:
    """Sort key, primary first: the most evidence of customers affected, then the most
    evidence overall, then the earliest. A device's alarms and alerts say why, not whom an
    outage hits: a small degraded fault with a loud alarm must not outrank a customer's
    service that is down."""
    facing = sum(g.model.weight(i) for i in g.obs_ids if g.model.obs[i].customer is not None)
    return (-facing, -sum(model_w(g)), g.symptoms[0].start)


def model_w(g: SymptomGroup) -> list[float]:
    """Weights of a group's symptomatic observations."""
    return [g.model.weight(i) for i in g.obs_ids]


def _cover(model: ExplanationModel, extra: Sequence[int], max_pools: int) -> list[SymptomGroup]:
    """Greedy shared-risk cover. The first pool holds the candidates covering most symptoms;
    on a large catalog under noise those are catalog-wide nodes (global DNS, whole sites)
    that cover many false symptoms and contradict far more healthy observations. When no
    candidate of a pool explains the rest better than noise, none will later (the rest only
    shrinks), so the next pool skips them and reaches the smaller shared causes below; from
    the second pool on, a cover must explain at least two observations (one is no grouping)."""
    remaining = set(model.symptomatic)
    out: list[SymptomGroup] = []
    cands = model.candidates(remaining, extra)
    tried = np.zeros(len(model.graph), dtype=np.bool_)
    pools = 1
    up: _Upstream | None = None
    counted: _Counted | None = None
    while remaining and cands:
        least = 1 if pools == 1 else 2
        for explained, c in _pool_covers(model, cands, remaining, least):
            out.append(_group(model, explained, c))
        if not remaining or pools >= max_pools:
            break
        tried[cands] = True
        pools += 1
        if counted is None or counted.size != len(remaining):  # it only shrinks
            up = up or _Upstream.of(model)
            counted = _Counted.of(model, up, remaining)
        cands = _next_pool(model, counted, tried)
    for i in sorted(remaining):
        out.append(_group(model, frozenset({i}), None))
    return out


def _pool_covers(
    model: ExplanationModel, cands: list[int], remaining: set[int], least: int
) -> list[tuple[frozenset[int], int]]:
    """The covers one pool gives, in order: each time the candidate with the highest
    (LLR, reach) against the symptoms still `remaining` (the first in `cands` on a tie),
    while that LLR is positive and it explains at least `least` of them. Each cover's
    symptoms leave `remaining` (which this updates).

    Lazy greedy (as CELF): a candidate's LLR against `remaining` only falls as `remaining`
    shrinks (it explains a subset; its contradictions stay), so a value computed earlier is
    an upper bound. Candidates wait in a heap by their last value; the top one is
    re-evaluated, and taken when its fresh value still tops the heap (stale values within
    rounding of it evaluated afresh first). The covers are those of re-evaluating every
    candidate each round, at a fraction of the cost on a large cluster."""
    heap: list[tuple[float, int, int, int]] = []  # (-llr, -reach, position, round evaluated)
    for pos, c in enumerate(cands):
        explained, llr = model.explained_llr((c,), remaining)
        if len(explained) >= least:
            heap.append((-llr, -model.predicted((c,))[1], pos, 0))
    heapq.heapify(heap)
    # A bound is upper only up to rounding: the hits are summed in the order of whichever set
    # is smaller, so the same symptoms can sum an ulp higher later. Stale values this close
    # to the top are evaluated afresh before it is taken (1e-9 of the largest sum of hits:
    # far above any rounding of it).
    slack = 1e-9 * (1.0 + model.hit_llr * sum(map(model.weight, remaining)))
    covers: list[tuple[frozenset[int], int]] = []
    while heap and remaining:
        neg_llr, neg_reach, pos, at = heap[0]
        if at != len(covers):
            explained, llr = model.explained_llr((cands[pos],), remaining)
            if len(explained) >= least:
                heapq.heapreplace(heap, (-llr, neg_reach, pos, len(covers)))
            else:
                heapq.heappop(heap)  # it only explains less from now on
            continue
        top = heapq.heappop(heap)
        near: list[tuple[float, int, int, int]] = []
        while heap and heap[0][0] <= neg_llr + slack:
            near.append(heapq.heappop(heap))
        for entry in near:
            if entry[3] != len(covers):
                explained, llr = model.explained_llr((cands[entry[2]],), remaining)
                if len(explained) < least:
                    continue
                entry = (-llr, entry[1], entry[2], len(covers))
            heapq.heappush(heap, entry)
        if heap and heap[0] < top:
            heapq.heappush(heap, top)  # a value an ulp low hid a better candidate
            continue
        if -neg_llr <= 0:
            break  # the best left explains nothing better than noise
        explained, _ = model.explained_llr((cands[pos],), remaining)
        covers.append((explained, cands[pos]))
        remaining -= explained
    return covers


@dataclass(frozen=True, slots=True)
class _Upstream:
    """The candidates upstream of each symptomatic observation, as CSR arrays by observation
    index: `upstream_candidates` in order (a repeat counts twice, as in `cover_counts`), and
    each one once (as in `upstream_set`)."""

    ptr: IntArray
    nodes: IntArray
    once_ptr: IntArray
    once: IntArray

    @classmethod
    def of(cls, model: ExplanationModel) -> _Upstream:
        which = sorted(model.symptomatic)
        lists = [model.upstream_candidates(i) for i in which]
        ptr, nodes = _csr(len(model.obs), which, lists)
        if all(len(set(c)) == len(c) for c in lists):
            return cls(ptr, nodes, ptr, nodes)
        return cls(ptr, nodes, *_csr(len(model.obs), which, [(*dict.fromkeys(c),) for c in lists]))


def _csr(rows: int, which: list[int], lists: list[tuple[int, ...]]) -> tuple[IntArray, IntArray]:
    """CSR arrays of `rows` rows: `lists` on the rows `which` (ascending), the others empty."""
    sizes = np.zeros(rows, dtype=np.int64)
    sizes[which] = [len(c) for c in lists]
    ptr = np.concatenate([np.zeros(1, np.int64), np.cumsum(sizes)])
    return ptr, np.fromiter(chain.from_iterable(lists), np.int64, int(ptr[-1]))


@dataclass(frozen=True, slots=True)
class _Counted:
    """Cover counts of the symptoms left, and how many of them each node is upstream of, per
    graph node: kept while no cover takes any (later pools under noise mostly find none)."""

    size: int
    counts: npt.NDArray[np.float64]  # `cover_counts(remaining)`, 0 where it lists no node
    listed: npt.NDArray[np.bool_]  # the nodes `cover_counts(remaining)` lists
    seen: IntArray

    @classmethod
    def of(cls, model: ExplanationModel, up: _Upstream, remaining: set[int]) -> _Counted:
        n = len(model.graph)
        left = np.fromiter(remaining, np.int64, len(remaining))
        at, _ = edge_offsets(up.ptr, left)
        nodes = up.nodes[at]
        weight = np.fromiter(map(model.weight, remaining), np.float64, len(remaining))
        # One symptom after the other in `remaining`'s order, as `cover_counts` adds them:
        # bincount adds its weights in order, so each count is the same float.
        weights = np.repeat(weight, up.ptr[left + 1] - up.ptr[left])
        counts = np.bincount(nodes, weights=weights, minlength=n).astype(np.float64, copy=False)
        listed = np.bincount(nodes, minlength=n)
        if up.once is not up.nodes:
            listed = np.bincount(up.once[edge_offsets(up.once_ptr, left)[0]], minlength=n)
        return cls(len(remaining), counts, listed > 0, listed)


def _next_pool(
    model: ExplanationModel, counted: _Counted, tried: npt.NDArray[np.bool_]
) -> list[int]:
    """Untried candidates upstream of at least two of the symptoms left, best covered first."""
    pool = np.flatnonzero(counted.listed & ~tried & (counted.seen >= 2))
    if not len(pool):
        return []
    cfg = model.config
    size = cfg.max_candidates
    counts = counted.counts[pool]
    pool = pool[counts >= cfg.min_cover_fraction * counts.max()]
    if len(pool) > size:
        # Only nodes with at least the size-th largest count can be among the first `size`.
        counts = counted.counts[pool]
        pool = pool[counts >= np.partition(counts, len(pool) - size)[len(pool) - size]]
    keep: list[int] = pool.tolist()
    value = dict(zip(keep, counted.counts[pool].tolist(), strict=True))
    ids = model.graph.ids
    keep.sort(key=lambda n: (-value[n], ids[n]))
    return keep[:size]


def _merge_upstream(groups: list[SymptomGroup], gap_minutes: float) -> list[SymptomGroup]:
    """Fold a group into a larger one when its covering candidate is upstream of the larger
    group's (part of the same failed infrastructure) and it starts within `gap_minutes`."""
    gap = timedelta(minutes=gap_minutes)
    order = sorted(groups, key=lambda g: -len(g.obs_ids))
    kept: list[SymptomGroup] = []
    for g in order:
        home = None
        for k in kept if g.cover is not None else ():  # a leftover has no cover to compare
            if k.cover is None:
                continue
            upstream = set(k.model.graph.reachable([k.cover], reverse=False))
            if g.cover in upstream and _within(g, k, gap):
                home = k
                break
        if home is None:
            kept.append(g)
            continue
        merged = _group(home.model, home.obs_ids | g.obs_ids, home.cover)
        kept[kept.index(home)] = merged
    return kept


def _merge_explained(
    model: ExplanationModel, groups: list[SymptomGroup], cfg: CorrelateConfig
) -> list[SymptomGroup]:
    """Fold groups into one of the cluster's largest when a single shared cause explains
    their symptoms together at least as well as separate faults do (each extra fault costs
    `merge_penalty`): a partial cover (a load balancer for a power failure) otherwise splits
    one outage into two incidents. A cause common to an unrelated fault takes down far more
    than was seen, so that fault stays its own incident."""
    gap = timedelta(minutes=cfg.gap_minutes)
    kept = sorted(groups, key=lambda g: -sum(model_w(g)))
    for t in range(min(cfg.merge_targets, len(kept))):
        if t >= len(kept) or kept[t].cover is None:
            continue
        target = kept[t]
        nodes: tuple[int, ...] = (target.cover,)  # type: ignore[assignment]
        llr = model.explained_llr(nodes, target.obs_ids)[1]
        while True:
            best = _best_join(model, kept, target, llr, gap, cfg.merge_penalty)
            if best is None:
                break
            joined, nodes, llr = best
            ids = target.obs_ids.union(*(kept[j].obs_ids for j in joined))
            kept = [target if g is kept[t] else g for j, g in enumerate(kept) if j not in joined]
            t = next(j for j, g in enumerate(kept) if g is target)
            target = kept[t] = _group(model, ids, nodes[0])
    return kept


def _best_join(
    model: ExplanationModel,
    kept: list[SymptomGroup],
    target: SymptomGroup,
    llr: float,
    gap: timedelta,
    penalty: float,
) -> tuple[set[int], tuple[int, ...], float] | None:
    """The cause, and the groups it joins to `target`, that gains most over separate faults:
    every group whose symptoms it explains joins (each saves one fault's cost)."""
    t = next(j for j, g in enumerate(kept) if g is target)
    mine = _ups(model, target.obs_ids)
    joins: dict[tuple[int, ...], set[int]] = {}
    own: dict[int, float] = {}
    active = _active(target)  # once: a target's symptoms are many, the others' mostly one
    for j, g in enumerate(kept):
        if j == t or not (_starts_while(g, active, gap) or _within(target, g, gap)):
            continue
        common = mine & _ups(model, g.obs_ids)
        if not common:
            continue
        own[j] = model.explained_llr((g.cover,), g.obs_ids)[1] if g.cover is not None else 0.0
        for n in common:
            joins.setdefault((n,), set()).add(j)
        alerted = tuple(sorted(n for n in common if n in model.alerted))
        if len(alerted) > 1:
            joins.setdefault(alerted, set()).add(j)
    best: tuple[float, set[int], tuple[int, ...], float] | None = None
    for cand, js in joins.items():
        pred = model.predicted(cand)[0]
        if not target.obs_ids <= pred:
            continue
        js = {j for j in js if kept[j].obs_ids <= pred}
        if not js:
            continue
        union = target.obs_ids.union(*(kept[j].obs_ids for j in js))
        joint = model.explained_llr(cand, union)[1]
        gain = joint - (llr + sum(own[j] for j in js) - penalty * len(js))
        if gain >= 0 and (best is None or gain > best[0]):
            best = (gain, js, cand, joint)
    return None if best is None else best[1:]


def _ups(model: ExplanationModel, ids: frozenset[int]) -> set[int]:
    """Candidate nodes upstream of any of the observations `ids`."""
    out: set[int] = set()
    for i in ids:
        out.update(model.upstream_candidates(i))
    return out


def _within(g: SymptomGroup, k: SymptomGroup, gap: timedelta) -> bool:
    """Whether g starts while k is active (from gap before k's start to its last end)."""
    return _starts_while(g, _active(k), gap)


def _active(k: SymptomGroup) -> tuple[datetime, datetime | None]:
    """When a group is active: its first start and its last end (None: still active)."""
    last = None
    for s in k.symptoms:
        if s.end is None:
            return k.symptoms[0].start, None
        if last is None or s.end > last:
            last = s.end
    return k.symptoms[0].start, last


def _starts_while(
    g: SymptomGroup, active: tuple[datetime, datetime | None], gap: timedelta
) -> bool:
    """Whether g starts from `gap` before the `active` span's start to its end."""
    start, (first, last) = g.symptoms[0].start, active
    return first - gap <= start and (last is None or start <= last)


def _group(model: ExplanationModel, ids: frozenset[int], cover: int | None) -> SymptomGroup:
    symptoms = sorted(
        (s for i in ids for s in model.obs[i].symptoms), key=lambda s: (s.start, s.entity)
    )
    return SymptomGroup(symptoms, ids, model, cover)
