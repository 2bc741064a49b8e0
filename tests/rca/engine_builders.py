"""Builders for engine tests: hand-built catalogs and signal sets with an injected failure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from outagelens.signals.frames import SeriesSet, TrafficSet
from outagelens.signals.types import (
    Alert,
    CapArea,
    CapInfo,
    Change,
    HardwareAlarm,
    Hazard,
    Meta,
    SignalSet,
)
from outagelens.topology.catalog import Catalog
from outagelens.topology.loader import catalog_from_dict, load_catalog

START = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
MINUTES = 180
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "three-customers.yaml"


@lru_cache(maxsize=1)
def example_catalog() -> Catalog:
    """The three-customer example catalog."""
    return load_catalog(EXAMPLE)


def at(minute: float) -> datetime:
    """Window start + minutes."""
    return START + timedelta(minutes=minute)


def small_catalog_dict() -> dict[str, Any]:
    """Two sites; site a has redundant power and spines, a fabric, a SAN and two apps."""
    comp = lambda cid, kind, loc="a", **kw: {"id": cid, "kind": kind, "location": loc, **kw}  # noqa: E731
    return {
        "version": 1,
        "provider": {"name": "Tiny Cloud"},
        "locations": [
            {
                "id": "a",
                "region": "r1",
                "geography": "Alpha, DE",
                "lat": 50.0,
                "lon": 8.0,
                "geocodes": {"NUTS3": "A1"},
            },
            {
                "id": "b",
                "region": "r2",
                "geography": "Beta, NL",
                "lat": 52.0,
                "lon": 5.0,
                "geocodes": {"NUTS3": "B1"},
            },
        ],
        "components": [
            comp("grid-a", "utility_feed"),
            comp("gen-a", "generator"),
            comp(
                "power-a",
                "power",
                redundancy=[{"name": "src", "k": 1, "members": ["grid-a", "gen-a"]}],
            ),
            comp("spine-1", "switch", requires=["power-a"]),
            comp("spine-2", "switch", requires=["power-a"]),
            comp(
                "fabric",
                "network",
                software={"name": "eos"},
                redundancy=[{"name": "spines", "k": 1, "members": ["spine-1", "spine-2"]}],
            ),
            comp("edge-a", "edge", requires=["fabric"]),
            comp("san", "storage", requires=["fabric"]),
            comp("hv", "hypervisor", requires=["san"]),
            comp("db", "database", requires=["hv"], software={"name": "postgresql"}),
            comp("lb", "load_balancer", requires=["edge-a", "hv"], software={"name": "haproxy"}),
            comp("colo-net", "network", requires=["fabric"]),
            comp("hv-b", "hypervisor", loc="b"),
            comp("lb-b", "load_balancer", loc="b", requires=["hv-b"]),
        ],
        "services": [
            {
                "id": "web",
                "name": "Web",
                "locations": {"a": {"requires": ["lb"]}, "b": {"requires": ["lb-b"]}},
            },
            {"id": "sql", "name": "SQL", "locations": {"a": {"requires": ["db"]}}},
            {"id": "colo", "name": "Colo", "locations": {"a": {"requires": ["colo-net"]}}},
        ],
        "customers": [
            {
                "id": "shop",
                "name": "Shop",
                "industry": "retail",
                "subscriptions": [
                    {"service": "web", "locations": ["a", "b"], "min_healthy_locations": 1}
                ],
            },
            {
                "id": "bank",
                "name": "Bank",
                "industry": "banking",
                "subscriptions": [
                    {"service": "web", "locations": ["a"]},
                    {"service": "sql", "locations": ["a"]},
                ],
            },
            {
                "id": "tenant",
                "name": "Tenant",
                "industry": "logistics",
                "subscriptions": [{"service": "colo", "locations": ["a"]}],
            },
            {
                "id": "travel",
                "name": "Travel",
                "industry": "travel",
                "subscriptions": [{"service": "web", "locations": ["b"]}],
            },
        ],
    }


@lru_cache(maxsize=1)
def small_catalog() -> Catalog:
    """The hand-built two-site catalog."""
    return catalog_from_dict(small_catalog_dict(), source="small")


@dataclass
class Injection:
    """A failure to inject and the evidence around it."""

    failed: Sequence[str]
    onset: float = 60.0
    duration: float | None = 45.0  # None: ongoing at window end
    degraded: bool = False
    alert_delay: float = 3.0
    component_alerts: bool = True
    service_alerts: bool = True
    alarms: list[tuple[str, str, float]] = field(default_factory=list)  # (component, kind, minute)
    changes: list[tuple[str, float]] = field(default_factory=list)  # (component, minute)
    hazards: list[tuple[str, float]] = field(default_factory=list)  # (NUTS3 code, minute)
    surges: list[tuple[str, float, float, float]] = field(default_factory=list)
    # (location, factor, new-source share, syn ratio) starting at onset - 5
    missing_series: Sequence[str] = ()  # customer ids whose series are absent


def _rows(catalog: Catalog) -> list[tuple[str, str, str]]:
    return sorted(
        (ref.customer.id, ref.service, loc)
        for ref in catalog.subscriptions.values()
        for loc in ref.subscription.locations
    )


def down_rows(catalog: Catalog, failed: Sequence[str]) -> set[tuple[str, str, str]]:
    """Series keys a failure takes down: the subscription, or its site in one location."""
    if not failed:
        return set()
    prop = catalog.propagate(failed)
    out = set()
    for cust, svc, loc in _rows(catalog):
        sub = next(
            r.id
            for r in catalog.subscriptions.values()
            if r.customer.id == cust and r.service == svc
        )
        if sub in prop.down or f"{svc}@{loc}" in prop.down or loc in prop.down:
            out.add((cust, svc, loc))
    return out


def build_signals(catalog: Catalog, inj: Injection, seed: int = 1) -> SignalSet:
    """Series, alerts and evidence for an injected failure on a catalog."""
    rng = np.random.default_rng(seed)
    a = int(inj.onset)
    b = MINUTES if inj.duration is None else min(MINUTES, int(inj.onset + inj.duration))
    bad = down_rows(catalog, inj.failed)
    series: dict[tuple[str, ...], dict[str, np.ndarray]] = {}
    alerts: list[Alert] = []
    t = np.arange(MINUTES)
    for key in _rows(catalog):
        if key[0] in inj.missing_series:
            continue
        rate = (
            100
            * (1 + 0.2 * np.sin(2 * np.pi * t / 1440))
            * (1 + 0.03 * rng.standard_normal(MINUTES))
        )
        err_ratio = np.clip(0.001 + 0.0005 * rng.standard_normal(MINUTES), 0, 1)
        lat = 80 * (1 + 0.05 * rng.standard_normal(MINUTES))
        if key in bad:
            err_ratio[a:b] = 0.3 if inj.degraded else 0.98
            lat[a:b] = 400 if inj.degraded else 10000
        series[key] = {
            "availability": 1 - err_ratio,
            "request_rate": rate,
            "error_rate": rate * err_ratio,
            "latency_p95_ms": lat,
        }
        if key in bad and inj.service_alerts:
            sev = "error" if inj.degraded else "critical"
            alerts.append(
                _alert(
                    {
                        "alertname": "ServiceDown",
                        "severity": sev,
                        "customer": key[0],
                        "service": key[1],
                        "location": key[2],
                    },
                    inj.onset + inj.alert_delay,
                    inj.duration,
                    b,
                )
            )
    if inj.component_alerts and inj.failed and not inj.degraded:
        prop = catalog.propagate(inj.failed)
        for cid in (*prop.components, *prop.locations):
            labels = (
                {"alertname": "SiteUnreachable", "location": cid}
                if cid in catalog.locations
                else {"alertname": "ComponentDown", "component": cid}
            )
            alerts.append(
                _alert({**labels, "severity": "critical"}, inj.onset + 1, inj.duration, b)
            )
    return SignalSet(
        meta=Meta(window_start=START, window_end=at(MINUTES), catalog="test", generator="test"),
        series=SeriesSet.from_series(START, MINUTES, series),
        traffic=_traffic(catalog, inj, rng),
        alerts=tuple(alerts),
        changes=tuple(
            Change(
                id=f"chg-{i}",
                time=at(m),
                component=c,
                software="pkg",
                from_version="1",
                to_version="2",
                kind="deploy",
                actor="ci",
            )
            for i, (c, m) in enumerate(inj.changes)
        ),
        hardware=tuple(
            HardwareAlarm(id=f"hw-{i}", time=at(m), component=c, alarm=k, severity="critical")
            for i, (c, k, m) in enumerate(inj.alarms)
        ),
        hazards=tuple(_hazard(i, code, m) for i, (code, m) in enumerate(inj.hazards)),
    )


def _alert(labels: dict[str, str], start: float, duration: float | None, end_col: int) -> Alert:
    resolved = duration is not None
    return Alert.model_validate(
        {
            "status": "resolved" if resolved else "firing",
            "labels": labels,
            "startsAt": at(start),
            "endsAt": at(end_col + 1) if resolved else None,
        }
    )


def _hazard(i: int, code: str, minute: float) -> Hazard:
    info = CapInfo(
        categories=("Met",),
        event="Flood",
        urgency="Immediate",
        severity="Severe",
        certainty="Observed",
        onset=at(minute),
        expires=at(MINUTES + 600),
        areas=(CapArea(area_desc=f"district {code}", geocodes=(("NUTS3", code),)),),
    )
    return Hazard(
        identifier=f"hz-{i}",
        sender="dwd",
        sent=at(minute),
        status="Actual",
        msg_type="Alert",
        scope="Public",
        infos=(info,),
    )


def _traffic(catalog: Catalog, inj: Injection, rng: np.random.Generator) -> TrafficSet:
    edges = sorted(
        (c.location or "", c.id) for c in catalog.components.values() if str(c.kind) == "edge"
    )
    out: dict[tuple[str, ...], dict[str, np.ndarray]] = {}
    for loc, cid in edges:
        req = 1000 * (1 + 0.03 * rng.standard_normal(MINUTES))
        distinct = 400 * (1 + 0.03 * rng.standard_normal(MINUTES))
        new = distinct * 0.02
        syn = np.full(MINUTES, 0.04)
        for sloc, factor, share, ratio in inj.surges:
            if sloc == loc:
                s = max(0, int(inj.onset) - 5)
                req[s:] *= factor
                distinct[s:] *= 3
                new[s:] = distinct[s:] * share
                syn[s:] = ratio
        out[(loc, cid)] = {
            "requests_per_s": req,
            "bytes_per_s": req * 900,
            "distinct_source_networks": distinct,
            "new_source_networks": new,
            "syn_ratio": syn,
        }
    return TrafficSet.from_series(START, MINUTES, out)
