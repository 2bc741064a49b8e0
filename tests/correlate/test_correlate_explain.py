"""The shared-risk explanation model: cached upstream sets, the cover's lighter score, silent
components below a limping one, and predictions without the propagation's causes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.rca.engine_builders import Injection, at, build_signals, small_catalog

from outagelens.correlate.explain import CANDIDATE_KINDS, ExplainConfig, ExplanationModel
from outagelens.correlate.grouping import CorrelateConfig, group_symptoms, healthy_keys
from outagelens.correlate.observations import ObservationIndex, build_observations
from outagelens.detect.models import HealthState, Symptom, SymptomSource
from outagelens.errors import ConfigError
from outagelens.investigate import InvestigateConfig, detect
from outagelens.signals import load_signals_dir
from outagelens.sim.suite import CATALOG_FILE, write_suite
from outagelens.topology import load_catalog


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


def _on(entity: str, source: SymptomSource, state: HealthState, score: float) -> Symptom:
    comp = entity if "/" not in entity else None
    cust, svc = entity.split("/") if comp is None else (None, None)
    return Symptom(
        entity=entity,
        source=source,
        state=state,
        start=at(60),
        end=at(100),
        component=comp,
        customer=cust,
        service=svc,
        location=None if comp else "a",
        score=score,
    )


ALERT, ALARM = SymptomSource.ALERT, SymptomSource.ALARM
DOWN, DEGRADED = HealthState.DOWN, HealthState.DEGRADED


@pytest.mark.parametrize(
    ("san_symptoms", "limping"),
    [
        ([(ALERT, DEGRADED, 0.6)], True),
        ([(ALERT, DEGRADED, 0.6), (ALARM, DOWN, 0.7)], True),
        ([(ALERT, DEGRADED, 0.35)], False),
        ([(ALERT, DEGRADED, 0.6), (ALERT, DOWN, 0.9)], False),
        ([(ALARM, DOWN, 0.7)], False),
    ],
    ids=["error-alert", "error-alert-and-alarm", "warning-only", "also-down", "alarm-only"],
)
def test_silence_below_a_limping_component_is_no_evidence(
    san_symptoms: list[tuple[SymptomSource, HealthState, float]], limping: bool
) -> None:
    # The SAN reports itself degraded: the hypervisor, database and load balancer on it keep
    # running with errors and raise no alert of their own; only a hard-down SAN makes their
    # silence count against it.
    cat = small_catalog()
    symptoms = [_on("san", *x) for x in san_symptoms]
    symptoms += [_on(f"bank/{svc}", ALERT, DEGRADED, 0.6) for svc in ("sql", "web")]
    obs = build_observations(ObservationIndex(cat), symptoms, [])
    model = ExplanationModel(cat, obs, ExplainConfig())
    san, colo = cat.graph.index["san"], cat.graph.index["colo-net"]
    among = model.symptomatic
    assert (san in model.limping) is limping
    assert model.explain((san,), among).silent == (0 if limping else 3)  # hv, db, lb
    # A set with a silent (hard-down) member still answers for the silence at and below it.
    assert model.explain((san, colo), among).silent == (1 if limping else 4)


def test_a_customers_degraded_service_does_not_make_its_site_limp() -> None:
    # SQL has no deployment at site b: the observation of the bank's SQL there hangs on the
    # site node itself. Its error alert says the customer's service limps, not the site.
    cat = small_catalog()
    symptom = _on("bank/sql", ALERT, DEGRADED, 0.6).model_copy(update={"location": "b"})
    obs = build_observations(ObservationIndex(cat), [symptom], [])
    model = ExplanationModel(cat, obs, ExplainConfig())
    site = cat.graph.index["b"]
    assert any(site in o.nodes for o in model.obs)
    assert site not in model.limping


def test_one_symptom_llr_equals_the_general_sum_bit_for_bit() -> None:
    # The one-symptom shortcut (lone incidents) against the set-building path, for every
    # candidate node and every symptomatic observation, hit or not.
    model = _model()
    nodes = [n for n in range(len(model.graph)) if model.graph.kinds[n] in CANDIDATE_KINDS]
    hits = misses = 0
    for i in model.symptomatic:
        for n in nodes:
            fast = model.explained_llr((n,), frozenset({i}))
            general = model.explained_llr((n,), {i})  # a set takes the general path
            assert fast == general
            hits, misses = hits + bool(fast[0]), misses + (not fast[0])
    assert hits and misses


@pytest.mark.parametrize(
    ("states", "least", "quiet", "groups"),
    [
        ((DEGRADED, DEGRADED), 2, 2, [("hv", 2), ("colo-net", 1)]),
        ((DEGRADED, DOWN), 2, 0, [("fabric", 3)]),
        ((DEGRADED, DEGRADED), 0, 0, [("fabric", 3)]),
    ],
    ids=["all-degraded", "one-down", "inference-off"],
)
def test_a_silent_component_below_only_degraded_symptoms_failed_partially(
    states: tuple[HealthState, HealthState],
    least: int,
    quiet: int,
    groups: list[tuple[str, int]],
) -> None:
    # A bad upgrade of the hypervisor, its own alert lost: the bank's SQL and the shop's web
    # on it degrade, while an unrelated network fails hard. Read as a partial failure, the
    # hypervisor's silence counts in full but the database and load balancer running on, with
    # errors, count only as quiet: the two degraded customers make one incident of the
    # hypervisor, the network another. A down symptom below it (or no inference) keeps
    # the old reading, where the fabric above all three explains them as one.
    cat = small_catalog()
    symptoms = [
        _on("bank/sql", ALERT, states[0], 0.6),
        _on("shop/web", ALERT, states[1], 0.6),
        _on("colo-net", ALERT, DOWN, 0.9),
    ]
    config = CorrelateConfig(explain=ExplainConfig(partial_min_symptoms=least))
    found = group_symptoms(ObservationIndex(cat), symptoms, None, at(200), config)
    model = found[0].model
    hv = cat.graph.index["hv"]
    assert model.quiet((hv,)) == quiet
    got = [(None if g.cover is None else cat.graph.ids[g.cover], len(g.obs_ids)) for g in found]
    assert got == groups
    if quiet:
        plain = ExplanationModel(cat, model.obs, ExplainConfig(partial_min_symptoms=0))
        among = model.symptomatic
        gain = model.explained_llr((hv,), among)[1] - plain.explained_llr((hv,), among)[1]
        assert gain == pytest.approx(quiet * (model.quiet_llr - model.silent_llr))
        assert model.explain((hv,), among).silent == plain.explain((hv,), among).silent == 3


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("p_detect", 1.0, "p_detect"),
        ("p_false", 0.0, "p_false"),
        ("p_miss", -0.1, "p_miss"),
        ("p_silent_partial", 1.5, "p_silent_partial"),
        ("p_silent_component", 1.0, "p_silent_component"),
        ("p_detect", 0.01, "must exceed p_false"),
        ("degraded_weight", 0.0, "degraded_weight"),
        ("min_cover_fraction", 1.2, "min_cover_fraction"),
        ("partial_min_symptoms", -1, "partial_min_symptoms"),
        ("max_candidates", 0, "max_candidates"),
    ],
)
def test_explain_config_names_a_bad_setting(field: str, value: float, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        ExplainConfig(**{field: value})  # type: ignore[arg-type]
    ExplainConfig(p_silent_component=0.0)  # 0: components not monitored, allowed


def test_lone_singles_are_the_explaining_candidates_llrs_bit_for_bit() -> None:
    model = _model()
    nodes = [n for n in range(len(model.graph)) if model.graph.kinds[n] in CANDIDATE_KINDS]
    for i in model.symptomatic:
        want = []
        for n in nodes:
            explained, llr = model.explained_llr((n,), frozenset({i}))
            if explained:
                want.append((n, llr))
        assert model.lone_singles(i, nodes) == want
        assert want and len(want) < len(nodes)  # some explain it, some do not


def _node_by_node(model: ExplanationModel, nodes: tuple[int, ...]) -> tuple[list[int], int, int]:
    """The prediction as the propagation's causes give it, node by node: the hit set's
    iteration order (which fixes the order of sums over it), the down count, the silent."""
    down = model.graph.propagate(nodes).down
    kinds = model.graph.kinds
    hit: set[int] = set()
    silent = 0
    for n in down:
        hit.update(model.node_obs.get(n, ()))
        silent += kinds[n] in CANDIDATE_KINDS and n not in model.alerted
    return list(frozenset(hit)), len(down), silent


def test_prediction_equals_the_node_by_node_one_order_included(tmp_path: Path) -> None:
    # A noisy 1,500-entity case: thousands of observations, candidates from one node to whole
    # regions (both ways of collecting the hit observations), sets of several nodes.
    [case] = list(write_suite(1, tmp_path, seed=9, sizes=(1_500,), noise_levels=("harsh",)))
    assert case.directory is not None
    cat = load_catalog(case.directory / CATALOG_FILE)
    signals = load_signals_dir(case.directory / "signals")
    symptoms, _ = detect(cat, signals, InvestigateConfig())
    start, end = min(s.start for s in symptoms), signals.window_end
    keyed = {(s.customer, s.service, s.location) for s in symptoms}
    healthy = healthy_keys(signals.series, start, end, keyed)  # type: ignore[arg-type]
    model = ExplanationModel(
        cat, build_observations(ObservationIndex(cat), symptoms, healthy), ExplainConfig()
    )
    kinds = model.graph.kinds
    singles = [(n,) for n in range(len(model.graph)) if kinds[n] in CANDIDATE_KINDS]
    pairs = [(a[0], b[0]) for a, b in zip(singles[::7], singles[3::7], strict=False)]
    sizes = []
    for nodes in [*singles, *pairs]:
        if any(n in model.limping for n in nodes):
            continue
        hit, size, silent = model.predicted(nodes)
        assert (list(hit), size, silent) == _node_by_node(model, nodes)
        sizes.append(size)
    assert min(sizes) <= 32 < max(sizes)
    assert sum(size > 32 for size in sizes) >= 20
