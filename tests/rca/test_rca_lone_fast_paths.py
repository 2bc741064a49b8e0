"""The localizer's and attributor's shortcuts for lone symptoms give what the general path gives.

Under harsh noise thousands of incidents hold one symptomatic observation; their cover counts,
candidates, evidence nodes, onsets and evidence windows take shortcuts (and per-incident
memos) that must not change a single value.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from tests.rca.engine_builders import Injection, build_signals, small_catalog
from tests.rca.test_rca_attribute import CHAIN_CASES
from tests.rca.test_rca_localize import CASES

import outagelens.rca.localize as localize
from outagelens.correlate.explain import ExplanationModel
from outagelens.correlate.grouping import SymptomGroup, group_symptoms
from outagelens.correlate.observations import Observation, ObservationIndex
from outagelens.investigate import InvestigateConfig, detect, investigate
from outagelens.investigation import Investigation
from outagelens.rca.attribute import Attribution, Attributor
from outagelens.rca.localize import Localizer
from outagelens.rca.signals_index import SignalsIndex
from outagelens.signals import SignalSet, load_signals_dir
from outagelens.sim.suite import CATALOG_FILE, write_suite
from outagelens.topology import Catalog, load_catalog

Case = tuple[Catalog, SignalSet]


@pytest.fixture(scope="module")
def harsh(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """A generated 1,500-entity case under harsh noise: hundreds of lone symptoms."""
    out = tmp_path_factory.mktemp("harsh")
    [case] = list(write_suite(1, out, seed=3, sizes=(1_500,), noise_levels=("harsh",)))
    assert case.directory is not None
    return load_catalog(case.directory / CATALOG_FILE), load_signals_dir(case.directory / "signals")


def _hand_built() -> list[Case]:
    cat = small_catalog()
    return [(cat, build_signals(cat, c[1])) for c in CASES]


def _groups(catalog: Catalog, signals: SignalSet) -> list[SymptomGroup]:
    cfg = InvestigateConfig()
    symptoms, _ = detect(catalog, signals, cfg)
    index = ObservationIndex(catalog)
    return group_symptoms(index, symptoms, signals.series, signals.window_end, cfg.correlate)


def _localizer(catalog: Catalog, signals: SignalSet) -> Localizer:
    return Localizer(Attributor(SignalsIndex.build(catalog, signals)))


def _models(groups: list[SymptomGroup]) -> list[ExplanationModel]:
    return list({id(g.model): g.model for g in groups}.values())


def test_harsh_case_has_lone_symptoms_with_evidence_upstream(harsh: Case) -> None:
    groups = _groups(*harsh)
    lone = [g for g in groups if len(g.obs_ids) == 1]
    assert len(lone) >= 50, "harsh noise must give many lone symptoms"
    index = SignalsIndex.build(*harsh)
    assert index.alarms and index.changes, "the case must hold alarms and changes"


def test_lone_cover_counts_and_candidates_are_the_general_ones(harsh: Case) -> None:
    models = _models(_groups(*harsh))
    rng = random.Random(7)
    checked = 0
    for model in models:
        # Truncation to `max_candidates` and the cover floor take the same path too.
        for config in (model.config, replace(model.config, max_candidates=3)):
            m = ExplanationModel(model.catalog, model.obs, config)
            for i in sorted(m.symptomatic):
                among = frozenset({i})
                counts = localize.lone_cover_counts(m, among)
                assert counts is not None
                assert list(counts.items()) == list(m.cover_counts(among).items())
                nodes = list(counts)
                extras = [[], [*rng.sample(nodes, min(2, len(nodes))), 0, 0], [len(m.graph) - 1]]
                for extra in extras:
                    want = m.candidates(among, extra, counts=counts)
                    assert localize.lone_candidates(m, among, extra, counts) == want
                checked += 1
    assert checked >= 50


def _observation(model: ExplanationModel, i: int, nodes: tuple[int, ...]) -> ExplanationModel:
    obs = list(model.obs)
    obs[i] = replace(obs[i], nodes=nodes)
    return ExplanationModel(model.catalog, obs, model.config)


def test_an_observation_counting_a_node_twice_takes_the_general_path(harsh: Case) -> None:
    model = _models(_groups(*harsh))[0]
    i = min(model.symptomatic)
    node = model.obs[i].nodes[0]
    twice = _observation(model, i, (node, node))
    among = frozenset({i})
    assert localize.lone_cover_counts(twice, among) is None  # cover_counts sums it twice
    counts = twice.cover_counts(among)
    assert counts[node] == 2 * twice.weight(i)
    # Unequal counts: `lone_candidates` hands over to the general candidates.
    assert localize.lone_candidates(twice, among, [], counts) == twice.candidates(
        among, [], counts=counts
    )


def _scan_evidence_nodes(
    localizer: Localizer, model: ExplanationModel, start: datetime, upstream: dict[int, float]
) -> list[int]:
    """Every upstream component with an alarm or a change in the window, by a plain scan."""
    idx = localizer.attributor.index
    lead = timedelta(minutes=localizer.config.evidence_lead_minutes)
    lo, hi = start - lead, start + timedelta(minutes=30)
    out = []
    for n in upstream:
        comp = model.graph.ids[n]
        alarmed = any(
            a.time <= hi and (a.time >= lo or (a.cleared_at or hi) >= lo)
            for a in idx.alarms.get(comp, ())
        )
        if alarmed or any(lo <= c.time <= hi for c in idx.changes.get(comp, ())):
            out.append(n)
    return sorted(out)


def test_evidence_nodes_are_those_a_scan_of_every_upstream_node_finds(harsh: Case) -> None:
    found = 0
    for catalog, signals in [harsh, *_hand_built()]:
        localizer = _localizer(catalog, signals)
        for group in _groups(catalog, signals):
            upstream = group.model.cover_counts(group.obs_ids)
            for symptom in group.symptoms[:3]:
                # Around each symptom, and an hour later (other alarms and changes in reach).
                for start in (symptom.start, symptom.start + timedelta(hours=1)):
                    want = _scan_evidence_nodes(localizer, group.model, start, upstream)
                    assert localizer._evidence_nodes(group.model, start, upstream) == want
                    found += bool(want)
    assert found >= 10, "some windows must hold alarms or changes upstream"


def _general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send lone symptoms down the general path: no lone counts, no remembered onsets."""
    monkeypatch.setattr(localize, "lone_cover_counts", lambda model, among: None)
    monkeypatch.setattr(
        localize,
        "lone_candidates",
        lambda model, among, extra, counts: model.candidates(among, extra, counts=counts),
    )
    span = Localizer._span

    def fresh_span(self: Localizer, *args: object) -> object:
        self._last_span = None
        return span(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Localizer, "_span", fresh_span)


def test_investigation_equals_the_general_paths(
    harsh: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = investigate(*harsh)
    assert sum(len(inc.incident.symptoms) == 1 for inc in fast.incidents) >= 50
    _general_path(monkeypatch)
    general: Investigation = investigate(*harsh)
    assert general.model_dump_json() == fast.model_dump_json()


def _recorded_asks(
    catalog: Catalog, signals: SignalSet, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[object, ...]]:
    """Every `attribute` call of one investigation, with its arguments."""
    asks: list[tuple[object, ...]] = []
    attribute = Attributor.attribute

    def recording(self: Attributor, *args: object, **kw: object) -> Attribution:
        asks.append((*args, kw.get("alarmed_upstream")))
        return attribute(self, *args, **kw)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(Attributor, "attribute", recording)
        investigate(catalog, signals)
    return asks


def _ask(att: Attributor, ask: tuple[object, ...]) -> Attribution:
    *args, alarmed_upstream = ask
    return att.attribute(*args, alarmed_upstream=alarmed_upstream)  # type: ignore[arg-type]


@pytest.mark.parametrize("order", ["shuffled", "reversed"])
def test_attribution_does_not_depend_on_what_was_asked_before(
    harsh: Case, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    # The attributor keeps the last onset's windows and alarmed components, the index the
    # last onset's minute: asked in another order, or each on a fresh attributor and index,
    # every attribution is the same.
    for catalog, signals in [harsh, *_hand_built()[:3]]:
        asks = _recorded_asks(catalog, signals, monkeypatch)
        assert asks
        index = SignalsIndex.build(catalog, signals)
        in_order = [_ask(Attributor(index), ask) for ask in asks]
        sample = random.Random(1).sample(range(len(asks)), min(40, len(asks)))
        for k in sample:  # fresh index and attributor: nothing remembered at all
            fresh = Attributor(SignalsIndex.build(catalog, signals))
            assert _ask(fresh, asks[k]) == in_order[k]
        positions = list(range(len(asks)))
        if order == "shuffled":
            random.Random(2).shuffle(positions)
        else:
            positions.reverse()
        one = Attributor(SignalsIndex.build(catalog, signals))
        for k in positions:
            assert _ask(one, asks[k]) == in_order[k]


def test_some_recorded_attributions_hold_evidence(
    harsh: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Otherwise the order test above would compare empty attributions only.
    asks = _recorded_asks(*harsh, monkeypatch)
    att = Attributor(SignalsIndex.build(*harsh))
    with_evidence = [a for a in (_ask(att, ask) for ask in asks) if a.evidence_for]
    assert len(with_evidence) >= 5


def test_the_remembered_span_is_dropped_after_each_rank(harsh: Case) -> None:
    catalog, signals = harsh
    localizer = _localizer(catalog, signals)
    for group in _groups(catalog, signals)[:20]:
        localizer.rank(group)
        assert localizer._last_span is None  # the group's model is not kept alive


def test_a_lone_symptom_on_a_node_listed_twice_ranks_like_the_general_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cat = small_catalog()
    signals = build_signals(cat, Injection(["san"]))
    groups = _groups(cat, signals)
    model = groups[0].model
    i = min(model.symptomatic)
    node = model.obs[i].nodes[0]
    twice = _observation(model, i, (node, node))
    obs: list[Observation] = twice.obs
    group = SymptomGroup(list(obs[i].symptoms), frozenset({i}), twice, cover=None)
    fast = _localizer(cat, signals).rank(group)
    _general_path(monkeypatch)
    assert _localizer(cat, signals).rank(group) == fast


def test_the_remembered_span_is_that_of_the_explained_symptoms(harsh: Case) -> None:
    catalog, signals = harsh
    localizer = _localizer(catalog, signals)
    groups = [g for g in _groups(catalog, signals) if len(g.obs_ids) >= 2]
    assert groups, "the case must hold incidents of several symptoms"
    differ = 0
    for group in groups:
        model, among = group.model, group.obs_ids
        subsets = [frozenset({i}) for i in sorted(among)] + [among, frozenset()]
        for explained in subsets * 2:  # each asked right after another and again
            onset = localize._onset(model, explained)
            if onset is None:
                onset = min(s.start for i in among for s in model.obs[i].symptoms)
            want = (onset, localize._end(model, explained))
            assert localizer._span(model, explained, among) == want
        differ += len({localizer._span(model, e, among) for e in subsets}) > 1
    assert differ, "some incident's symptoms must start or end apart"


def test_edge_traffic_does_not_depend_on_the_onsets_asked_before() -> None:
    cat = small_catalog()
    signals = build_signals(cat, Injection(["edge-a"], surges=[("a", 12.0, 0.6, 0.7)]))
    onsets = [signals.window_start + timedelta(minutes=m) for m in range(0, 180, 3)]
    locations = sorted({k[0] for k in signals.traffic.keys})
    fresh = {
        (loc, t): SignalsIndex.build(cat, signals).edge_traffic(loc, t)
        for loc in locations
        for t in onsets
    }
    assert any(fresh.values()), "the surge must give a verdict around some onset"
    index = SignalsIndex.build(cat, signals)
    asks = list(fresh)
    random.Random(3).shuffle(asks)
    for loc, t in asks:
        assert index.edge_traffic(loc, t) == fresh[(loc, t)]


def test_alarm_chains_do_not_depend_on_the_alarmed_set_asked_before(
    harsh: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The attributor keeps the alarmed components of the last (alarmed set, window) asked:
    # another set over the same window must not get them.
    cat = small_catalog()
    chain_cases = [(cat, build_signals(cat, inj)) for _, inj in CHAIN_CASES]
    chains = 0
    for catalog, signals in [harsh, *chain_cases]:
        asks = [a for a in _recorded_asks(catalog, signals, monkeypatch) if a[-1]]
        index = SignalsIndex.build(catalog, signals)
        for ask in asks:
            want = _ask(Attributor(index), ask)
            att = Attributor(index)
            _ask(att, (*ask[:-1], frozenset()))  # same window, nothing alarmed upstream
            assert _ask(att, ask) == want
            chains += any("(upstream of" in ev.sentence for ev in want.evidence_for)
    assert chains, "some candidate must have alarms upstream that take it down"


def test_clock_is_strftime_hours_and_minutes() -> None:
    rng = random.Random(5)
    start = datetime(1999, 12, 31, 23, 59, tzinfo=UTC)
    zones = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    for _ in range(2_000):
        t = (start + timedelta(seconds=rng.randrange(10**9))).astimezone(rng.choice(zones))
        assert localize._clock(t) == f"{t:%H:%M}"
    assert localize._clock(datetime(2026, 1, 2, 3, 4)) == "03:04"  # naive: its own clock
