"""Pruned localization (bound-ordered attribution) ranks exactly as exhaustive scoring."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tests.rca.engine_builders import Injection, build_signals, small_catalog
from tests.rca.test_rca_localize import CASES

from outagelens.investigate import InvestigateConfig, investigate
from outagelens.investigation import Investigation
from outagelens.rca.localize import LocalizeConfig
from outagelens.signals import SignalSet, load_signals_dir
from outagelens.sim.scenario import NoiseLevel
from outagelens.sim.suite import CATALOG_FILE, write_suite
from outagelens.topology import Catalog, load_catalog


def _ranking(inv: Investigation) -> list[list[tuple[object, ...]]]:
    return [
        [
            (h.entities, h.rank, h.confidence, h.log_likelihood, h.category, h.contradicted)
            for h in inc.hypotheses
        ]
        for inc in inv.incidents
    ]


def _both(catalog: Catalog, signals: SignalSet) -> tuple[Investigation, Investigation]:
    exhaustive = InvestigateConfig(localize=LocalizeConfig(prune_margin=math.inf))
    return investigate(catalog, signals), investigate(catalog, signals, config=exhaustive)


@pytest.mark.parametrize("inj", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_pruning_keeps_the_ranking_on_hand_built_failures(inj: Injection) -> None:
    cat = small_catalog()
    pruned, exhaustive = _both(cat, build_signals(cat, inj))
    assert _ranking(pruned) == _ranking(exhaustive)


@pytest.mark.parametrize(
    ("seed", "noise"),
    [(3, "harsh"), (4, "harsh"), (5, "realistic")],
    ids=["harsh-3", "harsh-4", "realistic-5"],
)  # 1,500 entities: under harsh noise about one single in ten goes unattributed
def test_pruning_keeps_the_ranking_under_noise(
    tmp_path: Path, seed: int, noise: NoiseLevel
) -> None:
    [case] = list(write_suite(1, tmp_path, seed=seed, sizes=(1_500,), noise_levels=(noise,)))
    assert case.directory is not None
    catalog = load_catalog(case.directory / CATALOG_FILE)
    pruned, exhaustive = _both(catalog, load_signals_dir(case.directory / "signals"))
    assert pruned.incidents, "a generated fault must give at least one incident"
    assert _ranking(pruned) == _ranking(exhaustive)
