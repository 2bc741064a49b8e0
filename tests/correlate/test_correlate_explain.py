"""The shared-risk explanation model: cached upstream sets and the cover's lighter score."""

from __future__ import annotations

from tests.rca.engine_builders import Injection, build_signals, small_catalog

from outagelens.correlate.explain import CANDIDATE_KINDS, ExplainConfig, ExplanationModel
from outagelens.correlate.grouping import healthy_keys
from outagelens.correlate.observations import ObservationIndex, build_observations
from outagelens.investigate import InvestigateConfig, detect


def _model() -> ExplanationModel:
    cat = small_catalog()
    signals = build_signals(cat, Injection(["san"]))
    symptoms, _ = detect(cat, signals, InvestigateConfig())
    start = min(s.start for s in symptoms)
    keyed = {(s.customer, s.service, s.location) for s in symptoms}
    healthy = healthy_keys(signals.series, start, signals.window_end, keyed)  # type: ignore[arg-type]
    obs = build_observations(ObservationIndex(cat), symptoms, healthy)
    return ExplanationModel(cat, obs, ExplainConfig())


def test_upstream_is_the_observation_and_everything_it_depends_on() -> None:
    model = _model()
    graph = model.graph
    for i, o in enumerate(model.obs):
        want = [*o.nodes, *graph.reachable(o.nodes, reverse=False)]
        assert list(model.upstream(i)) == want
        assert model.upstream(i) is model.upstream(i)  # computed once per model
        assert list(model.upstream_candidates(i)) == [
            n for n in want if graph.kinds[n] in CANDIDATE_KINDS
        ]


def test_cover_score_matches_the_full_explanation() -> None:
    model = _model()
    among = set(model.symptomatic)
    assert among, "a failed SAN must give symptoms"
    for c in model.candidates(among):
        full = model.explain((c,), among)
        explained, llr = model.explained_llr((c,), among)
        assert (explained, llr) == (full.explained, full.llr)
        assert full.unexplained == frozenset(among) - explained
