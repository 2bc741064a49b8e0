"""Baseline: SCORE (Kompella, Yates, Greenberg, Snoeren, "IP Fault Localization Via Risk
Modeling", NSDI 2005): greedy set cover over shared-risk groups.

Each candidate component (or site) is a shared-risk group: the set of observed entities whose
failure it would cause (from the catalog's propagation). Given the failure signature F (the
symptomatic observations), SCORE repeatedly picks the group with the highest *coverage ratio*
|G ∩ F| / |F| among groups whose *hit ratio* |G ∩ F| / |G| reaches the error threshold, removes
the observations it explains, and stops when F is empty or no group qualifies. The hypothesis is
the picked groups in order; the remaining groups follow by coverage, then hit ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

from outagelens.rca.baselines.base import BaselineRCA, BaselineResult, RankedCandidate, RcaProblem


@dataclass(frozen=True, slots=True)
class ScoreConfig:
    """Settings of SCORE."""

    hit_threshold: float = 0.6  # minimum hit ratio |G ∩ F| / |G| of a group to be picked
    max_groups: int = 5  # at most this many groups in the greedy cover


class Score(BaselineRCA):
    """SCORE greedy set cover over shared-risk groups."""

    name = "score"

    def __init__(self, config: ScoreConfig | None = None) -> None:
        self.config = config or ScoreConfig()

    def rank(self, problem: RcaProblem) -> BaselineResult:
        """Greedy cover order, then the other groups."""
        model = problem.model()
        failed = set(model.symptomatic)
        if not failed:
            return self.result(problem, [])
        groups: dict[int, frozenset[int]] = {}
        for c in model.candidates(failed):
            pred = model.predicted((c,))[0]
            if pred & failed:
                groups[c] = pred
        ids = model.graph.ids
        picked: list[RankedCandidate] = []
        remaining = set(failed)
        while remaining and len(picked) < self.config.max_groups:
            best, best_key = None, (0.0, 0.0)
            for c, g in groups.items():
                hit = len(g & failed) / len(g)
                cover = len(g & remaining) / len(failed)
                if hit >= self.config.hit_threshold and cover > 0 and (cover, hit) > best_key:
                    best, best_key = c, (cover, hit)
            if best is None:
                break
            picked.append(RankedCandidate((ids[best],), best_key[0]))
            remaining -= groups.pop(best)
        rest = sorted(
            groups,
            key=lambda c: (-len(groups[c] & failed), -len(groups[c] & failed) / len(groups[c])),
        )
        picked += [RankedCandidate((ids[c],), len(groups[c] & failed) / len(failed)) for c in rest]
        return self.result(problem, picked)
