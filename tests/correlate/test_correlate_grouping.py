"""Incident grouping by time and topology, and the scope of each incident."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import chain
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.rca.engine_builders import Injection, at, build_signals, small_catalog

from outagelens.correlate import grouping
from outagelens.correlate.explain import ExplainConfig, ExplanationModel
from outagelens.correlate.grouping import (
    CorrelateConfig,
    _group,
    _merge_explained,
    group_symptoms,
    healthy_keys,
    time_clusters,
)
from outagelens.correlate.observations import ObservationIndex, build_observations
from outagelens.correlate.scope import build_scope
from outagelens.detect.models import HealthState, Symptom, SymptomSource
from outagelens.investigate import InvestigateConfig, detect
from outagelens.signals import load_signals_dir
from outagelens.signals.frames import SeriesSet
from outagelens.signals.types import SignalSet
from outagelens.sim.scenario import NoiseLevel
from outagelens.sim.suite import CATALOG_FILE, write_suite
from outagelens.topology import load_catalog

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def _sym(entity: str, start: float, end: float | None, **kw: str) -> Symptom:
    return Symptom(
        entity=entity,
        source=SymptomSource.ALERT,
        state=HealthState.DOWN,
        start=T0 + timedelta(minutes=start),
        end=None if end is None else T0 + timedelta(minutes=end),
        **kw,
    )


@pytest.mark.parametrize(
    ("spans", "want"),
    [
        ([(0, 10), (5, 20), (25, 30)], [3]),
        ([(0, 10), (50, 60)], [1, 1]),
        ([(0, None), (300, 310)], [2]),
        ([(0, 10), (39, 45), (100, 101)], [2, 1]),
    ],
    ids=["overlapping", "far-apart", "ongoing-absorbs-later", "within-gap"],
)
def test_time_clusters(spans: list[tuple[float, float | None]], want: list[int]) -> None:
    symptoms = [_sym("san", a, b) for a, b in spans]
    clusters = time_clusters(symptoms, T0 + timedelta(hours=12), gap_minutes=30)
    assert [len(c) for c in clusters] == want


def _groups(signals: SignalSet) -> list[list[str]]:
    cat = small_catalog()
    symptoms, _ = detect(cat, signals, InvestigateConfig())
    groups = group_symptoms(ObservationIndex(cat), symptoms, signals.series, signals.window_end)
    return [sorted({s.entity for s in g.symptoms}) for g in groups]


def test_staggered_symptoms_of_one_failure_form_one_incident() -> None:
    # Service alerts arrive 9 minutes after the component alerts: still one incident.
    groups = _groups(build_signals(small_catalog(), Injection(["san"], alert_delay=9)))
    assert len(groups) == 1
    assert {"san", "hv", "db", "lb", "bank/sql", "bank/web"} <= set(groups[0])


def test_unrelated_small_fault_in_same_window_is_its_own_incident() -> None:
    cat = small_catalog()
    main = build_signals(cat, Injection(["san"]))
    other = build_signals(cat, Injection(["lb-b"], onset=70, duration=20), seed=2)
    merged = SignalSet(
        meta=main.meta,
        series=main.series,
        traffic=main.traffic,
        alerts=main.alerts + tuple(a for a in other.alerts if "lb-b" in str(a.labels)),
    )
    groups = _groups(merged)
    assert len(groups) == 2
    assert "san" in groups[0] and groups[1] == ["lb-b"]


def test_scope_start_end_delay_and_geography() -> None:
    cat = small_catalog()
    signals = build_signals(cat, Injection(["fabric"], onset=60, duration=40, alert_delay=4))
    symptoms, _ = detect(cat, signals, InvestigateConfig())
    index = ObservationIndex(cat)
    [g] = group_symptoms(index, symptoms, signals.series, signals.window_end)
    scope = build_scope(cat, index, g.symptoms, signals.window_end)
    assert scope.start == at(60)  # series show it before the alerts do
    assert scope.first_alert_at == at(61)  # component alerts fire after one minute
    assert scope.detection_delay_minutes == 1.0
    assert scope.end is not None and not scope.ongoing
    assert scope.customers == ("bank", "shop", "tenant")
    assert scope.locations == ("a",) and scope.geography == ("Alpha, DE",)
    shop = next(s for s in scope.subscriptions if s.customer == "shop")
    assert shop.locations == ("a",) and shop.state is HealthState.DOWN


def test_ongoing_outage_has_no_end() -> None:
    cat = small_catalog()
    signals = build_signals(cat, Injection(["hv"], duration=None))
    symptoms, _ = detect(cat, signals, InvestigateConfig())
    index = ObservationIndex(cat)
    [g] = group_symptoms(index, symptoms, signals.series, signals.window_end)
    scope = build_scope(cat, index, g.symptoms, signals.window_end)
    assert scope.ongoing and scope.end is None
    assert scope.duration_minutes == pytest.approx(120, abs=1)


@pytest.mark.parametrize(
    ("service_end", "alarm_end", "ongoing"),
    [(30, None, False), (None, 30, True), (30, 40, False)],
    ids=["uncleared-alarm-after-recovery", "service-still-down", "both-ended"],
)
def test_outage_ends_when_service_is_back(
    service_end: float | None, alarm_end: float | None, ongoing: bool
) -> None:
    cat = small_catalog()
    index = ObservationIndex(cat)
    symptoms = [
        _sym("bank/web", 5, service_end, customer="bank", service="web", location="a"),
        _sym("hv", 0, alarm_end, component="hv", location="a"),
    ]
    scope = build_scope(cat, index, symptoms, T0 + timedelta(hours=2))
    assert scope.ongoing is ongoing
    assert scope.start == T0
    if not ongoing:
        assert scope.end == T0 + timedelta(minutes=30)


def test_without_customer_symptoms_every_symptom_counts() -> None:
    cat = small_catalog()
    scope = build_scope(
        cat, ObservationIndex(cat), [_sym("hv", 0, None, component="hv")], T0 + timedelta(hours=1)
    )
    assert scope.ongoing and scope.end is None


@pytest.mark.parametrize(("pools", "grouped"), [(1, False), (8, True)], ids=["one-pool", "pools"])
def test_cover_looks_below_catalog_wide_candidates(pools: int, grouped: bool) -> None:
    # A failure of hv-b (site b) and unrelated false alarms all over site a. The first pool
    # (here: only the best-covering nodes, as a catalog-wide node is on a large catalog) holds
    # site a's power, which explains the false alarms but takes all of site a down silently;
    # the next pool finds hv-b below it.
    from outagelens.correlate.explain import ExplainConfig
    from outagelens.correlate.grouping import CorrelateConfig

    cat = small_catalog()
    symptoms = [
        _sym("hv-b", 0, 30, component="hv-b"),
        _sym("lb-b", 2, 30, component="lb-b"),
        _sym("travel/web", 4, 30, customer="travel", service="web", location="b"),
        *(_sym(c, 1 + i, 20, component=c) for i, c in enumerate(["spine-1", "san", "colo-net"])),
        _sym("edge-a", 5, 20, component="edge-a"),
    ]
    cfg = CorrelateConfig(explain=ExplainConfig(min_cover_fraction=0.99), max_pools=pools)
    groups = group_symptoms(ObservationIndex(cat), symptoms, None, T0 + timedelta(hours=2), cfg)
    hv_b = [g for g in groups if any(s.entity == "hv-b" for s in g.symptoms)]
    assert len(hv_b) == 1
    entities = {s.entity for s in hv_b[0].symptoms}
    if grouped:
        assert entities == {"hv-b", "lb-b", "travel/web"}
        assert hv_b[0].cover == cat.graph.index["hv-b"]
    else:
        assert entities == {"hv-b"} and hv_b[0].cover is None


@pytest.mark.parametrize(
    ("split", "penalty", "want"),
    [
        ([["lb"], ["db"]], 2.5, [["db", "lb"]]),
        ([["lb"], ["db"], ["lb-b"]], 2.5, [["db", "lb"], ["lb-b"]]),
        ([["lb"], ["db"]], 0.0, [["lb"], ["db"]]),
        ([["lb"], ["lb-b"]], 2.5, [["lb"], ["lb-b"]]),
        ([["lb"], ["db"], ["hv"], ["lb-b"]], 2.5, [["db", "hv", "lb"], ["lb-b"]]),
    ],
    ids=[
        "partial-covers-join",
        "decoy-stays-apart",
        "no-fault-cost-no-join",
        "unrelated-pair",
        "three-join-decoy-apart",
    ],
)
def test_groups_one_cause_explains_together_become_one(
    split: list[list[str]], penalty: float, want: list[list[str]]
) -> None:
    # hv explains lb and db together (one fault) better than two faults do; lb-b (site b)
    # shares no candidate with them, so it stays its own incident.
    cat = small_catalog()
    symptoms = [_sym(e, i, None) for i, part in enumerate(split) for e in part]
    model = ExplanationModel(
        cat, build_observations(ObservationIndex(cat), symptoms, []), ExplainConfig()
    )
    ids = cat.graph.ids
    groups = [
        _group(
            model,
            frozenset(i for i, o in enumerate(model.obs) if o.symptoms[0].entity in part),
            ids.index(part[0]),
        )
        for part in split
    ]
    merged = _merge_explained(model, groups, CorrelateConfig(merge_penalty=penalty))
    assert [sorted({s.entity for s in g.symptoms}) for g in merged] == want


def _greedy_every_round(
    model: ExplanationModel, cands: list[int], remaining: set[int], least: int
) -> list[tuple[frozenset[int], int]]:
    """The plain greedy cover: every candidate re-evaluated against what is left, each round."""
    out: list[tuple[frozenset[int], int]] = []
    while remaining:
        best: tuple[float, int, frozenset[int], int] | None = None
        for c in cands:
            explained, llr = model.explained_llr((c,), remaining)
            reach = model.predicted((c,))[1]
            if len(explained) >= least and (best is None or (llr, reach) > best[:2]):
                best = (llr, reach, explained, c)
        if best is None or best[0] <= 0:
            break
        out.append((best[2], best[3]))
        remaining -= best[2]
    return out


@pytest.mark.parametrize(("seed", "noise"), [(9, "harsh"), (9, "realistic"), (3, "harsh")], ids=str)
def test_lazy_cover_groups_as_re_evaluating_every_round_does(
    tmp_path: Path, seed: int, noise: NoiseLevel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hundreds of false symptoms on a 1,500-entity catalog: several covers per pool, several
    # pools (the later ones asking for two symptoms or more), many near ties.
    [case] = list(write_suite(1, tmp_path, seed=seed, sizes=(1_500,), noise_levels=(noise,)))
    assert case.directory is not None
    cat = load_catalog(case.directory / CATALOG_FILE)
    signals = load_signals_dir(case.directory / "signals")
    symptoms, _ = detect(cat, signals, InvestigateConfig())

    def groups() -> list[tuple[tuple[str, ...], int | None]]:
        found = group_symptoms(ObservationIndex(cat), symptoms, signals.series, signals.window_end)
        return [(g.model.keys(g.obs_ids), g.cover) for g in found]

    lazy = groups()
    assert sum(cover is not None for _, cover in lazy) >= 2, "the case must need several covers"
    monkeypatch.setattr(grouping, "_pool_covers", _greedy_every_round)
    assert lazy == groups()


def _model_of(preds: dict[int, list[int]], weights: dict[int, float]) -> ExplanationModel:
    """A model whose candidates' predictions and symptom weights are given (no catalog):
    `explained_llr` runs its own arithmetic on them (no contradictions, no silence)."""
    model = ExplanationModel.__new__(ExplanationModel)
    model._pred = {(c,): (frozenset(p), 1, 0) for c, p in preds.items()}
    model._weights = dict(weights)
    model._fixed_llr = {(c,): (0.0, 0.0) for c in preds}
    model.hit_llr = 1.0
    return model


def test_lazy_cover_re_checks_bounds_an_ulp_under_their_fresh_value() -> None:
    # Candidate 1 explains {202, 122, 246} (weights 0.3, 0.2, 0.1) before and after the first
    # cover, but its sum runs in the order of the smaller set it meets: first its prediction
    # (4 nodes), then the remaining symptoms (4 left): 0.6 becomes 0.6000000000000001. Its
    # stale bound is then an ulp under its fresh value, level with candidate 0 (0.6): the
    # plain greedy takes candidate 1 second, and so must the lazy one.
    preds = {0: [350], 1: [202, 122, 246, 654], 2: [432, 435, 467, 469, 408, 447]}
    weights = {202: 0.3, 122: 0.2, 246: 0.1, 350: 0.6} | dict.fromkeys(preds[2], 1.0)
    symptoms = [246, 122, 467, 469, 447, 350, 435, 432, 202, 408]
    model = _model_of(preds, weights)
    remaining = set(symptoms)
    before = model.explained_llr((1,), remaining)[1]
    remaining -= set(preds[2])  # in place, as the cover does: the set keeps its layout
    after = model.explained_llr((1,), remaining)[1]
    assert after > before, "the case must give a stale bound under the fresh value"
    plain = _greedy_every_round(_model_of(preds, weights), [0, 1, 2], set(symptoms), 1)
    assert [c for _, c in plain] == [2, 1, 0]
    lazy = grouping._pool_covers(_model_of(preds, weights), [0, 1, 2], set(symptoms), 1)
    assert lazy == plain


def _seen(
    entity: str, start: float, source: SymptomSource, state: HealthState, score: float
) -> Symptom:
    """A symptom on a component, or on a customer's service ("customer/service") at site a."""
    cust, _, svc = entity.partition("/")
    facing = bool(svc)
    return Symptom(
        entity=entity,
        source=source,
        state=state,
        start=T0 + timedelta(minutes=start),
        end=T0 + timedelta(minutes=start + 30),
        component=None if facing else entity,
        customer=cust if facing else None,
        service=svc or None,
        location="b" if cust == "travel" else ("a" if facing else None),
        score=score,
    )


ALERT, ALARM = SymptomSource.ALERT, SymptomSource.ALARM
DOWN, DEGRADED = HealthState.DOWN, HealthState.DEGRADED


@pytest.mark.parametrize(
    ("first", "second", "want_first"),
    [
        # A loud alarm on lb-b with one customer degraded (weight 0.97 + 0.36) against one
        # customer down (0.9): the customers decide.
        (
            [
                ("lb-b", ALARM, DOWN, 0.7),
                ("lb-b", ALERT, DOWN, 0.9),
                ("travel/web", ALERT, DEGRADED, 0.6),
            ],
            [("bank/sql", ALERT, DOWN, 0.9)],
            "bank/sql",
        ),
        # As much customer evidence on both: then all the evidence.
        (
            [("travel/web", ALERT, DOWN, 0.9)],
            [("db", ALARM, DOWN, 0.7), ("bank/sql", ALERT, DOWN, 0.9)],
            "db",
        ),
        # No customer symptom anywhere: the most evidence.
        ([("lb-b", ALERT, DEGRADED, 0.6)], [("db", ALARM, DOWN, 0.7)], "db"),
    ],
    ids=["customers-before-device-alarms", "tie-more-evidence", "no-customers"],
)
def test_primary_incident_is_the_one_hitting_customers_most(
    first: list[tuple[str, SymptomSource, HealthState, float]],
    second: list[tuple[str, SymptomSource, HealthState, float]],
    want_first: str,
) -> None:
    # Two unrelated faults an hour apart (separate time clusters), the earlier one given first.
    cat = small_catalog()
    symptoms = [_seen(e, 0, *x) for e, *x in first] + [_seen(e, 90, *x) for e, *x in second]
    groups = group_symptoms(ObservationIndex(cat), symptoms, None, T0 + timedelta(hours=3))
    assert len(groups) == 2
    assert want_first in {s.entity for s in groups[0].symptoms}


def test_any_finite_matches_numpy_on_nan_and_inf_rows() -> None:
    from outagelens.correlate.grouping import _any_finite

    nan, inf = np.nan, np.inf
    rows = [
        [nan, nan, nan],  # no sample
        [nan, 1.0, nan],  # one
        [inf, nan, nan],  # only an infinite value: not a sample
        [inf, 2.0, -inf],  # infinite max, a finite value inside
        [-inf, nan, nan],
        [0.0, 0.0, 0.0],
    ]
    x = np.array(rows, dtype=np.float32)
    assert _any_finite(x).tolist() == np.isfinite(x).any(axis=1).tolist()
    assert _any_finite(x[:, :0]).tolist() == [False] * len(rows)


@settings(max_examples=200, deadline=None)
@given(
    shape=st.tuples(st.integers(0, 12), st.integers(0, 40)),
    cells=st.lists(
        st.tuples(st.integers(0, 479), st.sampled_from([np.inf, -np.inf, 0.0, -0.0, 0.5])),
        max_size=30,
    ),
    gaps=st.booleans(),
)
def test_any_finite_from_sampled_columns_matches_numpy(
    shape: tuple[int, int], cells: list[tuple[int, float]], gaps: bool
) -> None:
    # Mostly-NaN or mostly-sampled rows (a few columns answer, or the whole row is read),
    # infinities, signed zeros; a NaN-filled block or one with sparse NaN gaps.
    from outagelens.correlate.grouping import _any_finite

    rows, cols = shape
    x = np.full(shape, np.nan, dtype=np.float32) if gaps else np.ones(shape, dtype=np.float32)
    for cell, value in cells:
        if rows and cols:
            x[cell % rows, (cell // rows) % cols] = value if gaps else np.nan
    want = np.isfinite(x).any(axis=1).tolist()
    assert _any_finite(x).tolist() == want
    assert _any_finite(x[:, 1:]).tolist() == np.isfinite(x[:, 1:]).any(axis=1).tolist()


@pytest.mark.parametrize("few", [True, False], ids=["few-without-availability", "many"])
def test_healthy_keys_are_the_rows_with_a_sample_in_the_window(few: bool) -> None:
    # Keys with an availability sample in the window, with only a request-rate sample there,
    # with a sample only before the window, and without any; a symptomatic key is left out.
    # Either few rows lack availability (their request rates are read alone) or many do.
    keys = [("c", "s", f"l{i:02}") for i in range(40)]
    kind = {
        k: ("av" if few and i >= 8 else ("av", "rate", "before", "none")[i % 4])
        for i, k in enumerate(keys)
    }
    series: dict[tuple[str, ...], dict[str, np.ndarray]] = {}
    for i, k in enumerate(keys):
        av, rate = np.full(120, np.nan), np.full(120, np.nan)
        if kind[k] == "av":
            av[50 + i] = 0.99
        elif kind[k] == "rate":
            rate[60 + i % 7] = 10.0
        elif kind[k] == "before":
            av[5] = rate[6] = 1.0
        series[k] = {"availability": av, "request_rate": rate}
    frame = SeriesSet.from_series(T0, 120, series)
    start, end = T0 + timedelta(minutes=40), T0 + timedelta(minutes=100)
    got = healthy_keys(frame, start, end, {keys[4]})
    assert got == [k for k in keys if kind[k] in ("av", "rate") and k != keys[4]]


def _pool_by_dicts(model: ExplanationModel, remaining: set[int], tried: set[int]) -> list[int]:
    """The next pool as first written: cover counts and upstream sets counted in dicts."""
    seen = Counter(chain.from_iterable(model.upstream_set(i) for i in remaining))
    counts = model.cover_counts(remaining)
    pool = {n: c for n, c in counts.items() if n not in tried and seen.get(n, 0) >= 2}
    if not pool:
        return []
    best = max(pool.values())
    keep = [n for n, c in pool.items() if c >= model.config.min_cover_fraction * best]
    keep.sort(key=lambda n: (-pool[n], model.graph.ids[n]))
    return keep[: model.config.max_candidates]


def _pools_agree(model: ExplanationModel, seed: int) -> int:
    """Compare the array pools with the dict ones on shrinking symptoms and growing `tried`;
    return how many candidates they listed."""
    rng = np.random.default_rng(seed)
    remaining = set(model.symptomatic)
    tried_set: set[int] = set()
    tried = np.zeros(len(model.graph), dtype=np.bool_)
    up = grouping._Upstream.of(model)
    listed = 0
    while remaining:
        counted = grouping._Counted.of(model, up, remaining)
        pool = grouping._next_pool(model, counted, tried)
        assert pool == _pool_by_dicts(model, remaining, tried_set)
        assert counted.counts[list(pool)].tolist() == [
            model.cover_counts(remaining)[n] for n in pool
        ]
        listed += len(pool)
        tried_set.update(pool[: len(pool) // 2])
        tried[pool[: len(pool) // 2]] = True
        drop = rng.choice(sorted(remaining), size=max(1, len(remaining) // 3), replace=False)
        remaining -= set(drop.tolist())  # in place, as the cover does
    return listed


@pytest.mark.parametrize("size", [300, 7, 1], ids=["default-size", "small", "one"])
def test_next_pool_by_arrays_equals_the_dict_counts(tmp_path: Path, size: int) -> None:
    # A pool far longer than `max_candidates` is cut by partition first, ties at the cut kept.
    [case] = list(write_suite(1, tmp_path, seed=9, sizes=(1_500,), noise_levels=("harsh",)))
    assert case.directory is not None
    cat = load_catalog(case.directory / CATALOG_FILE)
    signals = load_signals_dir(case.directory / "signals")
    symptoms, _ = detect(cat, signals, InvestigateConfig())
    obs = build_observations(ObservationIndex(cat), symptoms, [])
    model = ExplanationModel(cat, obs, ExplainConfig(max_candidates=size, min_cover_fraction=0.05))
    assert len(model.symptomatic) >= 100
    assert _pools_agree(model, seed=1) >= min(size, 20)


def test_next_pool_counts_a_node_repeated_in_an_observation_once_per_observation() -> None:
    # An observation naming one node twice: its candidates count twice in the cover counts,
    # once in how many observations they are upstream of.
    cat = small_catalog()
    idx = cat.graph.index
    symptoms = [_sym(c, 0, 30) for c in ("hv", "db", "lb")]
    obs = build_observations(ObservationIndex(cat), symptoms, [])
    obs[0].nodes = (idx["hv"], idx["hv"])
    model = ExplanationModel(cat, obs, ExplainConfig(min_cover_fraction=0.01))
    up = grouping._Upstream.of(model)
    assert up.once is not up.nodes
    assert _pools_agree(model, seed=2) >= 3
