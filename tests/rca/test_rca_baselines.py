"""Baselines: most-alerted, SCORE and Sherlock/Ferret on hand-built failures."""

from __future__ import annotations

import pytest
from tests.rca.engine_builders import Injection, build_signals, small_catalog

from outagelens.investigate import InvestigateConfig, detect
from outagelens.rca.baselines import (
    BaselineRCA,
    MostAlerted,
    RcaProblem,
    Score,
    ScoreConfig,
    Sherlock,
    SherlockConfig,
)
from outagelens.rca.models import CauseCategory


def _problem(inj: Injection) -> RcaProblem:
    cat = small_catalog()
    signals = build_signals(cat, inj)
    symptoms, _ = detect(cat, signals, InvestigateConfig())
    return RcaProblem(cat, signals, tuple(symptoms))


CASES = [
    ("score-san", Score(), Injection(["san"]), ("san",)),
    ("score-fabric", Score(), Injection(["fabric"]), ("fabric",)),
    ("sherlock-san", Sherlock(), Injection(["san"]), ("san",)),
    ("sherlock-lb-b", Sherlock(), Injection(["lb-b"]), ("lb-b",)),
    (
        "sherlock-pair",
        Sherlock(SherlockConfig(max_faults=2)),
        Injection(["colo-net", "lb-b"]),
        ("colo-net", "lb-b"),
    ),
]


@pytest.mark.parametrize(
    ("method", "inj", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_baseline_ranks_truth_among_its_best(
    method: BaselineRCA, inj: Injection, want: tuple[str, ...]
) -> None:
    # These baselines cannot tell apart candidates with identical predictions (no evidence
    # on components, no silent-component reasoning): the truth must be among the tied best.
    result = method.rank(_problem(inj))
    best = result.ranking[0].score
    tied = {tuple(sorted(c.entities)) for c in result.ranking if c.score == best}
    assert want in tied
    assert all(c.score <= best for c in result.ranking)


def test_most_alerted_counts_component_alerts() -> None:
    # Every component the SAN takes down alerts once: ties go to the earliest, then by id.
    result = MostAlerted().rank(_problem(Injection(["san"])))
    counts = {c.entities[0]: c.score for c in result.ranking}
    assert set(counts) == {"san", "hv", "db", "lb"}
    assert all(v == 1.0 for v in counts.values())


def test_score_hit_threshold_excludes_groups_with_many_healthy_members() -> None:
    # The fabric also covers the healthy tenant: with a strict hit ratio it is never picked.
    strict = Score(ScoreConfig(hit_threshold=1.0, max_groups=1))
    result = strict.rank(_problem(Injection(["san"], component_alerts=False)))
    assert result.ranking[0].entities != ("fabric",)


def test_naive_category_from_alarm_hint() -> None:
    inj = Injection(["san"], alarms=[("san", "controller_failure", 60)], component_alerts=False)
    assert Score().rank(_problem(inj)).category is CauseCategory.HARDWARE


def test_no_symptoms_empty_ranking() -> None:
    for method in (MostAlerted(), Score(), Sherlock()):
        assert method.rank(_problem(Injection([]))).ranking == ()
