"""A Markdown incident report from the stored investigation (override wins, notes included).

The postmortem renderer of `outagelens.report` takes a `Postmortem` view model that nothing
builds from an investigation yet; until that builder exists this short report is served.
"""

from __future__ import annotations

from outagelens.server.schemas import InvestigationOut
from outagelens.signals.timefmt import format_time
from outagelens.store.records import Note


def render_report(inv: InvestigationOut, notes: list[Note]) -> str:
    """Markdown: status, scope, root cause (and who set it), alternatives, notes."""
    lines = [f"# Incident {inv.id}", "", f"Status: **{inv.status}** (version {inv.version})", ""]
    if inv.summary:
        lines += [inv.summary, ""]
    scope = inv.scope
    if scope is not None:
        end = format_time(scope.end) if scope.end else "ongoing"
        lines += [
            "## Scope",
            "",
            f"- Start: {format_time(scope.start)}; end: {end}; "
            f"duration: {scope.duration_minutes:.0f} min",
            f"- Customers: {', '.join(scope.customers) or '-'}",
            f"- Services: {', '.join(scope.services) or '-'}",
            f"- Locations: {', '.join(scope.locations) or '-'}",
            "",
        ]
    lines += ["## Root cause", ""]
    rc = inv.root_cause
    if rc is None:
        lines += ["Not determined.", ""]
    else:
        who = f" (set by {rc.author}: {rc.comment})" if rc.source == "override" else ""
        conf = f", confidence {rc.confidence:.2f}" if rc.confidence is not None else ""
        lines += [f"{', '.join(rc.entities)}: {rc.category}{conf}{who}", ""]
    if len(inv.hypotheses) > 1:
        lines += ["## Alternatives considered", ""]
        lines += [
            f"- {', '.join(h.entities)} ({h.category}, {h.confidence:.2f}): {h.summary}"
            for h in inv.hypotheses[1:6]
        ]
        lines.append("")
    if notes:
        lines += ["## Notes", ""]
        lines += [f"- {format_time(n.created_at)} {n.author}: {n.text}" for n in notes]
        lines.append("")
    return "\n".join(lines)
