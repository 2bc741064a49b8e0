"""Alertmanager-shaped alerts derived from row and component state, with realistic flaws.

Every maximal run of a row being unhealthy becomes a service alert; every component that a
phase takes down becomes a component alert. Then the noise knobs act: some alerts never fire,
the rest fire late, some flap (resolve and refire under the same fingerprint), and healthy
entities raise a few short false alarms. Fingerprints are Alertmanager's (signals package).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

import numpy as np

from outagelens.signals.types import Alert
from outagelens.sim.faults.base import TrafficEffect
from outagelens.sim.scenario import NoiseConfig
from outagelens.sim.timeline import DOWN, PhaseOutcome, Rows
from outagelens.topology import Catalog

PROMETHEUS_URL = "http://prometheus.monitoring.example:9090/graph?g0.expr="


@dataclass(frozen=True)
class AlertRun:
    """An alert that should fire over [start, end) minutes (end may pass the window)."""

    labels: dict[str, str]
    summary: str
    expr: str
    start: float
    end: float
    essential: bool = field(default=False, compare=False)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the True runs in a 1-D boolean array."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def service_runs(rows: Rows, states: dict[int, np.ndarray]) -> list[AlertRun]:
    """One alert run per unhealthy stretch of each row: down, or high error ratio."""
    out = []
    for row in sorted(states):
        customer, service, location = rows.keys[row]
        base = {"customer": customer, "service": service, "location": location}
        state = states[row]
        for a, b in _runs(state >= 1):
            down = bool(np.any(state[a:b] == DOWN))
            name = "ServiceDown" if down else "ServiceErrorRateHigh"
            labels = {**base, "alertname": name, "severity": "critical" if down else "error"}
            labels["job"] = "blackbox-probes" if down else "sli-recording-rules"
            what = "not answering" if down else "returning errors above the SLO burn rate"
            expr = (
                f'probe_success{{customer="{customer}",service="{service}"}} == 0'
                if down
                else f'sli:error_ratio:rate5m{{customer="{customer}"}} > 0.05'
            )
            summary = f"{service} for {customer} in {location} is {what}"
            out.append(AlertRun(labels, summary, expr, a, b))
    return out


def component_runs(catalog: Catalog, outcomes: Sequence[PhaseOutcome]) -> list[AlertRun]:
    """Alert runs for components and sites that phases take down, or degrade directly."""
    down: dict[str, list[tuple[float, float]]] = {}
    degraded: dict[str, list[tuple[float, float]]] = {}
    for outcome in outcomes:
        phase, prop = outcome.phase, outcome.propagation
        if phase.mode == "down":
            for cid in (*prop.locations, *prop.components):
                down.setdefault(cid, []).append((phase.start, phase.end))
        else:  # only the degraded component itself shows it; its dependents see errors
            for cid in phase.failed:
                if cid in catalog.components:
                    degraded.setdefault(cid, []).append((phase.start, phase.end))
    out: list[AlertRun] = []
    for cid in sorted(down):
        if cid in catalog.locations:
            labels = {"alertname": "SiteUnreachable", "severity": "critical", "location": cid}
            labels["job"] = "blackbox-probes"
            summary, expr = f"site {cid} unreachable from all probes", "up{site=~'.+'} == 0"
        else:
            labels = _component_labels(catalog, cid, "ComponentDown", "critical")
            summary = f"{_title(catalog, cid)} is down"
            expr = f'up{{component="{cid}"}} == 0'
        out.extend(AlertRun(labels, summary, expr, a, b) for a, b in _merge(down[cid]))
    for cid in sorted(degraded):
        labels = _component_labels(catalog, cid, "ComponentDegraded", "error")
        expr = f'component:error_ratio:rate5m{{component="{cid}"}} > 0.05'
        runs = _merge(degraded[cid])
        summary = f"{_title(catalog, cid)} shows errors or saturation"
        out.extend(AlertRun(labels, summary, expr, a, b) for a, b in runs)
    return out


def _title(catalog: Catalog, cid: str) -> str:
    comp = catalog.components[cid]
    return f"{comp.name or cid} ({comp.kind})"


def _component_labels(catalog: Catalog, cid: str, name: str, severity: str) -> dict[str, str]:
    comp = catalog.components[cid]
    labels = {"alertname": name, "severity": severity, "component": cid, "kind": str(comp.kind)}
    if comp.location:
        labels["location"] = comp.location
    labels["job"] = "node-exporter"
    return labels


def traffic_runs(
    edges: Sequence[tuple[str, str]], effects: Sequence[TrafficEffect]
) -> list[AlertRun]:
    """Edge alerts for ingress surges: a warning for any surge, critical for a SYN flood."""
    out: list[AlertRun] = []
    for effect in effects:
        if effect.requests < 1.5:
            continue
        start, end = effect.start + effect.ramp_minutes / 2, effect.end + effect.ramp_minutes / 2
        for location, component in edges:
            if location != effect.location:
                continue
            base = {"location": location, "component": component, "job": "edge-flow-monitor"}
            labels = {**base, "alertname": "EdgeIngressHigh", "severity": "warning"}
            summary = f"ingress at {component} far above its usual level"
            expr = f'edge:requests:rate1m{{component="{component}"}} > 3 * edge:requests:baseline'
            out.append(AlertRun(labels, summary, expr, start, end))
            if effect.syn_ratio is not None and effect.syn_ratio >= 0.3:
                labels = {**base, "alertname": "EdgeSynFloodSuspected", "severity": "critical"}
                summary = f"SYN share of TCP packets at {component} above 30 %"
                expr = f'edge:syn_ratio:1m{{component="{component}"}} > 0.3'
                out.append(AlertRun(labels, summary, expr, start + 1, end))
    return out


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def false_alarm_runs(
    catalog: Catalog, rows: Rows, n_minutes: int, noise: NoiseConfig, rng: np.random.Generator
) -> list[AlertRun]:
    """Short spurious warnings on random entities, at the false-alarm rate."""
    comp_ids = list(catalog.components)
    population = len(rows.keys) + len(comp_ids)
    expected = noise.false_alarm_rate * population * n_minutes / 1440
    count = int(rng.poisson(expected)) if population and expected > 0 else 0
    out = []
    for _ in range(count):
        start = float(rng.uniform(0, max(1, n_minutes - 5)))
        length = float(rng.uniform(3, 15))
        pick = int(rng.integers(population))
        if pick < len(rows.keys):
            customer, service, location = rows.keys[pick]
            labels = {
                "alertname": "ServiceLatencyHigh",
                "severity": "warning",
                "customer": customer,
                "service": service,
                "location": location,
                "job": "sli-recording-rules",
            }
            summary = f"p95 latency of {service} for {customer} above objective"
            expr = f'sli:latency_p95:5m{{customer="{customer}"}} > 500'
        else:
            comp = catalog.components[comp_ids[pick - len(rows.keys)]]
            name = ("HostHighCpuLoad", "DiskSpaceLow", "NodeClockSkew")[int(rng.integers(3))]
            labels = {
                "alertname": name,
                "severity": "warning",
                "component": comp.id,
                "job": "node-exporter",
            }
            if comp.location:
                labels["location"] = comp.location
            summary, expr = f"{name} on {comp.id}", f'{name}{{component="{comp.id}"}}'
        out.append(AlertRun(labels, summary, expr, start, start + length))
    return out


def add_noise(
    runs: Sequence[AlertRun], noise: NoiseConfig, rng: np.random.Generator
) -> list[AlertRun]:
    """Drop, delay and split (flap) alert runs according to the noise knobs."""
    out = []
    sigma = 0.6
    for run in runs:
        miss, delay_draw, flap, pieces = (
            rng.random(),
            rng.standard_normal(),
            rng.random(),
            rng.random(),
        )
        if miss < noise.missing_alert_rate and not run.essential:
            continue
        delay = 0.0
        if noise.alert_delay_minutes > 0:
            delay = float(np.exp(np.log(noise.alert_delay_minutes) + sigma * delay_draw))
            delay = min(delay, noise.alert_delay_max_minutes)
        start = run.start + delay
        end = run.end + delay * 0.5
        if end - start < 1:
            continue  # over before the rule's `for:` elapsed: it never fires
        if flap < noise.flapping_rate and end - start > 6:
            cuts = sorted(rng.uniform(start + 1, end - 1, size=1 + int(pieces * 2)))
            bounds = [start, *cuts, end]
            for i in range(len(bounds) - 1):
                gap = float(rng.uniform(0.5, 2.5)) if i < len(bounds) - 2 else 0.0
                a, b = bounds[i], bounds[i + 1] - gap
                if b - a >= 0.5:
                    out.append(AlertRun(run.labels, run.summary, run.expr, a, b))
        else:
            out.append(AlertRun(run.labels, run.summary, run.expr, start, end))
    return out


def to_alerts(
    runs: Sequence[AlertRun], start: datetime, n_minutes: int, skew_seconds: float
) -> list[Alert]:
    """Alertmanager alerts as seen at the window end: resolved if over, firing otherwise."""
    out = []
    for run in runs:
        if run.start >= n_minutes:
            continue
        begin = _at(start, run.start, skew_seconds)
        firing = run.end >= n_minutes
        out.append(
            Alert.model_validate(
                {
                    "status": "firing" if firing else "resolved",
                    "labels": run.labels,
                    "annotations": {"summary": run.summary},
                    "startsAt": begin,
                    "endsAt": None if firing else _at(start, run.end, skew_seconds),
                    "generatorURL": PROMETHEUS_URL + quote(run.expr, safe=""),
                }
            )
        )
    return out


def _at(start: datetime, minute: float, skew_seconds: float) -> datetime:
    """Window start + minutes + skew, to the millisecond (as Alertmanager writes times)."""
    ms = round(minute * 60_000 + skew_seconds * 1000)
    return start + timedelta(milliseconds=max(0, ms))
