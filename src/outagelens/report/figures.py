"""The postmortem's charts: SLI curves of the affected customers, the timeline, the blast radius."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from outagelens.investigation import IncidentInvestigation
from outagelens.report.charts import (
    Curve,
    GraphEdge,
    GraphNode,
    Marker,
    TimelinePoint,
    blast_radius_chart,
    sli_chart,
    timeline_chart,
)
from outagelens.report.model import Chart
from outagelens.signals.types import SignalSet
from outagelens.topology import Catalog


def postmortem_charts(
    catalog: Catalog,
    ii: IncidentInvestigation,
    signals: SignalSet | None,
    clean: Callable[[str], str],
) -> tuple[Chart, ...]:
    """Availability and throughput curves, timeline, blast radius; `clean` keeps text blameless."""
    sc = ii.incident.scope
    charts = []
    markers = [Marker(sc.start, "onset")]
    if sc.end is not None:
        markers.append(Marker(sc.end, "recovery", "#2ca02c"))
    if signals is not None and signals.series is not None:
        curves_a, curves_t = _curves(ii, signals, sc.start, sc.end)
        if curves_a:
            charts.append(
                Chart(
                    name="availability",
                    caption="Availability (success ratio) of affected customers,"
                    " with onset and recovery marked",
                    svg=sli_chart(
                        "Availability of affected customers", "success ratio", curves_a, markers
                    ),
                )
            )
        if curves_t:
            charts.append(
                Chart(
                    name="throughput",
                    caption="Business throughput per minute (orders, payments, "
                    "shipments) of affected customers",
                    svg=sli_chart("Business throughput", "per minute", curves_t, markers),
                )
            )
    points = [TimelinePoint(e.time, clean(e.sentence)[:70], e.kind) for e in ii.timeline]
    if points:
        charts.append(
            Chart(
                name="timeline",
                caption="Timeline of significant events",
                svg=timeline_chart(points),
            )
        )
    graph = _blast_graph(catalog, ii)
    if graph is not None:
        charts.append(
            Chart(
                name="blast-radius",
                caption="Blast radius on the dependency graph",
                svg=blast_radius_chart(*graph),
            )
        )
    return tuple(charts)


def _curves(
    ii: IncidentInvestigation, signals: SignalSet, start: datetime, end: datetime | None
) -> tuple[list[Curve], list[Curve]]:
    series = signals.series
    lo = start - timedelta(minutes=60)
    hi = (end or signals.window_end) + timedelta(minutes=60)
    times = [t.astype("datetime64[s]").astype(datetime).replace(tzinfo=UTC) for t in series.times()]
    idx = [i for i, t in enumerate(times) if lo <= t <= hi]
    if not idx:
        return [], []
    avail, thr = [], []
    for sub in ii.incident.scope.subscriptions:
        for iv in sub.intervals:
            key = (sub.customer, sub.service, iv.location)
            if key not in series:
                continue
            label = f"{sub.customer} {sub.service} {iv.location}"
            a = series.get(key, "availability")
            avail.append(Curve(label, [times[i] for i in idx], [float(a[i]) for i in idx]))
            t = series.get(key, "throughput")
            if not all(v != v for v in t[idx[0] : idx[-1] + 1]):  # skip all-NaN
                thr.append(Curve(label, [times[i] for i in idx], [float(t[i]) for i in idx]))
    return avail, thr


def _blast_graph(
    catalog: Catalog, ii: IncidentInvestigation
) -> tuple[list[GraphNode], list[GraphEdge]] | None:
    top = ii.top
    if top is None or not all(catalog.has(e) for e in top.entities):
        return None
    prop = catalog.propagate(top.entities)
    nodes: dict[str, GraphNode] = {e: GraphNode(e, e, "root") for e in top.entities}
    edges: set[tuple[str, str]] = set()
    affected = [s.subscription for s in ii.incident.scope.subscriptions]
    for sid in affected:
        path = prop.paths.get(sid)
        if path is None:
            if sid in catalog.subscriptions:
                nodes.setdefault(sid, GraphNode(sid, sid, "partial"))
            continue
        for a, b in zip(path[1:], path[:-1], strict=True):
            edges.add((a, b))
        for n in path:
            if n not in nodes:
                role = "subscription" if n in catalog.subscriptions else "down"
                nodes[n] = GraphNode(n, n, role)
    for sid in affected:
        if sid in catalog.subscriptions:
            cust = catalog.subscriptions[sid].customer
            nodes.setdefault(cust.id, GraphNode(cust.id, cust.name, "customer"))
            edges.add((sid, cust.id))
            if sid not in prop.paths:
                # Active-active subscriptions lost a location: link the lost deployment.
                svc = catalog.subscriptions[sid].service
                for dep in prop.deployments:
                    if dep.startswith(f"{svc}@"):
                        edges.add((dep, sid))
                        nodes.setdefault(dep, GraphNode(dep, dep, "down"))
    ordered = sorted(nodes.values(), key=lambda n: n.id)
    return ordered, [GraphEdge(a, b) for a, b in sorted(edges)]
