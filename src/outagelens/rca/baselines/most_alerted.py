"""Baseline: blame the component that raised the most alerts (what a pager queue suggests)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from outagelens.detect.alerts import dedupe_alerts
from outagelens.rca.baselines.base import BaselineRCA, BaselineResult, RankedCandidate, RcaProblem


@dataclass(frozen=True, slots=True)
class MostAlertedConfig:
    """Settings of the most-alerted baseline."""

    severities: tuple[str, ...] = ("critical", "error", "warning")
    include_locations: bool = True  # site alerts name a location, not a component


class MostAlerted(BaselineRCA):
    """Rank components (and sites) by the number of alerts naming them; earliest first on ties."""

    name = "most-alerted"

    def __init__(self, config: MostAlertedConfig | None = None) -> None:
        self.config = config or MostAlertedConfig()

    def rank(self, problem: RcaProblem) -> BaselineResult:
        """Components by alert count."""
        counts: Counter[str] = Counter()
        first: dict[str, float] = {}
        for a in dedupe_alerts(problem.signals.alerts):
            if a.severity not in self.config.severities:
                continue
            entity = a.component
            if entity is None and self.config.include_locations and not a.customer:
                entity = a.location if not a.service else None
            if entity is None or not problem.catalog.has(entity):
                continue
            counts[entity] += 1
            first[entity] = min(first.get(entity, a.starts_at.timestamp()), a.starts_at.timestamp())
        order = sorted(counts, key=lambda e: (-counts[e], first[e], e))
        ranking = [RankedCandidate((e,), float(counts[e])) for e in order]
        return self.result(problem, ranking)
