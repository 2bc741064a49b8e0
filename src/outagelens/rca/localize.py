"""Root-cause localization: rank candidate failures by how well they explain an incident.

Score of a candidate set H = LLR of the observations under H (`correlate.explain`: symptoms it
explains for it, healthy observations it predicts down against it) + a prior from direct
evidence on H (alarms, changes, attack traffic, hazards over its site; see `attribute.py`)
- `multi_penalty` per extra entity. Candidates: single components and locations upstream of
many symptoms; the set of alarmed components (e.g. utility feed and generator together); and
pairs of the best singles when the best single leaves much unexplained.

Ties (identical predicted observations and evidence) go to the most upstream candidate: the one
whose failure takes down the most entities in the whole catalog.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outagelens.correlate.explain import Explanation, ExplanationModel
from outagelens.correlate.grouping import SymptomGroup
from outagelens.detect.models import HealthState, SymptomSource
from outagelens.rca.attribute import SEVERITY_SHARE, Attribution, Attributor, alarm_share
from outagelens.rca.lone import lone_candidates, lone_cover_counts
from outagelens.rca.models import Evidence, Hypothesis
from outagelens.topology.construct import construct
from outagelens.topology.graph import DependencyGraph, NodeKind


@dataclass(frozen=True, slots=True)
class LocalizeConfig:
    """Settings of localization."""

    top_k: int = 5
    # An incident of one symptomatic observation lists only hypotheses at least this confident
    # (the first always): see `_hypotheses`.
    lone_min_confidence: float = 0.01
    pair_trigger: float = 0.25  # try pairs when the best single leaves this share unexplained
    pair_pool: int = 10
    pair_min_unexplained: int = 2
    pair_on_down_device: bool = True  # also when a device reporting itself down is left over
    max_set_size: int = 6  # largest set of alarmed components tried as one hypothesis
    multi_penalty: float = 2.5  # log-prior cost of each extra simultaneous fault
    max_direct_support: float = 4.0
    evidence_lead_minutes: float = 60.0  # alarmed components this long before onset form a set
    listed_observations: int = 8  # observations listed one by one in evidence
    # Singles whose score cannot come within this of the best (LLR + the largest direct
    # support) are not attributed: each would add < e^-20 to the confidence normalisation.
    prune_margin: float = 20.0


@dataclass(slots=True)
class _Scored:
    ex: Explanation
    att: Attribution
    onset: datetime
    score: float
    ids: tuple[str, ...] = field(default=())


CRITICAL_SHARE = SEVERITY_SHARE["critical"]


@dataclass(frozen=True, slots=True)
class _EvidenceNodes:
    """Graph nodes of the components with any alarm, and with any change, in the index."""

    alarmed: frozenset[int]
    changed: frozenset[int]


def _clock(t: datetime) -> str:
    """`f"{t:%H:%M}"` without strftime (a third of the time, once per hypothesis)."""
    return f"{t.hour:02d}:{t.minute:02d}"


def _onset(model: ExplanationModel, explained: frozenset[int]) -> datetime | None:
    """Earliest start of a *down* symptom it explains (a part may limp before it dies), else
    of any symptom it explains."""
    symptoms = [s for i in explained for s in model.obs[i].symptoms]
    down = [s.start for s in symptoms if s.state is HealthState.DOWN]
    return min(down or [s.start for s in symptoms], default=None)


def _end(model: ExplanationModel, explained: frozenset[int]) -> datetime | None:
    """Latest end of the symptoms it explains (None while any is open)."""
    ends = [s.end for i in explained for s in model.obs[i].symptoms]
    if not ends or any(e is None for e in ends):
        return None
    return max(e for e in ends if e is not None)


def _monitored_down(model: ExplanationModel, i: int) -> bool:
    """Whether observation `i` is a device (not a customer's service) with a critical alert."""
    o = model.obs[i]
    return o.customer is None and any(
        s.source is SymptomSource.ALERT and s.state is HealthState.DOWN for s in o.symptoms
    )


class Localizer:
    """Ranks root-cause hypotheses for one symptom group."""

    def __init__(self, attributor: Attributor, config: LocalizeConfig | None = None) -> None:
        self.attributor = attributor
        self.config = config or LocalizeConfig()
        self._alarmed_upstream: frozenset[str] | None = None  # of the group being ranked
        # Contradiction evidence depends only on the model and the candidate: under harsh
        # noise thousands of small incidents of one cluster list the same candidates.
        self._contra_cache: weakref.WeakKeyDictionary[
            ExplanationModel, dict[tuple[int, ...], tuple[Evidence, ...]]
        ] = weakref.WeakKeyDictionary()
        self._what_cache: weakref.WeakKeyDictionary[
            ExplanationModel, dict[tuple[int, ...], str]
        ] = weakref.WeakKeyDictionary()
        self._evidence_nodes_of: tuple[DependencyGraph, _EvidenceNodes] | None = None
        self._last_span: (
            tuple[
                ExplanationModel, frozenset[int], frozenset[int], tuple[datetime, datetime | None]
            ]
            | None
        ) = None

    def rank(self, group: SymptomGroup) -> list[Hypothesis]:
        """Ranked hypotheses (best first) for a symptom group."""
        model, among = group.model, group.obs_ids
        # A robust start: the first quartile of the down symptoms' starts, so false symptoms
        # earlier in a long cluster do not move it.
        down = [s.start for s in group.symptoms if s.state is HealthState.DOWN]
        starts = sorted(down or [s.start for s in group.symptoms])
        start = starts[len(starts) // 4]
        upstream = lone_cover_counts(model, among) if len(among) == 1 else None
        if upstream is None:
            upstream = model.cover_counts(among)
        # Every candidate lies upstream of some symptom, and so does all it depends on: the
        # alarmed components among `upstream` include every alarm chain a candidate can have.
        ids, evidence = model.graph.ids, self._evidence_graph_nodes(model)
        self._alarmed_upstream = frozenset(ids[n] for n in evidence.alarmed.intersection(upstream))
        try:
            return self._rank(model, among, start, upstream)
        finally:
            self._alarmed_upstream = None  # a later `_score` outside `rank` walks the catalog
            self._last_span = None  # nor keep the group's model alive

    def _evidence_graph_nodes(self, model: ExplanationModel) -> _EvidenceNodes:
        """The graph nodes of components with any alarm, or any change (kept per graph)."""
        cached = self._evidence_nodes_of
        if cached is not None and cached[0] is model.graph:
            return cached[1]
        idx, index = self.attributor.index, model.graph.index
        nodes = _EvidenceNodes(
            alarmed=frozenset(index[c] for c in idx.alarms if c in index),
            changed=frozenset(index[c] for c in idx.changes if c in index),
        )
        self._evidence_nodes_of = (model.graph, nodes)
        return nodes

    def _rank(
        self,
        model: ExplanationModel,
        among: frozenset[int],
        start: datetime,
        upstream: Mapping[int, float],
    ) -> list[Hypothesis]:
        extra = self._evidence_nodes(model, start, upstream)
        if len(among) == 1:
            (lone,) = among
            candidates = lone_candidates(model, among, extra, upstream)
            singles = model.lone_singles(lone, candidates)
        else:
            candidates = model.candidates(among, extra, counts=upstream)
            llrs = [(n, model.explained_llr((n,), among)) for n in candidates]
            singles = [(n, llr) for n, (explained, llr) in llrs if explained]
        scored, unscored = self._score_singles(model, singles, among)
        alarm_set = self._alarmed_set(model, extra, among, upstream)
        if alarm_set is not None:
            scored.append(self._score(model, alarm_set, among))
        scored.sort(key=self._order)
        if scored and self._needs_pairs(model, scored[0], among):
            pool = self._pair_pool(model, scored, unscored, among)
            scored.extend(self._pairs(model, pool, among))
            scored.sort(key=self._order)
        return self._hypotheses(model, scored, among)

    def _score_singles(
        self, model: ExplanationModel, singles: list[tuple[int, float]], among: frozenset[int]
    ) -> tuple[list[_Scored], list[Explanation]]:
        """Score singles (node, LLR) best bound first (LLR + the largest direct support);
        stop once the rest can neither enter the top k (nor the pair pool's best singles) nor
        matter to the confidences. Also returns the explanations left unscored (built only
        when pairs may be tried: under harsh noise thousands of lone symptoms each have
        dozens of candidates upstream)."""
        cfg = self.config
        # The pair pool needs its best singles only when pairs can be tried at all: never when
        # fewer symptoms than `pair_min_unexplained` exist (thousands of lone false symptoms
        # under harsh noise), so those keep only the top k scored.
        pairs_possible = len(among) >= cfg.pair_min_unexplained or (
            cfg.pair_on_down_device and len(among) >= 2  # one explained, one device left down
        )
        cap, k = cfg.max_direct_support, max(cfg.top_k, cfg.pair_pool if pairs_possible else 0)
        floor = cfg.lone_min_confidence
        if len(among) == 1 and floor > 0 and -math.log(floor) <= cfg.prune_margin:
            # A lone symptom lists only hypotheses at least `floor` confident (`_hypotheses`),
            # i.e. scoring within -ln(floor) of the best; every single that can come within
            # `prune_margin` of the best is scored whatever k is, so the best one alone
            # prunes the rest (thousands of lone false symptoms under harsh noise).
            k = 1
        order = sorted(singles, key=lambda single: -single[1])
        scored: list[_Scored] = []
        best: list[float] = []  # the k best scores so far, descending
        for i, (n, llr) in enumerate(order):
            bound = llr + cap
            if (
                len(best) >= k
                and bound < best[-1] - 1e-6
                and bound < best[0] - self.config.prune_margin
            ):
                rest = order[i:] if pairs_possible else []
                return scored, [model.explain((m,), among) for m, _ in rest]
            s = self._score(model, (n,), among)
            scored.append(s)
            best = sorted([*best, s.score], reverse=True)[:k]
        return scored, []

    @staticmethod
    def _order(s: _Scored) -> tuple[float, int, int, tuple[str, ...]]:
        return (-round(s.score, 6), len(s.ids), -s.ex.reach, s.ids)

    def _score(
        self,
        model: ExplanationModel,
        nodes: tuple[int, ...],
        among: frozenset[int],
        ex: Explanation | None = None,
    ) -> _Scored:
        ex = ex or model.explain(nodes, among)
        ids = tuple(model.graph.ids[n] for n in nodes)
        onset, end = self._span(model, ex.explained, among)
        att = self.attributor.attribute(
            ids,
            onset,
            self.config.max_direct_support,
            end,
            alarmed_upstream=self._alarmed_upstream,
        )
        score = ex.llr + att.direct_support - self.config.multi_penalty * (len(nodes) - 1)
        return _Scored(ex, att, onset, score, ids)

    def _span(
        self, model: ExplanationModel, explained: frozenset[int], among: frozenset[int]
    ) -> tuple[datetime, datetime | None]:
        """Onset and end of a candidate explaining `explained` of `among` (kept for the last
        pair asked: every single of a lone symptom explains that symptom alone)."""
        last = self._last_span
        if last is not None and last[0] is model and last[1] == explained and last[2] == among:
            return last[3]
        onset = _onset(model, explained)
        if onset is None:
            onset = min(s.start for i in among for s in model.obs[i].symptoms)
        span = (onset, _end(model, explained))
        self._last_span = (model, explained, among, span)
        return span

    def _evidence_nodes(
        self, model: ExplanationModel, start: datetime, upstream: Mapping[int, float]
    ) -> list[int]:
        """Components upstream of the symptoms with alarms or changes shortly before the
        group's first symptom (evidence elsewhere cannot explain any of them)."""
        idx = self.attributor.index
        lo, hi = (
            start - timedelta(minutes=self.config.evidence_lead_minutes),
            start + timedelta(minutes=30),
        )
        ids, evidence = model.graph.ids, self._evidence_graph_nodes(model)
        out = []
        # Only components with some alarm or change can have one in the window: under harsh
        # noise thousands of lone symptoms each have dozens of quiet components upstream.
        for n in evidence.alarmed.intersection(upstream):
            if idx.alarms_between(ids[n], lo, hi):
                out.append(n)
        for n in evidence.changed.intersection(upstream):
            if n not in out and idx.changed_between(ids[n], lo, hi):
                out.append(n)
        return sorted(out)

    def _alarmed_set(
        self,
        model: ExplanationModel,
        extra: list[int],
        among: frozenset[int],
        upstream: Mapping[int, float],
    ) -> tuple[int, ...] | None:
        """Alarmed components upstream of the symptoms, as one multi-fault candidate: reduced
        to those needed together (dropping any one explains less), kept if 2..max of them."""
        idx = self.attributor.index
        alarmed = [n for n in extra if model.graph.ids[n] in idx.alarms and n in upstream]
        if len(alarmed) < 2:
            return None  # keeping one site's members cannot make them more
        # A common-mode failure happens at one site: keep the site whose alarmed components
        # lie upstream of the most symptoms.
        site_of = {n: model.catalog.location_of(model.graph.ids[n]) for n in alarmed}
        weight: dict[str, float] = {}
        for n, locs in site_of.items():
            if locs:
                weight[locs[0]] = weight.get(locs[0], 0.0) + upstream[n]
        if not weight:
            return None
        site = max(sorted(weight), key=weight.__getitem__)
        alarmed = [n for n in alarmed if site_of[n] == [site]]
        if len(alarmed) < 2:
            return None
        full = model.explain(tuple(alarmed), among).explained
        if not full:
            return None
        # Drop first the components whose alarms say least about their own failure.
        for n in sorted(alarmed, key=lambda m: (self._alarm_share(model.graph.ids[m]), m)):
            rest = tuple(m for m in alarmed if m != n)
            # A member that explains nothing but its own symptoms is a separate fault.
            own = frozenset(model.node_obs.get(n, ()))
            explained = model.explain(rest, among).explained if rest else frozenset()
            if rest and explained >= full - own:
                # What the rest explains is the yardstick from now on: a dropped member's own
                # symptoms are not required of the next candidate for dropping.
                alarmed, full = list(rest), explained
        if len(alarmed) > self.config.max_set_size:
            # Too many to be one fault: keep the units that report their own failure critically.
            critical = [
                n for n in alarmed if self._alarm_share(model.graph.ids[n]) >= CRITICAL_SHARE
            ]
            alarmed = critical if 2 <= len(critical) <= self.config.max_set_size else alarmed
        if not 2 <= len(alarmed) <= self.config.max_set_size:
            return None
        return tuple(sorted(alarmed))

    def _alarm_share(self, component: str) -> float:
        alarms = self.attributor.index.alarms.get(component, [])
        return max((alarm_share(a.alarm, a.severity) for a in alarms), default=0.0)

    def _needs_pairs(self, model: ExplanationModel, best: _Scored, among: frozenset[int]) -> bool:
        """Pairs are worth trying when the best single leaves much unexplained, leaves
        unexplained alerts on things upstream of it (an effect never precedes its cause), or
        leaves a device that reports itself down (a second failed device, e.g. the utility
        feed whose loss the generator hid, behind the cooling that did not restart)."""
        total = sum(model.weight(i) for i in among)
        left = sum(model.weight(i) for i in best.ex.unexplained)
        if total <= 0:
            return False
        if self.config.pair_on_down_device and any(
            _monitored_down(model, i) for i in best.ex.unexplained
        ):
            return True
        if len(best.ex.unexplained) < self.config.pair_min_unexplained:
            return False
        if left / total > self.config.pair_trigger:
            return True
        upstream = set(model.graph.reachable(best.ex.nodes, reverse=False))
        return any(n in upstream for i in best.ex.unexplained for n in model.obs[i].nodes)

    def _pair_pool(
        self,
        model: ExplanationModel,
        scored: list[_Scored],
        unscored: list[Explanation],
        among: frozenset[int],
    ) -> list[_Scored]:
        """The best singles, plus the singles explaining most of what the best leaves out."""
        singles = [s for s in scored if len(s.ex.nodes) == 1]
        if not singles:
            return []
        left = singles[0].ex.unexplained
        n = self.config.pair_pool
        if unscored:
            # Unscored singles may be helpers: score those that reach the helpers' overlap.
            overlaps = sorted((len(s.ex.explained & left) for s in singles), reverse=True)
            floor = overlaps[n // 2 - 1] if len(overlaps) >= n // 2 > 0 else 0
            singles += [
                self._score(model, ex.nodes, among, ex)
                for ex in unscored
                if len(ex.explained & left) >= floor
            ]
        helpers = sorted(singles, key=lambda s: (-len(s.ex.explained & left), -s.score))
        return list({id(s): s for s in [*singles[:n], *helpers[: n // 2]]}.values())

    def _pairs(
        self, model: ExplanationModel, pool: list[_Scored], among: frozenset[int]
    ) -> list[_Scored]:
        singles = [s for s in pool if len(s.ex.nodes) == 1]
        out = []
        for i, a in enumerate(singles):
            for b in singles[i + 1 :]:
                if a.ex.explained >= b.ex.explained or b.ex.explained >= a.ex.explained:
                    continue
                out.append(self._score(model, tuple(sorted(a.ex.nodes + b.ex.nodes)), among))
        return out

    def _hypotheses(
        self, model: ExplanationModel, scored: list[_Scored], among: frozenset[int]
    ) -> list[Hypothesis]:
        if not scored:
            return []
        top = scored[0].score
        z = sum(math.exp(s.score - top) for s in scored)
        # One symptom is explained alike by everything upstream of it; the alternatives differ
        # only in the healthy observations they would also take down. Where several symptoms
        # are explained, listing them shows what was ruled out; for a lone symptom (thousands a
        # day of false alerts under harsh noise) the unlikely ones only repeat "its neighbours
        # look healthy", and were most of the output and a tenth of the time.
        floor = self.config.lone_min_confidence if len(among) == 1 else 0.0
        out = []
        for rank, s in enumerate(scored[: self.config.top_k], start=1):
            conf = math.exp(s.score - top) / z
            if rank > 1 and conf < floor:
                break
            out.append(self._hypothesis(model, s, rank, conf, among))
        return out

    @staticmethod
    def _keys(model: ExplanationModel, ids: frozenset[int]) -> tuple[str, ...]:
        return model.keys(ids)

    def _hypothesis(
        self, model: ExplanationModel, s: _Scored, rank: int, conf: float, among: frozenset[int]
    ) -> Hypothesis:
        ev_for = [self._explains(model, s, among), *s.att.evidence_for]
        ev_against = [*self._contradictions(model, s), *s.att.evidence_against]
        if s.ex.unexplained:
            ev_against.append(self._unexplained(model, s))
        if s.att.first_evidence is not None and s.att.first_evidence <= s.onset:
            lead = (s.onset - s.att.first_evidence).total_seconds() / 60
            ev_for.append(
                Evidence(
                    kind="temporal_order",
                    supports=True,
                    time=s.att.first_evidence,
                    sentence=f"Evidence on {', '.join(s.ids)} precedes the first "
                    f"symptom by {lead:.0f} min",
                    data={"lead_minutes": lead},
                )
            )
        pct = round(100 * s.att.probabilities[s.att.category])
        what = self._what(model, s)
        # Every value below is already of its field's type (tuples of our own Evidence, a
        # float confidence in [0, 1]): thousands of hypotheses of lone symptoms under harsh
        # noise skip pydantic's validation (about 3 us each with pydantic 2.x on Python 3.11,
        # against 2 us for `construct`; flat Evidence validates faster than it constructs).
        return construct(
            Hypothesis,
            rank=rank,
            entities=s.ids,
            confidence=round(conf, 4),
            log_likelihood=round(s.score, 4),
            category=s.att.category,
            category_probabilities=dict(s.att.probabilities),  # its own, as validation gave
            onset=s.onset,
            explained=self._keys(model, s.ex.explained),
            unexplained=self._keys(model, s.ex.unexplained),
            contradicted=self._keys(model, s.ex.contradicted),
            contradicted_count=len(s.ex.contradicted),
            evidence_for=tuple(ev_for),
            evidence_against=tuple(ev_against),
            summary=(
                f"{what} failed at {_clock(s.onset)} UTC, most likely {s.att.category.value} "
                f"({pct}%): it explains {len(s.ex.explained)} of {len(among)} symptomatic "
                f"observations, with {len(s.ex.contradicted)} healthy observation(s) against it"
                + (f"; {s.att.evidence_for[0].sentence}" if s.att.evidence_for else "")
            ),
        )

    def _what(self, model: ExplanationModel, s: _Scored) -> str:
        """'id (kind), ...' of a candidate (cached per model and candidate, as contradictions
        are: thousands of lone symptoms list the same few components upstream)."""
        per_model = self._what_cache.setdefault(model, {})
        cached = per_model.get(s.ex.nodes)
        if cached is None:
            graph = model.graph
            kinds = [
                str(graph.kinds[n])
                if graph.kinds[n] is NodeKind.LOCATION
                else str(model.catalog.components[graph.ids[n]].kind)
                for n in s.ex.nodes
            ]
            cached = ", ".join(f"{i} ({k})" for i, k in zip(s.ids, kinds, strict=True))
            per_model[s.ex.nodes] = cached
        return cached

    def _explains(self, model: ExplanationModel, s: _Scored, among: frozenset[int]) -> Evidence:
        listed = list(model.keys(s.ex.explained))
        n = self.config.listed_observations
        more = "" if len(listed) <= n else f" and {len(listed) - n} more"
        # Validated, not `construct`ed: pydantic's validator builds a flat model like this one
        # in about 1.4 us, `construct` in about 2.4 (measured on Python 3.11, pydantic 2).
        return Evidence(
            kind="explains_symptoms",
            supports=True,
            entity=",".join(s.ids),
            time=s.onset,
            weight=round(s.ex.llr + len(s.ex.contradicted) * -model.miss_llr, 3),
            sentence=f"Failure of {', '.join(s.ids)} explains {len(listed)} of {len(among)} "
            f"symptomatic observations: {', '.join(listed[:n])}{more}",
            data={"explained": listed},
        )

    def _contradictions(self, model: ExplanationModel, s: _Scored) -> tuple[Evidence, ...]:
        per_model = self._contra_cache.setdefault(model, {})
        cached = per_model.get(s.ex.nodes)
        if cached is None:
            cached = per_model[s.ex.nodes] = tuple(self._build_contradictions(model, s))
        return cached

    def _build_contradictions(self, model: ExplanationModel, s: _Scored) -> list[Evidence]:
        out = []
        for key in model.keys(s.ex.contradicted)[: self.config.listed_observations]:
            # Up to 8 per hypothesis on thousands of small incidents under harsh noise: plain
            # validation is the fastest way to build these flat models (see `_explains`).
            out.append(
                Evidence(
                    kind="healthy_dependent",
                    supports=False,
                    entity=key,
                    weight=round(model.miss_llr, 3),
                    sentence=f"{key} looks healthy although a failure of "
                    f"{', '.join(s.ids)} would take it down",
                    data={"observation": key},
                )
            )
        if len(s.ex.contradicted) > self.config.listed_observations:
            extra = len(s.ex.contradicted) - self.config.listed_observations
            out.append(
                Evidence(
                    kind="healthy_dependent",
                    supports=False,
                    weight=round(model.miss_llr * extra, 3),
                    sentence=f"{extra} more healthy observations it would take down",
                    data={"count": extra},
                )
            )
        return out

    def _unexplained(self, model: ExplanationModel, s: _Scored) -> Evidence:
        listed = list(model.keys(s.ex.unexplained))
        n = self.config.listed_observations
        return Evidence(
            kind="unexplained_symptoms",
            supports=False,
            entity=",".join(s.ids),
            sentence=f"It does not explain {len(listed)} symptomatic observation(s): "
            f"{', '.join(listed[:n])}" + ("" if len(listed) <= n else " ..."),
            data={"unexplained": listed},
        )
