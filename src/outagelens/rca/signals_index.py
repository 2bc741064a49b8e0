"""Evidence on components: alarms, changes, edge traffic and hazards, indexed for the RCA.

Everything here is about the *candidate* root causes themselves (the symptoms are about what
depends on them). Traffic at each edge is summarised once per investigation into an
`EdgeTraffic` verdict: a surge with a new, SYN-heavy source mix (an attack) or a surge with the
usual source mix (a legitimate flash crowd, which must not look like DDoS).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from outagelens.errors import ConfigError
from outagelens.signals.cap import hazard_area_matches
from outagelens.signals.types import Change, HardwareAlarm, Hazard, SignalSet
from outagelens.topology.catalog import Catalog

POWER_ALARMS = frozenset({"utility_power_loss", "ups_on_battery", "generator_start"})
ENVIRONMENT_ALARMS = frozenset({"cooling_failure", "over_temperature", "water_leak", "fire_alarm"})


@dataclass(frozen=True, slots=True)
class TrafficConfig:
    """Thresholds of the edge-traffic verdict (ratios to the pre-onset baseline)."""

    surge_factor: float = 2.5  # requests this many times baseline: a surge
    new_source_share: float = 0.3  # share of never-seen source networks that marks an attack
    syn_ratio_rise: float = 0.2  # rise of the SYN share that marks a SYN flood
    baseline_minutes: int = 60
    lookaround_minutes: int = 20  # an attack ramps up before the edge gives in
    lookahead_minutes: int = 15  # and peaks after the first errors

    def __post_init__(self) -> None:
        if not self.surge_factor > 1:
            raise ConfigError(f"TrafficConfig.surge_factor must be > 1, got {self.surge_factor}")
        for name in ("new_source_share", "syn_ratio_rise"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ConfigError(f"TrafficConfig.{name} must be in (0, 1], got {value}")
        for name in ("baseline_minutes", "lookaround_minutes", "lookahead_minutes"):
            value = getattr(self, name)
            if value < 0:  # 0 is allowed: an empty window finds no surge
                raise ConfigError(f"TrafficConfig.{name} must be >= 0, got {value}")


@dataclass(frozen=True, slots=True)
class EdgeTraffic:
    """Traffic at one edge around an onset: surge factor and source-mix features."""

    location: str
    component: str
    surge: float
    new_share: float
    base_new_share: float
    syn_ratio: float
    base_syn_ratio: float
    peak_time: datetime | None
    attack: bool
    flash_crowd: bool

    def sentence(self) -> str:
        """One readable sentence."""
        what = (
            "attack-like" if self.attack else "legitimate-looking" if self.flash_crowd else "normal"
        )
        return (
            f"Ingress at {self.component} ({self.location}) peaked at {self.surge:.1f}x baseline, "
            f"new source networks {100 * self.new_share:.0f}% (usually "
            f"{100 * self.base_new_share:.0f}%), SYN share {100 * self.syn_ratio:.0f}% (usually "
            f"{100 * self.base_syn_ratio:.0f}%): {what} traffic"
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OPEN = np.iinfo(np.int64).max


def _micros(t: datetime) -> int:
    return (t - _EPOCH) // timedelta(microseconds=1)


class ActiveIntervals:
    """Components' event intervals [time, until] (until: cleared, or open), queried by window
    in numpy: which components have an interval meeting [start, end]."""

    def __init__(self, events: Sequence[tuple[str, datetime, datetime | None]]) -> None:
        self.components = [c for c, _, _ in events]
        self.since = np.array([_micros(t) for _, t, _ in events], dtype=np.int64)
        self.until = np.array(
            [_OPEN if u is None else _micros(u) for _, _, u in events], dtype=np.int64
        )

    def meeting(self, start: datetime, end: datetime) -> frozenset[str]:
        """Components with an interval that starts by `end` and lasts until `start` or later."""
        hit = (self.since <= _micros(end)) & (self.until >= _micros(start))
        comps = self.components
        return frozenset(comps[i] for i in np.flatnonzero(hit).tolist())


@dataclass(slots=True)
class SignalsIndex:
    """Alarms, changes and hazards by component/location; traffic analysed on demand."""

    catalog: Catalog
    signals: SignalSet
    traffic_config: TrafficConfig = field(default_factory=TrafficConfig)
    alarms: dict[str, list[HardwareAlarm]] = field(default_factory=dict)
    changes: dict[str, list[Change]] = field(default_factory=dict)
    hazard_locations: list[tuple[Hazard, frozenset[str]]] = field(default_factory=list)
    _traffic: dict[tuple[str, int], list[EdgeTraffic | None]] = field(default_factory=dict)
    _alarmed: dict[tuple[datetime, datetime], frozenset[str]] = field(default_factory=dict)
    _edge_rows: dict[str, list[int]] = field(default_factory=dict)
    _surge_possible: dict[int, np.ndarray] = field(default_factory=dict)
    _alarm_intervals: ActiveIntervals = field(default_factory=lambda: ActiveIntervals(()))
    _change_times: dict[str, list[datetime]] = field(default_factory=dict)  # sorted
    _last_column: tuple[datetime, int] | None = None  # `edge_traffic`'s last onset's minute

    @classmethod
    def build(cls, catalog: Catalog, signals: SignalSet) -> SignalsIndex:
        """Index the signals against the catalog."""
        idx = cls(catalog, signals)
        for a in signals.hardware:
            idx.alarms.setdefault(a.component, []).append(a)
        for c in signals.changes:
            idx.changes.setdefault(c.component, []).append(c)
        idx._change_times = {k: sorted(c.time for c in v) for k, v in idx.changes.items()}
        idx._alarm_intervals = ActiveIntervals(
            [(a.component, a.time, a.cleared_at) for a in signals.hardware]
        )
        records = [loc for loc in catalog.locations.values() if loc.lat is not None]
        for hz in signals.hazards:
            if hz.status != "Actual" or hz.msg_type == "Cancel":
                continue
            locs = {m.location for m in hazard_area_matches(hz, records)}  # type: ignore[arg-type]
            if not locs:
                # Geocode-only areas still match locations without coordinates.
                locs = _geocode_matches(hz, catalog)
            idx.hazard_locations.append((hz, frozenset(locs)))
        return idx

    def alarms_between(self, component: str, start: datetime, end: datetime) -> list[HardwareAlarm]:
        """Alarms raised by a component in [start, end] (or still active at start)."""
        return [
            a
            for a in self.alarms.get(component, ())
            if a.time <= end and (a.time >= start or (a.cleared_at or end) >= start)
        ]

    def alarmed_components(self, start: datetime, end: datetime) -> frozenset[str]:
        """Components with an alarm raised in [start, end] or still active at start."""
        key = (start, end)
        if key not in self._alarmed:
            self._alarmed[key] = self._alarm_intervals.meeting(start, end)
        return self._alarmed[key]

    def changes_between(self, component: str, start: datetime, end: datetime) -> list[Change]:
        """Changes to a component in [start, end]."""
        if not self.changed_between(component, start, end):
            return []  # most asks under harsh noise: a bisection instead of a scan
        return [c for c in self.changes.get(component, ()) if start <= c.time <= end]

    def changed_between(self, component: str, start: datetime, end: datetime) -> bool:
        """Whether a component changed in [start, end]."""
        times = self._change_times.get(component)
        if not times:
            return False
        i = bisect_left(times, start)
        return i < len(times) and times[i] <= end

    def hazards_at(self, location: str, start: datetime, end: datetime) -> list[Hazard]:
        """Hazards whose area covers a location and that are in force during [start, end]."""
        out = []
        for hz, locs in self.hazard_locations:
            if location not in locs:
                continue
            expires = hz.expires
            if hz.onset <= end and (expires is None or expires >= start):
                out.append(hz)
        return out

    def hazards_elsewhere(self, location: str, start: datetime, end: datetime) -> list[Hazard]:
        """Hazards in force during [start, end] whose area does not cover the location."""
        out = []
        for hz, locs in self.hazard_locations:
            expires = hz.expires
            active = hz.onset <= end and (expires is None or expires >= start)
            if active and location not in locs:
                out.append(hz)
        return out

    def edge_traffic(self, location: str, onset: datetime) -> list[EdgeTraffic]:
        """Traffic verdicts for every edge key in a location that surged around `onset`."""
        tr = self.signals.traffic
        last = self._last_column
        if last is not None and last[0] == onset:
            col = last[1]  # the candidates of an incident ask about one onset
        else:
            col = tr.minute_index(onset)
            self._last_column = (onset, col)
        cache_key = (location, col)
        if cache_key not in self._traffic:
            if not self._edge_rows:
                for r, k in enumerate(tr.keys):
                    self._edge_rows.setdefault(k[0], []).append(r)
            rows = self._edge_rows.get(location, [])
            self._traffic[cache_key] = [
                _edge(tr, r, col, self.traffic_config) if self._may_surge(r, col) else None
                for r in rows
            ]
        return [e for e in self._traffic[cache_key] if e is not None]

    def _may_surge(self, r: int, col: int) -> bool:
        """False when edge key `r` cannot have surged around minute `col` (see
        `surge_possible`); under harsh noise thousands of onsets ask about quiet edges."""
        possible = self._surge_possible.get(r)
        if possible is None:
            req = self.signals.traffic.values["requests_per_s"][r]
            possible = self._surge_possible[r] = surge_possible(req, self.traffic_config)
        return not 0 <= col < possible.size or bool(possible[col])


def surge_possible(req: np.ndarray, cfg: TrafficConfig) -> np.ndarray:
    """Per minute of one edge's request rate, whether `_edge` may find a surge there: False
    only where the peak around the minute stays under `surge_factor` times the *smallest*
    baseline sample (the baseline median is never smaller), so `_edge` would say None. The
    first minutes, whose baseline window `_edge` shortens, are always True, and so is every
    minute when a window is empty (`_edge` itself then says None)."""
    x = req.astype(np.float64)
    n = x.size
    la, lh, bm = cfg.lookaround_minutes, cfg.lookahead_minutes, cfg.baseline_minutes
    out = np.ones(n, dtype=bool)
    first = la + bm  # from here the baseline [col - la - bm, col - la) lies inside the row
    if n <= first or bm <= 0 or la < 0 or lh < 0 or la + lh == 0:
        return out
    cols = np.arange(first, n)
    base_min = np.fmin.reduce(sliding_window_view(x, bm), axis=1)[cols - first]
    padded = np.concatenate([x, np.full(lh, np.nan)])
    peak = np.fmax.reduce(sliding_window_view(padded, la + lh), axis=1)[cols - la]
    with np.errstate(invalid="ignore", over="ignore"):
        # NaN (no samples) compares False: kept possible, and `_edge` decides.
        quiet = peak < cfg.surge_factor * base_min * (1.0 - 1e-9)
    out[cols] = ~quiet
    return out


def _geocode_matches(hz: Hazard, catalog: Catalog) -> set[str]:
    out: set[str] = set()
    for info in hz.infos:
        for area in info.areas:
            for name, value in area.geocodes:
                for loc in catalog.locations.values():
                    if loc.geocodes.get(name) == value:
                        out.add(loc.id)
    return out


def _window_median(row: np.ndarray, a: int, b: int) -> float:
    seg = row[max(0, a) : max(0, b)]
    seg = seg[np.isfinite(seg)]
    return float(np.median(seg)) if seg.size else float("nan")


def _window_max(row: np.ndarray, a: int, b: int) -> tuple[float, int]:
    seg = row[max(0, a) : max(0, b)].astype(np.float64)
    if seg.size == 0 or not np.isfinite(seg).any():
        return float("nan"), -1
    i = int(np.nanargmax(seg))
    return float(seg[i]), max(0, a) + i


def _edge(tr: object, r: int, col: int, cfg: TrafficConfig) -> EdgeTraffic | None:
    from outagelens.signals.frames import TrafficSet

    assert isinstance(tr, TrafficSet)
    req = tr.values["requests_per_s"][r]
    distinct = tr.values["distinct_source_networks"][r]
    new = tr.values["new_source_networks"][r]
    syn = tr.values["syn_ratio"][r]
    b0, b1 = col - cfg.lookaround_minutes - cfg.baseline_minutes, col - cfg.lookaround_minutes
    if b1 <= 0:
        b0, b1 = 0, max(1, col - 5)
    base_req = _window_median(req, b0, b1)
    peak, at = _window_max(req, col - cfg.lookaround_minutes, col + cfg.lookahead_minutes)
    if not np.isfinite(base_req) or not np.isfinite(peak) or base_req <= 0:
        return None
    surge = peak / base_req
    if surge < cfg.surge_factor:
        return None  # neither an attack nor a flash crowd: the source mix does not matter
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(distinct > 0, new / distinct, np.nan)
    base_share = _window_median(share, b0, b1)
    base_syn = _window_median(syn, b0, b1)
    lo, hi = max(0, at - 3), at + 4
    cur_share = _window_median(share, lo, hi)
    cur_syn = _window_median(syn, lo, hi)
    novel = np.isfinite(cur_share) and cur_share - np.nan_to_num(base_share) >= cfg.new_source_share
    flood = np.isfinite(cur_syn) and cur_syn - np.nan_to_num(base_syn) >= cfg.syn_ratio_rise
    attack = bool(surge >= cfg.surge_factor and (novel or flood))
    return EdgeTraffic(
        location=tr.keys[r][0],
        component=tr.keys[r][1],
        surge=float(surge),
        new_share=float(np.nan_to_num(cur_share)),
        base_new_share=float(np.nan_to_num(base_share)),
        syn_ratio=float(np.nan_to_num(cur_syn)),
        base_syn_ratio=float(np.nan_to_num(base_syn)),
        peak_time=tr.time_at(at) if at >= 0 else None,
        attack=attack,
        flash_crowd=bool(surge >= cfg.surge_factor and not attack),
    )


def window(
    onset: datetime, before_minutes: float, after_minutes: float
) -> tuple[datetime, datetime]:
    """[onset - before, onset + after]."""
    return onset - timedelta(minutes=before_minutes), onset + timedelta(minutes=after_minutes)


def sorted_unique(items: Sequence[str]) -> tuple[str, ...]:
    """Sorted, de-duplicated ids."""
    return tuple(sorted(set(items)))
