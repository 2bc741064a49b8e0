"""Built-in scenarios simulated and investigated once per session, for the report tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from outagelens.investigate import investigate
from outagelens.investigation import Investigation
from outagelens.report.build import build_postmortem
from outagelens.report.model import Postmortem
from outagelens.resilience.report import analyze
from outagelens.signals import load_signals_dir, load_truth
from outagelens.signals.types import SignalSet, Truth
from outagelens.sim.builtin import BUILTINS
from outagelens.sim.runner import resolve_scenario, run_scenario
from outagelens.topology import Catalog


@dataclass(frozen=True)
class Case:
    name: str
    catalog: Catalog
    signals: SignalSet
    truth: Truth
    investigation: Investigation
    postmortem: Postmortem


@pytest.fixture(scope="session")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    out: dict[str, Case] = {}
    resilience = None
    for name in BUILTINS:
        catalog, scenario = resolve_scenario(name, None)
        directory: Path = tmp_path_factory.mktemp(name)
        run_scenario(catalog, scenario, 0, directory)
        signals = load_signals_dir(directory)
        result = investigate(catalog, signals)
        resilience = resilience or analyze(catalog)
        pm = build_postmortem(catalog, result.incidents[0], signals=signals, resilience=resilience)
        out[name] = Case(name, catalog, signals, load_truth(directory), result, pm)
    return out


SCENARIOS = sorted(BUILTINS)
