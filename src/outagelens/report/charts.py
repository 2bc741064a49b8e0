"""Static charts for the postmortem, as self-contained SVG text (no network needed to view them).

matplotlib renders with the Agg-free SVG backend; glyphs are embedded as paths and the output
carries no date, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import matplotlib

matplotlib.use("svg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


@dataclass(frozen=True)
class Curve:
    """One line of an SLI chart."""

    label: str
    times: Sequence[datetime]
    values: Sequence[float]


@dataclass(frozen=True)
class Marker:
    """A vertical line on a time axis (onset, recovery)."""

    time: datetime
    label: str
    color: str = "#d62728"


def _to_svg(fig: Figure) -> str:
    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "outagelens", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    # Drop the XML prolog and DOCTYPE so the SVG can be inlined in HTML.
    return text[text.index("<svg") :]


def sli_chart(
    title: str, ylabel: str, curves: Sequence[Curve], markers: Sequence[Marker] = ()
) -> str:
    """Line chart of SLI curves with onset and recovery marked."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    for i, curve in enumerate(curves):
        ax.plot(
            mdates.date2num(list(curve.times)),
            list(curve.values),
            label=curve.label,
            color=_PALETTE[i % len(_PALETTE)],
            linewidth=1.2,
        )
    for m in markers:
        ax.axvline(float(mdates.date2num(m.time)), color=m.color, linestyle="--", linewidth=1)
        ax.annotate(
            m.label,
            xy=(mdates.date2num(m.time), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=8,
            color=m.color,
        )
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.grid(alpha=0.3)
    if curves:
        ax.legend(fontsize=7, loc="lower left", ncols=2)
    return _to_svg(fig)


@dataclass(frozen=True)
class TimelinePoint:
    """An event on the timeline chart."""

    time: datetime
    label: str
    kind: str


_KIND_COLORS = {
    "change": "#9467bd",
    "alarm": "#ff7f0e",
    "hazard": "#8c564b",
    "traffic": "#17becf",
    "onset": "#d62728",
    "detection": "#1f77b4",
    "recovery": "#2ca02c",
}


def timeline_chart(points: Sequence[TimelinePoint]) -> str:
    """Horizontal timeline with one labelled tick per event, coloured by kind."""
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(points), 3) + 0.8))
    ordered = sorted(points, key=lambda p: p.time)
    for i, p in enumerate(ordered):
        color = _KIND_COLORS.get(p.kind, "#444444")
        ax.scatter(mdates.date2num([p.time]), [i], color=color, s=30, zorder=3)
        ax.annotate(
            f"{p.time:%H:%M} {p.label}",
            xy=(mdates.date2num(p.time), i),
            xytext=(6, -3),
            textcoords="offset points",
            fontsize=7.5,
        )
    ax.set_yticks([])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.grid(axis="x", alpha=0.3)
    if ordered:
        # Leave room on the right for the labels of the last events.
        span = max(ordered[-1].time - ordered[0].time, timedelta(minutes=30))
        ax.set_xlim(
            float(mdates.date2num(ordered[0].time - span * 0.02)),
            float(mdates.date2num(ordered[-1].time + span * 0.6)),
        )
    ax.set_title("Timeline (UTC)", fontsize=10)
    return _to_svg(fig)


@dataclass(frozen=True)
class GraphNode:
    """A node of the blast-radius drawing."""

    id: str
    label: str
    role: str  # root, down, subscription, customer, partial


@dataclass(frozen=True)
class GraphEdge:
    """An edge from a dependency to what depends on it (direction of failure)."""

    source: str
    target: str


_ROLE_STYLE = {
    "root": ("#d62728", "white"),
    "down": ("#f4a6a6", "black"),
    "subscription": ("#fdd0a2", "black"),
    "partial": ("#fff2b2", "black"),
    "customer": ("#c6dbef", "black"),
}


def blast_radius_chart(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> str:
    """Layered drawing: failed root on the left, the propagation path, customers on the right."""
    depth: dict[str, int] = {n.id: 0 for n in nodes if n.role == "root"}
    incoming: dict[str, list[str]] = {}
    for e in edges:
        incoming.setdefault(e.target, []).append(e.source)
    ids = [n.id for n in nodes]
    for _ in range(len(ids)):
        changed = False
        for nid in ids:
            srcs = [depth[s] for s in incoming.get(nid, []) if s in depth]
            if srcs and depth.get(nid, -1) < max(srcs) + 1:
                depth[nid] = max(srcs) + 1
                changed = True
        if not changed:
            break
    last = max(depth.values(), default=0)
    for n in nodes:
        if n.role == "customer":
            depth[n.id] = last + 1
        depth.setdefault(n.id, 0)
    columns: dict[int, list[GraphNode]] = {}
    for n in nodes:
        columns.setdefault(depth[n.id], []).append(n)
    pos: dict[str, tuple[float, float]] = {}
    tallest = max((len(c) for c in columns.values()), default=1)
    for d, col in columns.items():
        for i, n in enumerate(sorted(col, key=lambda x: x.id)):
            pos[n.id] = (float(d), (tallest - len(col)) / 2 + i)
    fig, ax = plt.subplots(figsize=(2.1 * (len(columns) + 1), 0.55 * tallest + 1.2))
    for e in edges:
        if e.source in pos and e.target in pos:
            (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
            ax.annotate(
                "",
                xy=(x1 - 0.18, y1),
                xytext=(x0 + 0.18, y0),
                arrowprops={"arrowstyle": "->", "color": "#888888", "lw": 0.8},
            )
    for n in nodes:
        face, text = _ROLE_STYLE.get(n.role, ("#dddddd", "black"))
        x, y = pos[n.id]
        ax.text(
            x,
            y,
            n.label,
            ha="center",
            va="center",
            fontsize=7,
            color=text,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": face, "edgecolor": "#555555"},
        )
    ax.set_xlim(-0.7, len(columns) - 0.3)
    ax.set_ylim(tallest - 0.3, -0.7)
    ax.axis("off")
    ax.set_title("Blast radius: failed root, propagation path, affected customers", fontsize=10)
    return _to_svg(fig)
