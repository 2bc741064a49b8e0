"""Rich rendering of an `ImpactReport`: per-subscription table, regulatory table, totals panel."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from outagelens.impact.models import ImpactReport, SlaAssessment, format_money


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
    table = Table(title=f"Impact of {report.incident}")
    table.add_column("customer / subscription")
    table.add_column("down / degr. min", justify="right", no_wrap=True)
    table.add_column("failed", justify="right")
    table.add_column("lost revenue", justify="right", no_wrap=True)
    table.add_column("SLA uptime (tier)")
    table.add_column("credit", justify="right", no_wrap=True)
    for cust in report.customers:
        for sub in cust.subscriptions:
            slas = [s for s in cust.sla if s.subscription == sub.subscription]
            credit = sum(s.credit_amount for s in slas)
            table.add_row(
                f"{cust.name}\n[dim]{sub.subscription}[/]",
                f"{sub.minutes_down:g} / {sub.minutes_degraded:g}",
                f"{sub.failed_transactions:,.0f} {sub.transaction_name}",
                f"{sub.lost_revenue:,.0f} {sub.currency}",
                _sla_cell(slas),
                f"{credit:,.0f} {sub.currency}" if slas else "-",
            )
    return table


def headlines(report: ImpactReport) -> Text:
    """One line per subscription: the headline figure and how it was obtained."""
    text = Text()
    for cust in report.customers:
        for sub in cust.subscriptions:
            text.append(f"{cust.name} ({sub.subscription}): ", style="bold")
            text.append(sub.headline + "\n")
    return text


def regulatory_tables(report: ImpactReport) -> list[Table]:
    """One table per regulatory assessment: each criterion, then the reporting deadlines."""
    tables = []
    for cust in report.customers:
        for reg in cust.regulatory:
            table = Table(
                title=f"{reg.framework}: {cust.name}: {reg.classification}",
                caption=reg.summary,
            )
            table.add_column("criterion")
            table.add_column("met", no_wrap=True)
            table.add_column("why")
            for crit in reg.criteria:
                met = "yes" if crit.met else ("no" if crit.determined else "unknown")
                table.add_row(crit.name, met, f"{crit.reason} [dim]({crit.article})[/]")
            for d in reg.deadlines:
                table.add_row(
                    f"{d.report} report due",
                    f"{d.due:%Y-%m-%d %H:%M} UTC",
                    f"{d.rule} [dim]({d.article})[/]",
                )
            tables.append(table)
    return tables


def totals_panel(report: ImpactReport) -> Panel:
    """Totals across customers, including the reputational figures."""
    t = report.totals
    lines = [
        f"customers affected: {t.customers}   subscriptions: {t.subscriptions}",
        f"minutes down (sum): {t.minutes_down:g}   "
        f"weighted downtime: {t.weighted_downtime_minutes:g}",
        f"failed requests: {t.failed_requests:,.0f}   failed transactions: "
        f"{t.failed_transactions:,.0f}",
        f"lost revenue: {format_money(t.lost_revenue)}   "
        f"SLA credits owed: {format_money(t.credits)}",
        f"end users affected: {t.end_users_affected:,}   expected support contacts: "
        f"{t.expected_support_contacts:,.0f} (rate {t.support_contact_rate:g} per user)",
        f"major regulatory incidents: {t.major_regulatory_incidents}",
    ]
    lines.extend(f"note: {n}" for n in report.notes)
    return Panel("\n".join(lines), title="Impact totals")


def render_impact(report: ImpactReport) -> Group:
    """Everything above, in reading order, for `console.print`."""
    parts: list[Table | Panel | Text] = [impact_table(report), headlines(report)]
    parts.extend(regulatory_tables(report))
    parts.append(totals_panel(report))
    return Group(*parts)


def print_impact(report: ImpactReport, console: Console | None = None) -> None:
    """Print the impact report with Rich."""
    (console or Console()).print(render_impact(report))
