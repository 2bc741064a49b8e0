"""Baselines for honest comparison: most alerted component, SCORE, Sherlock/Ferret."""

from outagelens.rca.baselines.base import BaselineRCA, BaselineResult, RankedCandidate, RcaProblem
from outagelens.rca.baselines.most_alerted import MostAlerted, MostAlertedConfig
from outagelens.rca.baselines.score import Score, ScoreConfig
from outagelens.rca.baselines.sherlock import Sherlock, SherlockConfig

__all__ = [
    "BaselineRCA",
    "BaselineResult",
    "MostAlerted",
    "MostAlertedConfig",
    "RankedCandidate",
    "RcaProblem",
    "Score",
    "ScoreConfig",
    "Sherlock",
    "SherlockConfig",
]
