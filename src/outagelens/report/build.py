"""Build the `Postmortem` of one incident from the investigation, its impact and the catalog.

Every sentence is assembled from investigation data; where the data holds nothing, the text says
"unknown" (or says that nothing was recorded) rather than guessing. Wording is blameless: it
names components and changes, never people's faults.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from outagelens.impact.models import CustomerImpact, ImpactReport
from outagelens.impact.models import format_money as money
from outagelens.investigation import IncidentInvestigation
from outagelens.rca.models import Hypothesis
from outagelens.report.figures import postmortem_charts
from outagelens.report.model import (
    UNKNOWN,
    Alternative,
    CommunicationEntry,
    EvidenceLine,
    Lesson,
    Postmortem,
    RootCause,
    Row,
    Table,
    TimelineEntry,
)
from outagelens.resilience.report import ResilienceReport
from outagelens.signals.types import SignalSet
from outagelens.topology import Catalog

_CATEGORY_WORDS = {
    "hardware": "a hardware failure",
    "software": "a software or configuration change",
    "cyberattack": "a cyberattack",
    "natural_disaster": "a power or environmental event",
    "unknown": "a failure of unknown cause",
}


class _Blameless:
    """Removes the people behind changes from sentences: a postmortem names systems, not people."""

    def __init__(self, signals: SignalSet | None) -> None:
        actors = {c.actor for c in signals.changes} if signals is not None else set()
        self.actors = sorted(actors, key=len, reverse=True)

    def __call__(self, sentence: str) -> str:
        for actor in self.actors:
            sentence = sentence.replace(f" by {actor}", "").replace(actor, "an operator")
        return sentence


class _Clock:
    """Formats times in the provider's time zone, with the zone named."""

    def __init__(self, tz: str) -> None:
        self.tz = tz
        self.zone = ZoneInfo(tz)

    def full(self, t: datetime | None) -> str:
        if t is None:
            return UNKNOWN
        local = t.astimezone(self.zone)
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({t.astimezone(UTC):%H:%M} UTC)"

    def short(self, t: datetime) -> str:
        local = t.astimezone(self.zone)
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _describe(catalog: Catalog, entity: str) -> str:
    comp = catalog.components.get(entity)
    if comp is not None:
        where = ""
        if comp.location:
            loc = catalog.locations[comp.location]
            where = f" in {loc.geography} ({loc.id})"
        software = (
            f", running {comp.software.name} {comp.software.version or ''}" if comp.software else ""
        )
        kind = comp.kind.value.replace("_", " ")
        return f"{comp.name or comp.id}, a {kind} component{where}{software}".strip()
    if entity in catalog.locations:
        loc = catalog.locations[entity]
        return f"the whole site {loc.geography} ({loc.id})"
    return entity


def _customer_name(catalog: Catalog, cid: str) -> str:
    cust = catalog.customers.get(cid)
    return cust.name if cust else cid


def _summary(
    catalog: Catalog, ii: IncidentInvestigation, clock: _Clock, top: Hypothesis | None
) -> tuple[str, dict[str, str]]:
    sc = ii.incident.scope
    names = [_customer_name(catalog, c) for c in sc.customers]
    end = "is still ongoing" if sc.ongoing or sc.end is None else f"ended at {clock.full(sc.end)}"
    facts = {
        "start": clock.full(sc.start),
        "duration_minutes": f"{sc.duration_minutes:.0f}",
        "customers": str(len(sc.customers)),
        "geography": "; ".join(sc.geography) or UNKNOWN,
    }
    text = (
        f"On {clock.full(sc.start)}, services of {len(names)} customer(s) "
        f"({', '.join(names) or 'none identified'}) were disrupted in "
        f"{'; '.join(sc.geography) or 'an unknown location'}. The disruption lasted "
        f"{sc.duration_minutes:.0f} minutes and {end}. "
    )
    if top is not None:
        what = _CATEGORY_WORDS.get(top.category.value, top.category.value)
        facts["root_cause"] = ", ".join(top.entities)
        facts["category"] = what
        text += (
            f"The most likely cause is {what} of "
            f"{'; '.join(f'{_describe(catalog, e)} [{e}]' for e in top.entities)}"
            f" (confidence {100 * top.confidence:.0f}%). "
        )
    else:
        text += "The cause is unknown: the investigation reached no hypothesis. "
    if ii.impact is not None:
        t = ii.impact.totals
        facts["lost_revenue"] = money(t.lost_revenue)
        facts["credits"] = money(t.credits)
        facts["end_users"] = f"{t.end_users_affected:,}"
        text += (
            f"About {t.end_users_affected:,} end users were affected; estimated lost revenue of "
            f"the affected customers is {money(t.lost_revenue)} and SLA credits owed are "
            f"{money(t.credits)}."
        )
    else:
        text += "Financial impact: unknown."
    return text, facts


def _scope_table(catalog: Catalog, ii: IncidentInvestigation, clock: _Clock) -> Table:
    sc = ii.incident.scope
    delay = (
        UNKNOWN
        if sc.detection_delay_minutes is None
        else f"{sc.detection_delay_minutes:.1f} min (first alert {clock.full(sc.first_alert_at)})"
    )
    rows = [
        ("Start", clock.full(sc.start)),
        ("End", "ongoing" if sc.ongoing or sc.end is None else clock.full(sc.end)),
        ("Duration", f"{sc.duration_minutes:.0f} min"),
        ("Detection delay", delay),
        ("Customers", ", ".join(_customer_name(catalog, c) for c in sc.customers) or "none"),
        (
            "Services",
            ", ".join(catalog.services[s].name if s in catalog.services else s for s in sc.services)
            or "none",
        ),
        ("Locations", ", ".join(sc.locations) or UNKNOWN),
        ("Regions", ", ".join(sc.regions) or UNKNOWN),
        ("Geography", "; ".join(sc.geography) or UNKNOWN),
    ]
    return Table(title="Scope", columns=("", ""), rows=tuple(Row(cells=r) for r in rows))


def _customer_table(catalog: Catalog, ii: IncidentInvestigation, clock: _Clock) -> Table:
    by_sub = {}
    if ii.impact is not None:
        by_sub = {s.subscription: s for c in ii.impact.customers for s in c.subscriptions}
    rows = []
    for sub in ii.incident.scope.subscriptions:
        svc = catalog.services.get(sub.service)
        intervals = "; ".join(
            f"{iv.location}: {iv.state.value} ({100 * iv.failed_fraction:.0f}% failing) from "
            f"{clock.short(iv.start)}" + (f" to {clock.short(iv.end)}" if iv.end else ", ongoing")
            for iv in sub.intervals
        )
        imp = by_sub.get(sub.subscription)
        rows.append(
            Row(
                cells=(
                    _customer_name(catalog, sub.customer),
                    svc.name if svc else sub.service,
                    intervals,
                    imp.headline if imp else UNKNOWN,
                )
            )
        )
    return Table(
        title="Affected customers and services",
        columns=("customer", "service", "what happened", "impact"),
        rows=tuple(rows),
    )


def _financial(report: ImpactReport | None) -> tuple[Table, tuple[str, ...]]:
    cols = ("customer", "down / degraded min", "lost revenue", "SLA uptime (month)", "credit")
    if report is None:
        return Table(
            title="Financial and SLA impact",
            columns=cols,
            rows=(),
            note="No impact assessment was available: unknown.",
        ), ()
    rows = []
    for c in report.customers:
        rows.append(Row(cells=_customer_money(c)))
    t = report.totals
    totals = (
        f"Lost revenue across customers: {money(t.lost_revenue)}.",
        f"SLA credits owed: {money(t.credits)}.",
        f"Failed business transactions: {t.failed_transactions:,.0f}; failed requests: "
        f"{t.failed_requests:,.0f}.",
        f"End users affected: {t.end_users_affected:,}; support contacts expected: "
        f"{t.expected_support_contacts:,.0f} (at {100 * t.support_contact_rate:.1f}% of "
        "affected end users).",
    )
    note = "Method: " + " ".join(
        dict.fromkeys(s.method for c in report.customers for s in c.subscriptions)
    )
    return Table(
        title="Financial and SLA impact", columns=cols, rows=tuple(rows), note=note
    ), totals


def _customer_money(c: CustomerImpact) -> tuple[str, ...]:
    down = sum(s.minutes_down for s in c.subscriptions)
    degraded = sum(s.minutes_degraded for s in c.subscriptions)
    sla = (
        "; ".join(
            f"{s.subscription}: {s.uptime_percent:.3f}% of {s.target_percent}% "
            + ("(met)" if s.met else f"(credit {s.credit_percent:.0f}%)")
            for s in c.sla
        )
        or "no SLA"
    )
    return (c.name, f"{down:.0f} / {degraded:.0f}", money(c.lost_revenue), sla, money(c.credits))


def _regulatory(
    report: ImpactReport | None, clock: _Clock
) -> tuple[tuple[Table, ...], tuple[str, ...]]:
    if report is None:
        return (), ("Regulatory classification: unknown (no impact assessment).",)
    tables, notes = [], []
    for c in report.customers:
        for r in c.regulatory:
            rows = [
                Row(
                    cells=(
                        cr.name,
                        "yes" if cr.met else ("unknown" if not cr.determined else "no"),
                        cr.reason,
                    )
                )
                for cr in r.criteria
            ]
            rows += [
                Row(cells=(f"{d.report} report due", clock.full(d.due), d.rule))
                for d in r.deadlines
            ]
            tables.append(
                Table(
                    title=f"{r.framework}: {c.name}: {r.classification}",
                    columns=("criterion", "met", "why"),
                    rows=tuple(rows),
                    note=r.rule,
                )
            )
            notes.append(r.summary)
    if not tables:
        notes.append("No affected customer falls under a regulatory reporting framework.")
    return tuple(tables), tuple(notes)


def _root_cause(
    catalog: Catalog,
    ii: IncidentInvestigation,
    clock: _Clock,
    override: str | None,
    clean: _Blameless,
) -> tuple[RootCause | None, tuple[Alternative, ...]]:
    top = ii.top
    if top is None:
        return None, ()
    path: tuple[str, ...] = ()
    prop = catalog.propagate(top.entities) if all(catalog.has(e) for e in top.entities) else None
    if prop is not None and ii.incident.scope.subscriptions:
        first = ii.incident.scope.subscriptions[0].subscription
        path = tuple(reversed(prop.paths.get(first, ())))
    rc = RootCause(
        entities=", ".join(top.entities),
        description="; ".join(_describe(catalog, e) for e in top.entities),
        category=top.category.value,
        category_probabilities=tuple(
            (k.value, f"{100 * v:.0f}%")
            for k, v in sorted(top.category_probabilities.items(), key=lambda kv: -kv[1])
        ),
        confidence=f"{100 * top.confidence:.0f}%",
        onset=clock.full(top.onset),
        summary=clean(top.summary),
        propagation_path=path,
        evidence_for=tuple(
            EvidenceLine(supports=True, sentence=clean(e.sentence), time=e.time)
            for e in top.evidence_for
        ),
        evidence_against=tuple(
            EvidenceLine(supports=False, sentence=clean(e.sentence), time=e.time)
            for e in top.evidence_against
        ),
        confirmed_by=override,
    )
    alts = []
    for h in ii.hypotheses[1:5]:
        reasons = [clean(e.sentence) for e in h.evidence_against][:3]
        if h.contradicted_count:
            reasons.append(f"it predicts {h.contradicted_count} entities down that were healthy")
        if h.unexplained:
            reasons.append(f"it leaves {len(h.unexplained)} symptom(s) unexplained")
        if not reasons:
            reasons.append(
                f"it explains the symptoms less well than {rc.entities} "
                f"(confidence {100 * h.confidence:.0f}% against {rc.confidence})"
            )
        alts.append(
            Alternative(
                entities=", ".join(h.entities),
                category=h.category.value,
                confidence=f"{100 * h.confidence:.0f}%",
                ruled_out_because=tuple(reasons),
            )
        )
    return rc, tuple(alts)


def _timeline(
    ii: IncidentInvestigation, clock: _Clock, clean: _Blameless
) -> tuple[TimelineEntry, ...]:
    entries = [
        TimelineEntry(
            time=e.time, time_text=clock.short(e.time), kind=e.kind, text=clean(e.sentence)
        )
        for e in ii.timeline
    ]
    sc = ii.incident.scope
    if sc.end is not None and not any(e.kind == "recovery" for e in ii.timeline):
        entries.append(
            TimelineEntry(
                time=sc.end,
                time_text=clock.short(sc.end),
                kind="recovery",
                text="Last affected service recovered",
            )
        )
    return tuple(sorted(entries, key=lambda e: e.time))


def _lessons(
    catalog: Catalog, ii: IncidentInvestigation, resilience: ResilienceReport | None
) -> tuple[Lesson, ...]:
    out: list[Lesson] = []
    top = ii.top
    sc = ii.incident.scope
    if top is not None and len(sc.customers) >= 2:
        out.append(
            Lesson(
                finding=f"One component ({', '.join(top.entities)}) took down {len(sc.customers)} "
                "customers at once: it is shared infrastructure without enough redundancy.",
                action="Add redundancy or isolate the customers' paths so that its failure no "
                "longer reaches all of them.",
                source="investigation",
            )
        )
    if top is not None and top.category.value == "software":
        out.append(
            Lesson(
                finding="A change preceded the failure.",
                action="Roll out changes to this component in stages (canary first, one site at a "
                "time) with automatic rollback on error-rate alerts.",
                source="investigation",
            )
        )
    if sc.detection_delay_minutes is not None and sc.detection_delay_minutes > 5:
        out.append(
            Lesson(
                finding=f"The first alert came {sc.detection_delay_minutes:.0f} minutes after the "
                "first evidence.",
                action="Alert on the SLI series directly (availability and throughput) with "
                "shorter evaluation windows.",
                source="investigation",
            )
        )
    if resilience is not None:
        root = set(top.entities) if top else set()
        for rank in resilience.components.ranking:
            if rank.entity in root:
                out.append(
                    Lesson(
                        finding=f"{rank.entity} is a single point of failure for "
                        f"{len(rank.customers)} customer(s) ({rank.revenue_per_hour:,.0f} "
                        f"{rank.currency}/h of revenue).",
                        action="Remove it as a single point of failure (see the resilience "
                        "recommendations).",
                        source="resilience analysis",
                    )
                )
        for rec in resilience.recommendations[:3]:
            out.append(
                Lesson(
                    finding=f"Customer-weighted SPOFs now: {rec.before.customer_spofs}.",
                    action=f"{rec.change.description} (measured: {rec.before.customer_spofs} -> "
                    f"{rec.after.customer_spofs} customer-weighted SPOFs).",
                    source="resilience analysis",
                )
            )
    return tuple(out)


def build_postmortem(
    catalog: Catalog,
    incident: IncidentInvestigation,
    *,
    signals: SignalSet | None = None,
    resilience: ResilienceReport | None = None,
    communications: Sequence[CommunicationEntry] = (),
    status: str | None = None,
    confirmed_by: str | None = None,
    generated_at: datetime | None = None,
) -> Postmortem:
    """The postmortem of one incident."""
    clock = _Clock(catalog.provider.timezone)
    ii = incident
    top = ii.top
    summary, facts = _summary(catalog, ii, clock, top)
    clean = _Blameless(signals)
    root, alts = _root_cause(catalog, ii, clock, confirmed_by, clean)
    financial, totals = _financial(ii.impact)
    regulatory, reg_notes = _regulatory(ii.impact, clock)
    sc = ii.incident.scope
    title_where = "; ".join(sc.geography) or "unknown location"
    when = sc.start.astimezone(clock.zone)
    return Postmortem(
        title=f"Postmortem: service disruption in {title_where} on {when:%Y-%m-%d}",
        incident_id=ii.incident.id,
        generated_at=clock.full(generated_at or datetime.now(UTC)),
        timezone=clock.tz,
        status=status or ("ongoing" if sc.ongoing else "resolved"),
        summary=summary,
        scope=_scope_table(catalog, ii, clock),
        customers=_customer_table(catalog, ii, clock),
        root_cause=root,
        alternatives=alts,
        financial=financial,
        financial_totals=totals,
        regulatory=regulatory,
        regulatory_notes=reg_notes,
        timeline=_timeline(ii, clock, clean),
        lessons=_lessons(catalog, ii, resilience),
        communications=tuple(communications),
        communications_note=(
            "Messages sent to customers and the public, as recorded."
            if communications
            else "No communication was recorded for this incident in the data available to "
            "this report."
        ),
        charts=postmortem_charts(catalog, ii, signals, clean),
        facts=facts,
    )
