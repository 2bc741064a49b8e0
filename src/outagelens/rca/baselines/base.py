"""Common shape of the baseline localizers: a problem in, a ranked list of candidates out.

Every baseline sees exactly what the engine sees: the catalog, the signals and the symptoms of
the same detect stage (so detection quality is shared and only localization is compared).
None of the papers attributes a cause category; for the category column of the benchmark each
baseline uses the same naive rule (`naive_category`): the category hint of alarms on its top
candidate, else software if that candidate changed in the two hours before onset, else unknown.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta

from outagelens.correlate.explain import ExplainConfig, ExplanationModel
from outagelens.correlate.grouping import healthy_keys
from outagelens.correlate.observations import ObservationIndex, build_observations
from outagelens.detect.models import Symptom
from outagelens.rca.models import CauseCategory
from outagelens.signals.types import SignalSet
from outagelens.topology.catalog import Catalog


@dataclass(frozen=True)
class RcaProblem:
    """What every localizer gets: catalog, signals and detected symptoms."""

    catalog: Catalog
    signals: SignalSet
    symptoms: tuple[Symptom, ...]

    def onset(self) -> datetime:
        """Earliest symptom start (window start when there is none)."""
        return min((s.start for s in self.symptoms), default=self.signals.window_start)

    def model(self, config: ExplainConfig | None = None) -> ExplanationModel:
        """Observations over the whole window: symptomatic ones and healthy series keys."""
        index = ObservationIndex(self.catalog)
        keyed = {
            (s.customer, s.service, s.location)
            for s in self.symptoms
            if s.customer and s.service and s.location
        }
        healthy = healthy_keys(
            self.signals.series,
            self.signals.window_start,
            self.signals.window_end,
            set(keyed),
        )
        obs = build_observations(index, self.symptoms, healthy)
        return ExplanationModel(self.catalog, obs, config or ExplainConfig())


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate root cause (one entity or a set) with the baseline's score."""

    entities: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class BaselineResult:
    """A baseline's ranking, best first, and its naive category for the top candidate."""

    method: str
    ranking: tuple[RankedCandidate, ...]
    category: CauseCategory

    def top(self, k: int) -> list[tuple[str, ...]]:
        """Entity sets of the first k candidates."""
        return [c.entities for c in self.ranking[:k]]


class BaselineRCA(ABC):
    """A baseline localizer."""

    name: str = "baseline"

    @abstractmethod
    def rank(self, problem: RcaProblem) -> BaselineResult:
        """Rank candidate root causes for the problem."""

    def result(self, problem: RcaProblem, ranking: list[RankedCandidate]) -> BaselineResult:
        """Wrap a ranking with the naive category of its top candidate."""
        top = ranking[0].entities if ranking else ()
        return BaselineResult(self.name, tuple(ranking), naive_category(problem, top))


def naive_category(problem: RcaProblem, entities: tuple[str, ...]) -> CauseCategory:
    """Alarm hint on the candidate, else software after a recent change, else unknown."""
    onset = problem.onset()
    lo, hi = onset - timedelta(hours=2), onset + timedelta(minutes=10)
    hints = [
        a.category_hint
        for a in problem.signals.hardware
        if a.component in entities and lo <= a.time <= hi and a.category_hint
    ]
    if hints:
        return CauseCategory(max(set(hints), key=hints.count))
    if any(c.component in entities and lo <= c.time <= hi for c in problem.signals.changes):
        return CauseCategory.SOFTWARE
    return CauseCategory.UNKNOWN
