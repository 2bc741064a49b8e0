"""How well the failure of a candidate set explains observations: the shared-risk model.

A candidate (one component or location, or a small set) is failed in the catalog graph; the
observations whose nodes go down are its prediction. Scoring is a log-likelihood ratio against
"nothing failed" under a noisy observation model (Sherlock/SCORE style): a symptom on a
predicted-down observation is likely (p_detect) rather than a false alarm (p_false); a healthy
observation the candidate predicts down is a missed symptom (p_miss), strong evidence against.
A component or site it takes down that raised no alert of its own counts against it too
(p_silent_component), unless the candidate reports itself only degraded (see `limping`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from outagelens.correlate.observations import Observation
from outagelens.detect.models import HealthState, SymptomSource
from outagelens.errors import ConfigError
from outagelens.topology.cascade import IntArray
from outagelens.topology.catalog import Catalog
from outagelens.topology.down_order import down_order
from outagelens.topology.graph import KIND_CODES, NodeKind

CANDIDATE_KINDS = frozenset({NodeKind.COMPONENT, NodeKind.LOCATION})
# The same, to test a kind by identity (an enum member's hash is a Python call).
_CANDIDATE_KINDS = tuple(CANDIDATE_KINDS)
_EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class ExplainConfig:
    """Noise model and candidate pruning of the shared-risk model."""

    p_detect: float = 0.9  # a predicted-down observation shows a symptom
    p_false: float = 0.02  # an unaffected observation shows a (false) symptom
    p_miss: float = 0.12  # a predicted-down observation shows no symptom
    degraded_weight: float = 0.6  # a degraded symptom counts this much of a down one
    p_silent_component: float = 0.35  # a down component/site raises no alert (0: not monitored)
    # A component whose own monitoring alerts say degraded (at least this alert score, i.e.
    # error severity rather than a noisy warning) and never down fails partially: what
    # runs on it keeps running with errors, so their silence is no evidence against it.
    limping_min_score: float = 0.5
    # A failure that would explain at least `partial_min_symptoms` symptoms, every one of them
    # degraded (none down), is taken for a partial one (a bad upgrade of a hypervisor whose own
    # alert was lost): what runs on it keeps running with errors, so a component below it
    # stays silent with this higher probability. The candidate's own silence counts in full.
    partial_min_symptoms: int = 2  # 0: never inferred
    p_silent_partial: float = 0.8
    min_cover_fraction: float = 0.2  # keep candidates covering this share of the best cover
    max_candidates: int = 300

    def __post_init__(self) -> None:
        for name in ("p_detect", "p_false", "p_miss", "p_silent_partial"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ConfigError(f"ExplainConfig.{name} must be in (0, 1), got {value}")
        if not 0 <= self.p_silent_component < 1:
            raise ConfigError(
                f"ExplainConfig.p_silent_component must be in [0, 1), got {self.p_silent_component}"
            )
        if self.p_detect <= self.p_false:
            # A symptom must be likelier on a failed observation than a false one: otherwise
            # every explanation counts against its cause (and the cover's bounds run backwards).
            raise ConfigError(
                f"ExplainConfig.p_detect ({self.p_detect}) must exceed p_false ({self.p_false})"
            )
        for name in ("degraded_weight", "min_cover_fraction"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ConfigError(f"ExplainConfig.{name} must be in (0, 1], got {value}")
        if self.partial_min_symptoms < 0 or self.max_candidates < 1:
            raise ConfigError(
                "ExplainConfig.partial_min_symptoms must be >= 0 and max_candidates >= 1, got "
                f"{self.partial_min_symptoms} and {self.max_candidates}"
            )


@dataclass(frozen=True, slots=True)
class Explanation:
    """What failing `nodes` predicts about the observations, and its log-likelihood ratio."""

    nodes: tuple[int, ...]
    explained: frozenset[int]
    unexplained: frozenset[int]
    contradicted: frozenset[int]
    silent: int  # components and sites it takes down that raised no alert
    llr: float
    reach: int  # entities its failure takes down in the whole catalog (upstream-ness)


class ExplanationModel:
    """Observations of one time span, with cached per-candidate predictions."""

    def __init__(
        self, catalog: Catalog, observations: Sequence[Observation], config: ExplainConfig
    ) -> None:
        self.catalog = catalog
        self.graph = catalog.graph
        self.obs = list(observations)
        self.config = config
        self.node_obs: dict[int, list[int]] = {}
        for i, o in enumerate(self.obs):
            for n in o.nodes:
                self.node_obs.setdefault(n, []).append(i)
        self.symptomatic = frozenset(i for i, o in enumerate(self.obs) if o.symptomatic)
        # Symptomatic observations that are not only degraded (see `_partial`).
        self._hard_symptomatic = frozenset(
            i for i in self.symptomatic if self.obs[i].state is not HealthState.DEGRADED
        )
        self._pred: dict[tuple[int, ...], tuple[frozenset[int], int, int]] = {}
        self._contra: dict[tuple[int, ...], frozenset[int]] = {}
        self._weights: dict[int, float] = {}
        self._keys: dict[frozenset[int], tuple[str, ...]] = {}
        self._upstream: dict[int, tuple[int, ...]] = {}
        self._upstream_cands: dict[int, tuple[int, ...]] = {}
        self._upstream_sets: dict[int, frozenset[int]] = {}
        # The parts of a candidate's LLR that do not depend on the symptoms it is scored
        # against (healthy observations it contradicts, silent components), per candidate.
        self._fixed_llr: dict[tuple[int, ...], tuple[float, float]] = {}
        # Silent components below a candidate inferred to fail partially (see `predicted`).
        self._quiet: dict[tuple[int, ...], int] = {}
        self._rows: tuple[IntArray, IntArray, IntArray] | None = None  # `_node_obs_rows`
        self._silent_mask: npt.NDArray[np.bool_] | None = None  # see `_silent_kind`
        self._single_pred: dict[int, frozenset[int]] = {}  # node -> `predicted((node,))[0]`
        kinds = self.graph.kinds
        self._alerted = frozenset(
            n for i in self.symptomatic for n in self.obs[i].nodes if kinds[n] in CANDIDATE_KINDS
        )
        self._limping = self._find_limping()
        self.hit_llr = math.log(config.p_detect / config.p_false)
        self.miss_llr = math.log(config.p_miss / (1.0 - config.p_false))
        # Silence of a component only means something where components are monitored, i.e.
        # where some component or site alert was seen at all.
        self.silent_llr = (
            math.log(config.p_silent_component / (1.0 - config.p_false))
            if config.p_silent_component > 0 and self._alerted
            else 0.0
        )
        self.quiet_llr = (
            math.log(config.p_silent_partial / (1.0 - config.p_false)) if self.silent_llr else 0.0
        )

    @property
    def alerted(self) -> frozenset[int]:
        """Components and sites with a symptom of their own."""
        return self._alerted

    @property
    def limping(self) -> frozenset[int]:
        """Components and sites whose own alerts report them degraded, never down."""
        return self._limping

    def _find_limping(self) -> frozenset[int]:
        kinds, floor = self.graph.kinds, self.config.limping_min_score
        out: set[int] = set()
        for i in self.symptomatic:
            o = self.obs[i]
            if o.customer is not None:
                continue  # a customer's service (its nodes include the site): not the device
            alerts = [s for s in o.symptoms if s.source is SymptomSource.ALERT]
            if not any(s.state is HealthState.DEGRADED and s.score >= floor for s in alerts):
                continue
            if any(s.state is HealthState.DOWN for s in alerts):
                continue
            out.update(n for n in o.nodes if kinds[n] in CANDIDATE_KINDS)
        return frozenset(out)

    def predicted(self, nodes: tuple[int, ...]) -> tuple[frozenset[int], int, int]:
        """Observations predicted down when `nodes` fail, the catalog-wide down count, and
        how many components/sites among the down raised no alert (those below a limping
        member excepted: they are expected to keep running, with errors)."""
        cached = self._pred.get(nodes)
        if cached is None:
            hard = tuple(n for n in nodes if n not in self._limping)
            if len(hard) < len(nodes):
                hit, size, silent = self._limping_hits(nodes, hard)
            else:
                order = down_order(self.graph, nodes)
                hit, silent = self._down_hits(order)
                size = len(order)
            cached = (frozenset(hit), size, silent)
            self._pred[nodes] = cached
            if silent and self._partial(hit):
                alerted, kinds = self._alerted, self.graph.kinds
                own = sum(1 for n in nodes if n not in alerted and kinds[n] in CANDIDATE_KINDS)
                if silent > own:
                    self._quiet[nodes] = silent - own
        return cached

    def _limping_hits(
        self, nodes: tuple[int, ...], hard: tuple[int, ...]
    ) -> tuple[set[int], int, int]:
        """`predicted` of a candidate with limping members: what runs below only those keeps
        running, so its silence counts only where the `hard` members take it down too."""
        down = self.graph.propagate(nodes).down
        node_obs, kinds, alerted = self.node_obs, self.graph.kinds, self._alerted
        expect: Container[int] = self.graph.propagate(hard).down if hard else ()
        hit: set[int] = set()
        silent = 0
        for n in down:
            o = node_obs.get(n)
            if o is not None:
                hit.update(o)
            if kinds[n] in CANDIDATE_KINDS and n not in alerted and n in expect:
                silent += 1
        return hit, len(down), silent

    def _down_hits(self, down: list[int] | IntArray) -> tuple[set[int], int]:
        """The observations on the `down` nodes, as the set filled node by node in their
        order would hold them (the same layout, so sums over it come out the same), and how
        many of the nodes are components or sites without an alert of their own: a short
        list node by node, an array (a large cascade) by its rows at once."""
        if isinstance(down, list):
            hit: set[int] = set()
            silent = 0
            node_obs, kinds, alerted = self.node_obs, self.graph.kinds, self._alerted
            for n in down:
                o = node_obs.get(n)
                if o is not None:
                    hit.update(o)
                if kinds[n] in _CANDIDATE_KINDS and n not in alerted:
                    silent += 1
            return hit, silent
        starts, lens, ids = self._node_obs_rows()
        first, size = starts[down], lens[down]
        ends = np.cumsum(size)
        at = np.repeat(first - ends + size, size) + np.arange(int(ends[-1]) if len(ends) else 0)
        # Duplicates leave a set as it was: one set from the concatenated lists is the set
        # their updates, one by one, fill.
        return set(ids[at].tolist()), int(np.count_nonzero(self._silent_kind()[down]))

    def _node_obs_rows(self) -> tuple[IntArray, IntArray, IntArray]:
        """`node_obs` as arrays: per graph node where its list starts in the concatenated
        lists and how long it is (0: none), and the concatenated lists (built on first use)."""
        if self._rows is None:
            lists = self.node_obs
            nodes = np.fromiter(lists, np.int64, len(lists))
            sizes = np.fromiter(map(len, lists.values()), np.int64, len(lists))
            starts = np.zeros(len(self.graph), dtype=np.int64)
            lens = np.zeros(len(self.graph), dtype=np.int64)
            starts[nodes], lens[nodes] = np.cumsum(sizes) - sizes, sizes
            ids = np.fromiter(chain.from_iterable(lists.values()), np.int64, int(sizes.sum()))
            self._rows = (starts, lens, ids)
        return self._rows

    def _silent_kind(self) -> npt.NDArray[np.bool_]:
        """Per graph node: a component or location without an alert of its own."""
        if self._silent_mask is None:
            codes = self.graph.kind_codes
            mask = np.isin(codes, [KIND_CODES[k] for k in CANDIDATE_KINDS])
            mask[list(self._alerted)] = False
            self._silent_mask = mask
        return self._silent_mask

    def quiet(self, nodes: tuple[int, ...]) -> int:
        """How many of the silent components below `nodes` are excused as running on, with
        errors, below a partial failure (`ExplainConfig.partial_min_symptoms`)."""
        self.predicted(nodes)
        return self._quiet.get(nodes, 0)

    def _partial(self, hit: set[int]) -> bool:
        """Whether the symptomatic observations among `hit` are enough, and all degraded."""
        least = self.config.partial_min_symptoms
        if least <= 0:
            return False
        # A hard (down) symptom among them, found at the first: most large candidates under
        # noise; only then are the symptomatic ones counted.
        if not hit.isdisjoint(self._hard_symptomatic):
            return False
        return len(hit & self.symptomatic) >= least

    def contradicted(self, nodes: tuple[int, ...]) -> frozenset[int]:
        """Healthy observations predicted down when `nodes` fail (cached per candidate)."""
        cached = self._contra.get(nodes)
        if cached is None:
            cached = self._contra[nodes] = self.predicted(nodes)[0] - self.symptomatic
        return cached

    def keys(self, ids: frozenset[int]) -> tuple[str, ...]:
        """Sorted keys of observations (cached: the same large sets recur across incidents)."""
        cached = self._keys.get(ids)
        if cached is None:
            cached = self._keys[ids] = tuple(sorted(self.obs[i].key for i in ids))
        return cached

    def weight(self, i: int) -> float:
        """Evidence weight of a symptomatic observation."""
        w = self._weights.get(i)
        if w is None:
            o = self.obs[i]
            degraded = o.state is HealthState.DEGRADED
            w = o.confidence * (self.config.degraded_weight if degraded else 1.0)
            self._weights[i] = w
        return w

    def explain(self, nodes: tuple[int, ...], among: Collection[int]) -> Explanation:
        """Score a candidate against the symptomatic observations `among` (others: neutral)."""
        among_set = among if isinstance(among, (set, frozenset)) else frozenset(among)
        explained, llr = self.explained_llr(nodes, among_set)
        pred, reach, silent = self.predicted(nodes)
        unexplained = frozenset(among_set - pred)
        return Explanation(
            nodes, explained, unexplained, self.contradicted(nodes), silent, llr, reach
        )

    def explained_llr(
        self, nodes: tuple[int, ...], among: set[int] | frozenset[int]
    ) -> tuple[frozenset[int], float]:
        """What `explain` finds explained, and its LLR, without the unexplained rest (the
        cover asks this of hundreds of candidates against thousands of symptoms)."""
        pred = self.predicted(nodes)[0]
        fixed = self._fixed_llr.get(nodes) or self._fixed(nodes)
        if len(among) == 1 and isinstance(among, frozenset):
            # One symptom (thousands of lone incidents, dozens of candidates each): the same
            # sum without building a set; sum([w]) is w and sum([]) is 0, bit for bit.
            (i,) = among
            if i in pred:
                return among, self.hit_llr * self.weight(i) + fixed[0] + fixed[1]
            return _EMPTY, self.hit_llr * 0 + fixed[0] + fixed[1]
        explained = frozenset(pred & among)
        weight = self.weight
        # Summed in this order (hits, misses, silence) so the value never depends on caching.
        return explained, self.hit_llr * sum([weight(i) for i in explained]) + fixed[0] + fixed[1]

    def _fixed(self, nodes: tuple[int, ...]) -> tuple[float, float]:
        """The parts of a candidate's LLR that do not depend on the symptoms it is scored
        against: the healthy observations it contradicts, and silence (cached)."""
        _, _, silent = self.predicted(nodes)
        quiet = self._quiet.get(nodes, 0)
        silence = (
            self.silent_llr * (silent - quiet) + self.quiet_llr * quiet
            if quiet
            else self.silent_llr * silent
        )
        fixed = self._fixed_llr[nodes] = (self.miss_llr * len(self.contradicted(nodes)), silence)
        return fixed

    def lone_singles(self, i: int, candidates: Iterable[int]) -> list[tuple[int, float]]:
        """(node, LLR) of the candidates whose failure alone explains symptomatic observation
        `i`, in order: `explained_llr((n,), frozenset({i}))` of each that explains it, bit for
        bit, without a call per candidate (thousands of lone incidents, dozens each)."""
        hit = self.hit_llr * self.weight(i)
        pred_of, fixed_of = self._single_pred.get, self._fixed_llr.get
        out = []
        for n in candidates:
            pred = pred_of(n)
            if pred is None:
                pred = self._single_pred[n] = self.predicted((n,))[0]
            if i in pred:
                nodes = (n,)
                fixed = fixed_of(nodes) or self._fixed(nodes)
                out.append((n, hit + fixed[0] + fixed[1]))
        return out

    def upstream(self, i: int) -> tuple[int, ...]:
        """An observation's nodes and every node they depend on (cached: under harsh noise
        thousands of incidents and every cover pool of one cluster ask for the same ones)."""
        cached = self._upstream.get(i)
        if cached is None:
            nodes = self.obs[i].nodes
            cached = (*nodes, *self.graph.reachable(nodes, reverse=False))
            self._upstream[i] = cached
        return cached

    def upstream_set(self, i: int) -> frozenset[int]:
        """`upstream(i)` as a set (cached: every candidate pool of a cluster counts them)."""
        cached = self._upstream_sets.get(i)
        if cached is None:
            cached = self._upstream_sets[i] = frozenset(self.upstream(i))
        return cached

    def upstream_candidates(self, i: int) -> tuple[int, ...]:
        """The candidate-kind nodes (components, locations) of `upstream(i)`."""
        cached = self._upstream_cands.get(i)
        if cached is None:
            kinds = self.graph.kinds
            cached = tuple(n for n in self.upstream(i) if kinds[n] in CANDIDATE_KINDS)
            self._upstream_cands[i] = cached
        return cached

    def cover_counts(self, among: Iterable[int]) -> dict[int, float]:
        """Weighted number of observations in `among` each candidate node is upstream of."""
        counts: dict[int, float] = {}
        for i in among:
            w = self.weight(i)
            for n in self.upstream_candidates(i):
                counts[n] = counts.get(n, 0.0) + w
        return counts

    def candidates(
        self,
        among: Iterable[int],
        extra: Iterable[int] = (),
        counts: Mapping[int, float] | None = None,
    ) -> list[int]:
        """Candidate nodes upstream of many of `among`, best covered first, plus `extra`;
        `counts` is `cover_counts(among)` when the caller has it."""
        counts = self.cover_counts(among) if counts is None else counts
        if not counts:
            return list(dict.fromkeys(extra))
        best = max(counts.values())
        keep = [n for n, c in counts.items() if c >= self.config.min_cover_fraction * best]
        keep.sort(key=lambda n: (-counts[n], self.graph.ids[n]))
        return list(dict.fromkeys([*keep[: self.config.max_candidates], *extra]))
