"""Rich rendering of an `ImpactReport`: per-subscription table, regulatory table, totals panel."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from outagelens.impact.models import ImpactReport, SlaAssessment


def _money(amounts: dict[str, float]) -> str:
    return ", ".join(f"{v:,.0f} {cur}" for cur, v in amounts.items()) or "0"


def _sla_cell(slas: list[SlaAssessment]) -> str:
    if not slas:
        return "no SLA"
    parts = []
    for s in slas:
        tier = (
            f"<{s.tier_below_percent:g}% → {s.credit_percent:g}%" if s.tier_below_percent else "met"
        )
        parts.append(f"{s.month}: {s.uptime_percent:.3f}% ({tier})")
    return "\n".join(parts)


def impact_table(report: ImpactReport) -> Table:
    """One row per affected subscription: minutes, transactions, revenue, SLA and credit."""
    table = Table(title=f"Impact of {report.incident}", show_lines=False)
    for name, justify in [
        ("customer", "left"),
        ("subscription", "left"),
        ("down min", "right"),
        ("degraded min", "right"),
        ("failed transactions", "right"),
        ("lost revenue", "right"),
        ("SLA uptime (tier)", "left"),
        ("credit", "right"),
        ("headline", "left"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for cust in report.customers:
        for sub in cust.subscriptions:
            slas = [s for s in cust.sla if s.subscription == sub.subscription]
            credit = sum(s.credit_amount for s in slas)
            table.add_row(
                cust.name,
                sub.subscription,
                f"{sub.minutes_down:g}",
                f"{sub.minutes_degraded:g}",
                f"{sub.failed_transactions:,.0f} {sub.transaction_name}",
                f"{sub.lost_revenue:,.0f} {sub.currency}",
                _sla_cell(slas),
                f"{credit:,.0f} {sub.currency}" if slas else "-",
                sub.headline,
            )
    return table


def regulatory_table(report: ImpactReport) -> Table | None:
    """One row per criterion of each regulatory assessment, with the deadlines; None if none."""
    rows = [(c, r) for c in report.customers for r in c.regulatory]
    if not rows:
        return None
    table = Table(title="Regulatory classification")
    for name in ("customer", "framework", "criterion", "met", "why"):
        table.add_column(name)
    for cust, reg in rows:
        verdict = f"[bold]{reg.classification}[/]"
        table.add_row(cust.name, reg.framework, verdict, "", reg.summary)
        for crit in reg.criteria:
            met = "yes" if crit.met else ("no" if crit.determined else "unknown")
            table.add_row("", "", f"{crit.name} ({crit.article})", met, crit.reason)
        for d in reg.deadlines:
            table.add_row("", "", f"{d.report} report due", f"{d.due:%Y-%m-%d %H:%M} UTC", d.rule)
    return table


def totals_panel(report: ImpactReport) -> Panel:
    """Totals across customers, including the reputational figures."""
    t = report.totals
    lines = [
        f"customers affected: {t.customers}   subscriptions: {t.subscriptions}",
        f"minutes down (sum): {t.minutes_down:g}   "
        f"weighted downtime: {t.weighted_downtime_minutes:g}",
        f"failed requests: {t.failed_requests:,.0f}   failed transactions: "
        f"{t.failed_transactions:,.0f}",
        f"lost revenue: {_money(t.lost_revenue)}   SLA credits owed: {_money(t.credits)}",
        f"end users affected: {t.end_users_affected:,}   expected support contacts: "
        f"{t.expected_support_contacts:,.0f} (rate {t.support_contact_rate:g} per user)",
        f"major regulatory incidents: {t.major_regulatory_incidents}",
    ]
    lines.extend(f"note: {n}" for n in report.notes)
    return Panel("\n".join(lines), title="Impact totals")


def render_impact(report: ImpactReport) -> Group:
    """Everything above, in reading order, for `console.print`."""
    parts: list[Table | Panel] = [impact_table(report)]
    reg = regulatory_table(report)
    if reg is not None:
        parts.append(reg)
    parts.append(totals_panel(report))
    return Group(*parts)


def print_impact(report: ImpactReport, console: Console | None = None) -> None:
    """Print the impact report with Rich."""
    (console or Console()).print(render_impact(report))
