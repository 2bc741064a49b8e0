"""Single points of failure, what-if simulation, DR drills and recommendations."""

from outagelens.resilience.cutsets import (
    CutSetAnalysis,
    CutSetConfig,
    ResilienceError,
    SpofRank,
    SubscriptionCutSets,
    minimal_cut_sets,
    single_failure_sets,
)
from outagelens.resilience.diversity import DiversityFinding, geographic_diversity
from outagelens.resilience.drill import DrillCheck, DrillScenario, dr_drill
from outagelens.resilience.recommend import Recommendation, RecommendConfig, recommend
from outagelens.resilience.report import (
    ResilienceConfig,
    ResilienceReport,
    analyze,
    report_to_json,
    whatif_to_json,
)
from outagelens.resilience.whatif import WhatIfResult, whatif

__all__ = [
    "CutSetAnalysis",
    "CutSetConfig",
    "DiversityFinding",
    "DrillCheck",
    "DrillScenario",
    "RecommendConfig",
    "Recommendation",
    "ResilienceConfig",
    "ResilienceError",
    "ResilienceReport",
    "SpofRank",
    "SubscriptionCutSets",
    "WhatIfResult",
    "analyze",
    "dr_drill",
    "geographic_diversity",
    "minimal_cut_sets",
    "recommend",
    "report_to_json",
    "single_failure_sets",
    "whatif",
    "whatif_to_json",
]
