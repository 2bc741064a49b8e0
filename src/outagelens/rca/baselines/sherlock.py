"""Baseline: Sherlock with Ferret search (Bahl, Chandra, Greenberg, Kandula, Maltz, Zhang,
"Towards Highly Reliable Enterprise Network Services Via Inference of Multi-level
Dependencies", SIGCOMM 2007).

The Inference Graph is the catalog's dependency graph: root-cause nodes (components, sites),
meta-nodes for requires (noisy-max: the child fails when any parent fails) and for k-of-n groups
(failover: it fails when fewer than k members are up), and observation nodes (subscriptions per
location, alerted entities). Each observation is up, troubled (degraded) or down. Ferret
enumerates every hypothesis of at most `max_faults` simultaneously failed root causes (among
nodes that can reach an observed failure), propagates it, and scores it by the likelihood of
all observations under a noisy observation model; hypotheses are ranked by that score.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from outagelens.correlate.explain import ExplainConfig
from outagelens.detect.models import HealthState
from outagelens.rca.baselines.base import BaselineRCA, BaselineResult, RankedCandidate, RcaProblem


@dataclass(frozen=True, slots=True)
class SherlockConfig:
    """Observation model and search size of Sherlock/Ferret."""

    p_down_given_down: float = 0.85  # observed down when the hypothesis predicts down
    p_troubled_given_down: float = 0.10
    p_down_given_up: float = 0.01  # false alarms
    p_troubled_given_up: float = 0.04
    max_faults: int = 2
    pair_pool: int = 20  # Ferret's candidate pool for multi-fault hypotheses


class Sherlock(BaselineRCA):
    """Sherlock's Inference Graph scored by Ferret over hypotheses of up to `max_faults`."""

    name = "sherlock"

    def __init__(self, config: SherlockConfig | None = None) -> None:
        self.config = config or SherlockConfig()

    def _loglik(self, observed: HealthState | None, predicted_down: bool) -> float:
        cfg = self.config
        if predicted_down:
            p = {
                HealthState.DOWN: cfg.p_down_given_down,
                HealthState.DEGRADED: cfg.p_troubled_given_down,
            }.get(
                observed,  # type: ignore[arg-type]
                1 - cfg.p_down_given_down - cfg.p_troubled_given_down,
            )
        else:
            p = {
                HealthState.DOWN: cfg.p_down_given_up,
                HealthState.DEGRADED: cfg.p_troubled_given_up,
            }.get(
                observed,  # type: ignore[arg-type]
                1 - cfg.p_down_given_up - cfg.p_troubled_given_up,
            )
        return math.log(p)

    def rank(self, problem: RcaProblem) -> BaselineResult:
        """Hypotheses of up to `max_faults` root causes by observation likelihood."""
        model = problem.model(ExplainConfig(p_silent_component=0.0))
        if not model.symptomatic:
            return self.result(problem, [])
        states = [o.state for o in model.obs]
        # Relative to "no fault": only observations a hypothesis predicts down change the score.
        gain = [self._loglik(s, True) - self._loglik(s, False) for s in states]
        singles = model.candidates(model.symptomatic)
        scored: list[tuple[float, tuple[int, ...]]] = []
        for c in singles:
            pred = model.predicted((c,))[0]
            scored.append((sum(gain[i] for i in pred), (c,)))
        scored.sort(key=lambda x: -x[0])
        if self.config.max_faults >= 2:
            pool = [h[0] for _, h in scored[: self.config.pair_pool]]
            for a, b in itertools.combinations(pool, 2):
                pred = model.predicted(tuple(sorted((a, b))))[0]
                scored.append((sum(gain[i] for i in pred), tuple(sorted((a, b)))))
        scored.sort(key=lambda x: (-x[0], len(x[1])))
        ids = model.graph.ids
        ranking = [RankedCandidate(tuple(ids[n] for n in h), s) for s, h in scored]
        return self.result(problem, ranking)
