"""`simulate`: run a scenario on a catalog and produce the signals plus the ground truth.

Every random draw comes from a generator seeded with (seed, stream), one stream per purpose,
so the output is a pure function of (catalog, scenario, seed) and adding a draw in one part
of the simulator does not shift the numbers of another.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from outagelens import __version__
from outagelens.errors import ScenarioError
from outagelens.signals.directory import write_signals_dir, write_truth
from outagelens.signals.frames import SeriesSet, TrafficSet
from outagelens.signals.types import Alert, Meta, SecondaryFault, SignalSet, Truth
from outagelens.sim import alerts as alert_gen
from outagelens.sim import evidence as ev
from outagelens.sim.decoys import build_decoy
from outagelens.sim.faults import build_fault
from outagelens.sim.faults.base import Evidence, FaultContext, FaultEffect
from outagelens.sim.scenario import FaultSpec, Scenario
from outagelens.sim.telemetry import generate_series
from outagelens.sim.timeline import (
    PhaseOutcome,
    Rows,
    Span,
    build_rows,
    degrade_choices,
    load_spans,
    phase_spans,
    recovery_spans,
    resolve,
    row_states,
)
from outagelens.sim.traffic import generate_traffic
from outagelens.topology import Catalog
from outagelens.topology.construct import gc_paused

# One random stream per purpose; faults use FAULT_STREAM + their index.
STREAMS = {
    "rows": 1,
    "series": 2,
    "traffic": 3,
    "alerts": 4,
    "changes": 5,
    "alarms": 6,
    "skew": 7,
    "secondary": 8,
    "decoys": 9,
    "degrade": 10,
    "recovery": 11,
}
FAULT_STREAM = 100


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


@dataclass(frozen=True)
class SimResult:
    """Signals, truth, and what the simulator knows about them (for tests and the suite)."""

    signals: SignalSet
    truth: Truth
    effects: tuple[FaultEffect, ...]
    secondary: tuple[FaultEffect, ...]
    outcomes: tuple[PhaseOutcome, ...]
    rows: Rows


def simulate(
    catalog: Catalog, scenario: Scenario, seed: int = 0, *, catalog_ref: str | None = None
) -> SimResult:
    """Inject the scenario's faults into the catalog and generate every signal.

    `catalog_ref` is what meta.json names as the catalog (default: the catalog's source).
    """
    # Nothing built here forms reference cycles; collections over a big catalog only cost time.
    with gc_paused():
        return _Simulation(catalog, scenario, seed).run(catalog_ref)


class _Simulation:
    """One run, step by step: faults and evidence, series and traffic, alerts, records."""

    def __init__(self, catalog: Catalog, scenario: Scenario, seed: int) -> None:
        self.catalog, self.scenario, self.seed = catalog, scenario, seed
        self.start, self.n = scenario.window_start, scenario.window_minutes
        self.noise = scenario.noise
        self.evidence = Evidence()

    def ctx(self, stream: int) -> FaultContext:
        """A fault context with its own random stream."""
        return FaultContext(self.catalog, self.n, self.noise, _rng(self.seed, stream))

    def run(self, catalog_ref: str | None) -> SimResult:
        """Everything, in dependency order."""
        effects, secondary, main, extra = self.faults()
        rows = build_rows(self.catalog, _rng(self.seed, STREAMS["rows"]), self.start)
        fault_spans = [
            *_fault_spans(self.catalog, rows, main, self.n, self.ctx(STREAMS["degrade"])),
            *_fault_spans(self.catalog, rows, extra, self.n, self.ctx(STREAMS["degrade"] + 50)),
        ]
        fault_spans += recovery_spans(fault_spans, self.n, _rng(self.seed, STREAMS["recovery"]))
        series, traffic = self.telemetry(rows, fault_spans, [*main, *extra])
        alerts = self.alerts(rows, fault_spans, [*main, *extra], traffic)
        signals = SignalSet(
            meta=Meta(
                window_start=self.start,
                window_end=self.scenario.window_end,
                catalog=catalog_ref or self.catalog.source or self.catalog.provider.name,
                generator=f"outagelens-sim {__version__}",
                seed=self.seed,
                timezone=self.catalog.provider.timezone,
            ),
            series=series,
            traffic=traffic,
            alerts=tuple(alerts),
            **self.records(),
        )
        truth = _truth(self.scenario, self.seed, effects, secondary, main)
        return SimResult(signals, truth, tuple(effects), tuple(secondary), (*main, *extra), rows)

    def faults(
        self,
    ) -> tuple[list[FaultEffect], list[FaultEffect], list[PhaseOutcome], list[PhaseOutcome]]:
        """Main faults, the secondary fault (if drawn), their propagated phases; evidence."""
        scenario, catalog = self.scenario, self.catalog
        effects = [
            build_fault(f, self.ctx(FAULT_STREAM + i)) for i, f in enumerate(scenario.faults)
        ]
        decoy_ctx = self.ctx(STREAMS["decoys"])
        for decoy in scenario.decoys:
            self.evidence.extend(build_decoy(decoy, decoy_ctx))
        main = resolve(catalog, effects)
        secondary = _secondary_fault(catalog, scenario, main, self.ctx(STREAMS["secondary"]))
        extra = [
            PhaseOutcome(len(effects), o.phase, o.propagation) for o in resolve(catalog, secondary)
        ]
        for effect in (*effects, *secondary):
            self.evidence.extend(effect.evidence)
        return effects, secondary, main, extra

    def telemetry(
        self, rows: Rows, fault_spans: list[Span], outcomes: list[PhaseOutcome]
    ) -> tuple[SeriesSet, TrafficSet]:
        """SLI series (faults plus legitimate load changes) and edge traffic."""
        spans = [*fault_spans, *load_spans(rows, self.evidence.load, self.n)]
        series_rng = _rng(self.seed, STREAMS["series"])
        series = generate_series(rows, spans, self.start, self.n, self.noise, series_rng)
        traffic = generate_traffic(
            self.catalog,
            rows,
            series.values["request_rate"],
            self.evidence.traffic,
            outcomes,
            self.start,
            self.n,
            self.noise,
            _rng(self.seed, STREAMS["traffic"]),
        )
        return series, traffic

    def alerts(
        self,
        rows: Rows,
        fault_spans: list[Span],
        outcomes: list[PhaseOutcome],
        traffic: TrafficSet,
    ) -> list[Alert]:
        """Alerts from row states, component states and edge surges, through the noise knobs."""
        rng = _rng(self.seed, STREAMS["alerts"])
        states = row_states(fault_spans, len(rows.keys), self.n)
        runs = [
            *alert_gen.service_runs(rows, states),
            *alert_gen.component_runs(self.catalog, outcomes),
            *alert_gen.traffic_runs([(k[0], k[1]) for k in traffic.keys], self.evidence.traffic),
            *alert_gen.false_alarm_runs(self.catalog, rows, self.n, self.noise, rng),
        ]
        skew = ev.skew_of(self.ctx(STREAMS["skew"]), "alerts")
        return alert_gen.to_alerts(
            alert_gen.add_noise(runs, self.noise, rng), self.start, self.n, skew
        )

    def records(self) -> dict[str, Any]:
        """Changes, hardware alarms and hazards, with background noise and clock skew."""
        skew_ctx = self.ctx(STREAMS["skew"] + 50)
        skews = {s: ev.skew_of(skew_ctx, s) for s in ("changes", "hardware", "hazards")}
        changes = [*self.evidence.changes, *ev.background_changes(self.ctx(STREAMS["changes"]))]
        alarm_ctx = self.ctx(STREAMS["alarms"])
        alarms = [*self.evidence.alarms, *ev.background_alarms(alarm_ctx)]
        start, n = self.start, self.n
        return {
            "changes": tuple(ev.to_changes(changes, start, n, skews["changes"])),
            "hardware": tuple(
                ev.to_alarms(
                    alarms,
                    start,
                    n,
                    skews["hardware"],
                    self.noise.missing_alarm_rate,
                    alarm_ctx.rng,
                )
            ),
            "hazards": tuple(
                ev.to_hazards(self.catalog, self.evidence.hazards, start, n, skews["hazards"])
            ),
        }


def _fault_spans(
    catalog: Catalog,
    rows: Rows,
    outcomes: Sequence[PhaseOutcome],
    n: int,
    ctx: FaultContext,
) -> list[Span]:
    """Spans of a list of phase outcomes, with the partial-degradation knob drawn per fault."""
    spans: list[Span] = []
    by_fault: dict[int, list[PhaseOutcome]] = {}
    for o in outcomes:
        by_fault.setdefault(o.fault, []).append(o)
    for fault in sorted(by_fault):
        candidates = [
            r
            for o in by_fault[fault]
            for sid in (*o.propagation.subscriptions, *o.propagation.partial_subscriptions)
            for r in rows.of_subscription[sid]
        ]
        degrade = degrade_choices(candidates, ctx.noise, ctx.rng)
        for o in by_fault[fault]:
            spans.extend(phase_spans(catalog, rows, o, n, degrade))
    return spans


def _secondary_fault(
    catalog: Catalog,
    scenario: Scenario,
    main: Sequence[PhaseOutcome],
    ctx: FaultContext,
) -> list[FaultEffect]:
    """Maybe one small unrelated fault: a component whose failure touches <= 2 subscriptions."""
    rng = ctx.rng
    if not catalog.components or rng.random() >= ctx.noise.secondary_fault_probability:
        return []
    busy = set().union(*(o.propagation.down for o in main)) if main else set()
    comps = list(catalog.components)
    onset0 = scenario.faults[0].onset_minutes
    for _ in range(40):
        cid = comps[int(rng.integers(len(comps)))]
        if cid in busy:
            continue
        prop = catalog.propagate([cid])
        if len(prop.subscriptions) + len(prop.partial_subscriptions) > 2 or busy & prop.down:
            continue
        category = ("hardware", "software")[int(rng.integers(2))]
        onset = float(np.clip(onset0 + rng.uniform(-180, 180), 0, ctx.n_minutes - 30))
        spec = FaultSpec(
            category=category,
            target=cid,
            onset_minutes=onset,
            duration_minutes=float(rng.uniform(10, 45)),
            severity="degraded",
            partial_fraction=float(rng.uniform(0.15, 0.5)),
            parameters={"decoy_changes": 0, "degrade_minutes": 0},
        )
        return [build_fault(spec, ctx)]
    return []


def _truth(
    scenario: Scenario,
    seed: int,
    effects: Sequence[FaultEffect],
    secondary: Sequence[FaultEffect],
    outcomes: Sequence[PhaseOutcome],
) -> Truth:
    start, n = scenario.window_start, scenario.window_minutes
    from datetime import timedelta

    def at(minute: float) -> object:
        return start + timedelta(seconds=round(minute * 60))

    roots = list(dict.fromkeys(r for e in effects for r in e.root_causes))
    # The outage starts when customers are first hurt: a grid loss bridged by batteries is the
    # trigger (in the evidence), not yet the outage.
    impact = [
        o.phase.start
        for o in outcomes
        if o.propagation.subscriptions or o.propagation.partial_subscriptions
    ]
    onset = min(impact) if impact else min(e.onset for e in effects)
    end = max(e.end for e in effects)
    affected = sorted(
        {c for o in outcomes for c in (*o.propagation.customers, *o.propagation.partial_customers)}
    )
    return Truth(
        scenario=scenario.name,
        seed=seed,
        root_causes=tuple(roots),
        category=effects[0].category,
        onset=at(onset),
        end=at(end) if end < n else None,
        affected_customers=tuple(affected),
        secondary_faults=tuple(
            SecondaryFault(
                entity=s.root_causes[0],
                category=s.category,
                onset=at(s.onset),
                end=at(s.end) if s.end < n else None,
                description=s.description,
            )
            for s in secondary
        ),
        description="; ".join(e.description for e in effects),
    )


def write_result(
    result: SimResult, out: str | Path, *, table_format: Literal["parquet", "csv"] = "parquet"
) -> Path:
    """Write the signals directory and its truth.json; returns the directory."""
    root = write_signals_dir(out, result.signals, table_format=table_format)
    write_truth(root, result.truth)
    return root


def resolve_scenario(name_or_file: str, catalog: str | Path | None) -> tuple[Catalog, Scenario]:
    """A built-in name or a YAML file, and its catalog (`catalog` overrides the scenario's)."""
    from outagelens.sim.builtin import EXAMPLE_CATALOG, builtin_scenario
    from outagelens.sim.scenario import load_scenario
    from outagelens.topology import load_catalog

    path = Path(name_or_file)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        scenario = load_scenario(path)
        default = (path.parent / scenario.catalog) if scenario.catalog else None
    else:
        scenario = builtin_scenario(name_or_file)
        default = EXAMPLE_CATALOG
    chosen = catalog or default
    if chosen is None:
        raise ScenarioError(
            f"{path}: field 'catalog': the scenario names no catalog; give --catalog FILE"
        )
    return load_catalog(chosen), scenario


def run_scenario(
    catalog: Catalog,
    scenario: Scenario,
    seed: int,
    out: str | Path,
    *,
    table_format: Literal["parquet", "csv"] = "parquet",
    catalog_ref: str | None = None,
) -> SimResult:
    """Simulate and write the signals directory (with truth.json).

    meta.json names the catalog by `catalog_ref`, else by its path relative to `out`.
    """
    ref = catalog_ref
    if ref is None and catalog.source and Path(catalog.source).is_file():
        ref = Path(os.path.relpath(Path(catalog.source).resolve(), Path(out).resolve())).as_posix()
    result = simulate(catalog, scenario, seed, catalog_ref=ref)
    write_result(result, out, table_format=table_format)
    return result
