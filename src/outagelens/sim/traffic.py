"""Ingress traffic per (location, edge component): requests, bytes, source networks, SYN ratio.

The baseline follows the customers' request rates at the site (plus traffic of the provider's
other, uncatalogued tenants); attacks and flash sales multiply it over their spans. A site
whose edge is down for another reason stops reporting (NaN), as its collectors are down too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from outagelens.signals.frames import TrafficSet
from outagelens.sim.faults.base import EDGE_KINDS, TrafficEffect, components_at
from outagelens.sim.faults.cyberattack import _FALLBACK_KINDS
from outagelens.sim.scenario import NoiseConfig
from outagelens.sim.telemetry import daily_shape
from outagelens.sim.timeline import PhaseOutcome, Rows
from outagelens.topology import Catalog

F32 = np.float32


def traffic_keys(catalog: Catalog) -> list[tuple[str, str]]:
    """(location, edge component) pairs: the site's edges, else its first router or LB."""
    keys: list[tuple[str, str]] = []
    for loc in catalog.locations:
        edges = (
            components_at(catalog, loc, EDGE_KINDS)
            or components_at(catalog, loc, _FALLBACK_KINDS)[:1]
        )
        keys.extend((loc, e.id) for e in edges)
        if not edges:
            keys.append((loc, loc))
    return sorted(keys)


def _envelope(n_minutes: int, effect: TrafficEffect) -> np.ndarray:
    """0..1 over the effect: linear ramp up from start, hold, linear ramp down after end."""
    t = np.arange(n_minutes, dtype=np.float64)
    ramp = max(effect.ramp_minutes, 1.0)
    up = np.clip((t - effect.start) / ramp, 0, 1)
    down = np.clip(1 - (t - effect.end) / ramp, 0, 1)
    return (up * down).astype(F32)


def generate_traffic(
    catalog: Catalog,
    rows: Rows,
    request_rate: np.ndarray,
    effects: Sequence[TrafficEffect],
    outcomes: Sequence[PhaseOutcome],
    start: datetime,
    n_minutes: int,
    noise: NoiseConfig,
    rng: np.random.Generator,
) -> TrafficSet:
    """The TrafficSet of a scenario."""
    keys = traffic_keys(catalog)
    n = len(keys)
    per_loc: dict[str, list[int]] = {}
    for i, (loc, _) in enumerate(keys):
        per_loc.setdefault(loc, []).append(i)
    rows_at: dict[str, list[int]] = {}
    for r, loc in enumerate(rows.location):
        rows_at.setdefault(loc, []).append(r)
    tz = np.array([_tz(rows, rows_at, loc) for loc, _ in keys])
    shape = daily_shape(start, n_minutes, tz, np.full(n, 0.55))
    other = rng.lognormal(np.log(300), 0.8, size=n).astype(F32)  # uncatalogued tenants
    req: np.ndarray = other[:, None] * shape
    for loc, idx in per_loc.items():
        sel = rows_at.get(loc)
        if sel:
            site = np.asarray(np.nansum(request_rate[sel], axis=0, dtype=np.float64), dtype=F32)
            req[idx] += site[None, :] / len(idx)
    sd = F32(noise.series_noise)
    req *= np.clip(1 + sd * rng.standard_normal((n, n_minutes), dtype=F32), 0.05, None)
    distinct = F32(25) * np.power(req, F32(0.6))
    distinct *= np.exp(sd * rng.standard_normal((n, n_minutes), dtype=F32))
    new = distinct * rng.uniform(0.01, 0.03, size=(n, 1)).astype(F32)
    syn: np.ndarray = np.clip(
        F32(0.03) + F32(0.005) * rng.standard_normal((n, n_minutes), dtype=F32), 0.005, 1
    )
    bytes_per_req = rng.uniform(6_000, 40_000, size=(n, 1)).astype(F32)
    for effect in effects:
        env = _envelope(n_minutes, effect)
        for i in per_loc.get(effect.location, []):
            req[i] *= 1 + (effect.requests - 1) * env
            distinct[i] *= 1 + (effect.distinct_sources - 1) * env
            new[i] = np.maximum(new[i], distinct[i] * effect.new_source_share * env)
            if effect.syn_ratio is not None:
                syn[i] = syn[i] * (1 - env) + effect.syn_ratio * env
    out = {
        "requests_per_s": req,
        "bytes_per_s": req * bytes_per_req,
        "distinct_source_networks": np.round(distinct),
        "new_source_networks": np.round(new),
        "syn_ratio": syn.astype(F32),
    }
    _blind_dead_edges(keys, out, outcomes, n_minutes)
    return TrafficSet(start=start, n_minutes=n_minutes, keys=tuple(keys), values=out)


def _tz(rows: Rows, rows_at: dict[str, list[int]], loc: str) -> float:
    sel = rows_at.get(loc)
    return float(rows.tz_hours[sel[0]]) if sel else 0.0


def _blind_dead_edges(
    keys: Sequence[tuple[str, str]],
    values: dict[str, np.ndarray],
    outcomes: Sequence[PhaseOutcome],
    n_minutes: int,
) -> None:
    """No samples from an edge that is down because something under it failed."""
    for outcome in outcomes:
        prop, phase = outcome.propagation, outcome.phase
        if phase.mode != "down":
            continue
        down = prop.down
        a = max(0, int(phase.start))
        b = min(n_minutes, int(np.ceil(phase.end)))
        for i, (loc, comp) in enumerate(keys):
            dead = comp in down and comp not in phase.failed
            if dead or (loc in down and loc == comp):
                for arr in values.values():
                    arr[i, a:b] = np.nan
