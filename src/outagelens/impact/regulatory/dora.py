"""DORA: major ICT-related incident classification and reporting deadlines.

Sources (cited per threshold below):
- Regulation (EU) 2022/2554 (DORA), Articles 18 and 19.
- Commission Delegated Regulation (EU) 2024/1772 (RTS on classification): criteria in
  Articles 1-7, the major-incident rule in Article 8(1), materiality thresholds in Article 9.
- Commission Delegated Regulation (EU) 2025/301 (RTS on content and time limits of reports),
  Article 5: initial notification within 4 hours of classification and no later than 24 hours
  after becoming aware (Art. 5(2): 4 hours from a classification made later than that);
  intermediate report within 72 hours of the initial notification; final report within one
  month of the latest (updated) intermediate report. Forms: Implementing Regulation
  (EU) 2025/302.

Article 8(1) RTS: an incident is major where it has affected critical services (Article 6) and
either (a) the threshold of Article 9(5)(b) is met (successful malicious unauthorised access that
may result in data losses) or (b) two or more of the other thresholds of Article 9(1)-(6) are met.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from outagelens.impact.models import CriterionResult, RegulatoryAssessment, ReportingDeadline
from outagelens.impact.regulatory.base import RegulatoryContext, register
from outagelens.impact.revenue import business_flows

EU_MEMBER_STATES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    }
)


@dataclass(frozen=True)
class DoraThresholds:
    """Materiality thresholds of Article 9 of Delegated Regulation (EU) 2024/1772."""

    clients_share: float = 0.10  # Art. 9(1)(a): affected clients > 10 % of the service's clients
    clients_absolute: int = 100_000  # Art. 9(1)(b): affected clients > 100 000
    counterparts_share: float = 0.30  # Art. 9(1)(c): affected financial counterparts > 30 %
    transactions_share: float = 0.10  # Art. 9(1)(d): affected transactions > 10 % of daily avg
    transaction_value_share: float = 0.10  # Art. 9(1)(e): affected amount > 10 % of daily value
    duration_hours: float = 24.0  # Art. 9(3)(a): incident duration > 24 hours
    downtime_hours: float = 2.0  # Art. 9(3)(b): downtime > 2 h of services for CIFs
    member_states: int = 2  # Art. 9(4): impact in two or more Member States
    economic_eur: float = 100_000.0  # Art. 9(6): costs and losses > EUR 100 000


def _hours(a: datetime, b: datetime) -> float:
    return (b - a) / timedelta(hours=1)


def add_month(t: datetime) -> datetime:
    """The same time one calendar month later, clamped to the month's last day."""
    year, month = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
    days = calendar.monthrange(year, month)[1]
    return t.replace(year=year, month=month, day=min(t.day, days))


class Dora:
    """DORA major-incident classification (RTS 2024/1772) and deadlines (RTS 2025/301)."""

    name = "DORA"

    def __init__(self, thresholds: DoraThresholds | None = None) -> None:
        self.thresholds = thresholds or DoraThresholds()

    def assess(self, ctx: RegulatoryContext) -> RegulatoryAssessment:
        """Evaluate every criterion, apply Article 8(1), and compute the deadlines."""
        criteria = (
            self.critical_services(ctx),
            self.clients(ctx),
            self.reputational(ctx),
            self.duration(ctx),
            self.geography(ctx),
            self.data_losses(ctx),
            self.economic(ctx),
        )
        by_key = {c.key: c for c in criteria}
        others = [c for c in criteria if c.key != "critical_services" and c.met]
        malicious = bool(ctx.facts.malicious_access)
        major = by_key["critical_services"].met and (malicious or len(others) >= 2)
        rule = (
            "Art. 8(1) RTS 2024/1772: major when critical services are affected and either a "
            "malicious unauthorised access that may cause data losses occurred (Art. 9(5)(b)) "
            "or two or more other materiality thresholds (Art. 9(1)-(6)) are met."
        )
        deadlines = self.deadlines(ctx) if major else ()
        summary = _summary(major, by_key["critical_services"], others, malicious, criteria)
        return RegulatoryAssessment(
            framework=self.name,
            customer=ctx.customer.id,
            entity_type=ctx.profile.entity_type,
            competent_authority=ctx.profile.competent_authority,
            classification="major" if major else "not major",
            major=major,
            rule=rule,
            criteria=criteria,
            aware_at=ctx.aware_at,
            classified_at=ctx.classified_at,
            deadlines=deadlines,
            summary=summary,
        )

    # -- criteria ----------------------------------------------------------------------------

    def critical_services(self, ctx: RegulatoryContext) -> CriterionResult:
        """Art. 6 RTS: services supporting critical or important functions affected."""
        critical = [
            i.subscription
            for i in ctx.impacts
            if ctx.subscriptions[i.subscription].subscription.critical
            and i.minutes_down + i.minutes_degraded > 0
        ]
        malicious = bool(ctx.facts.malicious_access)
        met = bool(critical) or malicious
        if critical:
            reason = (
                "services supporting critical or important functions were affected: "
                + ", ".join(critical)
            )
        elif malicious:
            reason = "a successful, malicious and unauthorised access occurred (Art. 6(c))"
        else:
            reason = "no affected subscription is marked as supporting a critical function"
        return CriterionResult(
            key="critical_services",
            name="Criticality of services affected",
            article="RTS 2024/1772 Art. 6; condition of Art. 8(1)",
            met=met,
            reason=reason,
            figures={"critical_subscriptions": ", ".join(critical) or None},
        )

    def clients(self, ctx: RegulatoryContext) -> CriterionResult:
        """Art. 9(1) RTS: clients, financial counterparts and transactions."""
        t, p, f = self.thresholds, ctx.profile, ctx.facts
        clients, tx, amount = _client_figures(ctx)
        hits: list[str] = []
        unknown: list[str] = []
        _share(hits, unknown, "(a) clients", clients, p.total_clients, t.clients_share)
        if clients > t.clients_absolute:
            hits.append(f"(b) {clients:,} clients affected > {t.clients_absolute:,}")
        counterparts = f.financial_counterparts_affected
        if counterparts is None:
            unknown.append("(c) financial counterparts affected")
        else:
            _share(
                hits,
                unknown,
                "(c) financial counterparts",
                counterparts,
                p.total_financial_counterparts,
                t.counterparts_share,
            )
        _share(hits, unknown, "(d) transactions", tx, p.daily_transactions, t.transactions_share)
        _share(
            hits,
            unknown,
            "(e) transaction amount",
            amount,
            p.daily_transaction_value,
            t.transaction_value_share,
        )
        if f.relevant_clients_affected:
            hits.append("(f) clients or counterparts identified as relevant were affected")
        elif f.relevant_clients_affected is None:
            unknown.append("(f) relevant clients affected")
        return _result(
            "clients",
            "Clients, financial counterparts and transactions",
            "RTS 2024/1772 Art. 1, 9(1)",
            hits,
            unknown,
            f"{clients:,} clients, {tx:,.0f} transactions ({amount:,.0f}) affected; "
            "no threshold exceeded",
            {
                "clients_affected": clients,
                "total_clients": p.total_clients,
                "transactions_affected": round(tx, 1),
                "daily_transactions": p.daily_transactions,
                "transaction_amount_affected": round(amount, 2),
                "daily_transaction_value": p.daily_transaction_value,
                "financial_counterparts_affected": counterparts,
            },
        )

    def reputational(self, ctx: RegulatoryContext) -> CriterionResult:
        """Art. 9(2) RTS: any reputational condition of Art. 2(1)(a)-(d)."""
        observed = ctx.facts.reputational
        return CriterionResult(
            key="reputational",
            name="Reputational impact",
            article="RTS 2024/1772 Art. 2, 9(2)",
            met=bool(observed),
            determined=bool(observed),
            reason=(
                f"reported: {', '.join(observed)}"
                if observed
                else "no media coverage, repeated complaints, regulatory breach or client loss "
                "reported yet; confirm with the customer"
            ),
            figures={"conditions": ", ".join(observed) or None},
        )

    def duration(self, ctx: RegulatoryContext) -> CriterionResult:
        """Art. 9(3) RTS: duration > 24 h, or downtime > 2 h of services supporting CIFs."""
        t = self.thresholds
        hours = _hours(ctx.incident_start, ctx.incident_end)
        downtimes = [
            _hours(i.start, i.end)
            for i in ctx.impacts
            if i.start and i.end and ctx.subscriptions[i.subscription].subscription.critical
        ]
        downtime = max(downtimes, default=0.0)
        hits = []
        if hours > t.duration_hours:
            hits.append(f"(a) duration {hours:.2f} h > {t.duration_hours:g} h")
        if downtime > t.downtime_hours:
            hits.append(
                f"(b) downtime of critical services {downtime:.2f} h > {t.downtime_hours:g} h"
            )
        return _result(
            "duration",
            "Duration and service downtime",
            "RTS 2024/1772 Art. 3, 9(3)",
            hits,
            [],
            f"duration {hours:.2f} h (threshold {t.duration_hours:g} h), downtime of critical "
            f"services {downtime:.2f} h (threshold {t.downtime_hours:g} h)",
            {"duration_hours": round(hours, 3), "critical_downtime_hours": round(downtime, 3)},
        )

    def geography(self, ctx: RegulatoryContext) -> CriterionResult:
        """Art. 9(4) RTS: impact in two or more Member States."""
        t = self.thresholds
        states: set[str] = set()
        if any(i.end_users_affected > 0 for i in ctx.impacts):
            states.update(s.upper() for s in ctx.profile.member_states)
        states.update(c.upper() for c in ctx.affected_countries)
        states &= EU_MEMBER_STATES
        listed = ", ".join(sorted(states)) or "none"
        met = len(states) >= t.member_states
        return CriterionResult(
            key="geography",
            name="Geographical spread",
            article="RTS 2024/1772 Art. 4, 9(4)",
            met=met,
            reason=f"impact in {len(states)} Member State(s) ({listed}); "
            f"threshold {t.member_states} or more",
            figures={"member_states": listed, "count": len(states)},
        )

    def data_losses(self, ctx: RegulatoryContext) -> CriterionResult:
        """Art. 9(5) RTS: impact on data, or malicious access that may cause data losses."""
        f = ctx.facts
        hits = []
        if f.data_losses:
            hits.append(
                "(a) impact on availability, authenticity, integrity or confidentiality of data"
            )
        if f.malicious_access:
            hits.append("(b) successful malicious unauthorised access that may cause data losses")
        unknown = (
            []
            if hits or (f.data_losses is False and f.malicious_access is False)
            else ["whether data were lost or accessed without authorisation"]
        )
        return _result(
            "data_losses",
            "Data losses",
            "RTS 2024/1772 Art. 5, 9(5)",
            hits,
            unknown,
            "no data loss and no malicious access reported",
            {"data_losses": f.data_losses, "malicious_access": f.malicious_access},
        )

    def economic(self, ctx: RegulatoryContext) -> CriterionResult:
        """Art. 9(6) RTS: costs and losses above EUR 100 000 (recoveries not deducted)."""
        t = self.thresholds
        eur = ctx.facts.other_costs
        missing = []
        for i in business_flows(ctx.impacts):
            rate = ctx.eur_per_unit.get(i.currency)
            if rate is None:
                missing.append(i.currency)
            else:
                eur += i.lost_revenue * rate
        hits = (
            [f"costs and losses {eur:,.0f} EUR > {t.economic_eur:,.0f} EUR"]
            if eur > t.economic_eur
            else []
        )
        unknown = [f"exchange rate for {', '.join(sorted(set(missing)))}"] if missing else []
        return _result(
            "economic",
            "Economic impact",
            "RTS 2024/1772 Art. 7, 9(6)",
            hits,
            unknown,
            f"forgone revenue and other costs {eur:,.0f} EUR; threshold {t.economic_eur:,.0f} EUR",
            {"costs_eur": round(eur, 2), "other_costs_eur": ctx.facts.other_costs},
        )

    # -- deadlines ---------------------------------------------------------------------------

    def deadlines(self, ctx: RegulatoryContext) -> tuple[ReportingDeadline, ...]:
        """Latest times for the initial, intermediate and final reports (RTS 2025/301 Art. 5)."""
        aware = ctx.aware_at
        outer = aware + timedelta(hours=24)
        classified = ctx.classified_at
        if classified is None:
            initial = outer
            rule = (
                "classification time not given: 24 h after becoming aware "
                f"({aware:%Y-%m-%d %H:%M} UTC); 4 h after classification if that is earlier"
            )
        elif classified > outer:
            initial = classified + timedelta(hours=4)
            rule = "classified more than 24 h after becoming aware: 4 h after classification"
        else:
            initial = min(classified + timedelta(hours=4), outer)
            rule = "4 h after classification and no later than 24 h after becoming aware"
        intermediate = initial + timedelta(hours=72)
        final = add_month(intermediate)
        return (
            ReportingDeadline(
                report="initial", due=initial, rule=rule, article="RTS 2025/301 Art. 5(1)(a), 5(2)"
            ),
            ReportingDeadline(
                report="intermediate",
                due=intermediate,
                rule="72 h after the initial notification "
                "(counted from its latest permissible time)",
                article="RTS 2025/301 Art. 5(1)(b)",
            ),
            ReportingDeadline(
                report="final",
                due=final,
                rule="one month after the latest intermediate report (counted from its due time)",
                article="RTS 2025/301 Art. 5(1)(c)",
            ),
        )


def _client_figures(ctx: RegulatoryContext) -> tuple[int, float, float]:
    """Clients affected (capped at the total), failed transactions and their amount.

    The same clients and payments pass through several subscriptions: the largest counts.
    """
    f, p = ctx.facts, ctx.profile
    estimate = max((i.end_users_affected for i in ctx.impacts), default=0)
    clients = f.clients_affected if f.clients_affected is not None else estimate
    if p.total_clients:
        clients = min(clients, p.total_clients)
    tx = max((i.failed_transactions for i in ctx.impacts), default=0.0)
    values = {
        sid: ref.subscription.business.transaction_value or 0.0
        for sid, ref in ctx.subscriptions.items()
    }
    amount = max((i.failed_transactions * values[i.subscription] for i in ctx.impacts), default=0.0)
    return clients, tx, amount


def _share(
    hits: list[str], unknown: list[str], label: str, value: float, total: float | None, share: float
) -> None:
    """Record whether value/total exceeds share, or that the total is unknown."""
    if not total:
        unknown.append(f"{label}: total not in the catalog")
        return
    ratio = value / total
    if ratio > share:
        hits.append(f"{label} {ratio:.1%} of the total > {share:.0%}")


def _result(
    key: str,
    name: str,
    article: str,
    hits: list[str],
    unknown: list[str],
    otherwise: str,
    figures: dict[str, float | int | str | bool | None],
) -> CriterionResult:
    met = bool(hits)
    if met:
        reason = "; ".join(hits)
    else:
        reason = otherwise + (f" (not known: {', '.join(unknown)})" if unknown else "")
    return CriterionResult(
        key=key,
        name=name,
        article=article,
        met=met,
        determined=met or not unknown,
        reason=reason,
        figures=figures,
    )


def _summary(
    major: bool,
    critical: CriterionResult,
    others: list[CriterionResult],
    malicious: bool,
    criteria: tuple[CriterionResult, ...],
) -> str:
    names = ", ".join(c.name.lower() for c in others) or "none"
    if major:
        why = (
            "malicious access"
            if malicious and len(others) < 2
            else f"{len(others)} criteria met ({names})"
        )
        return f"Major ICT-related incident: critical services affected and {why}."
    open_ = [c.name.lower() for c in criteria if not c.determined]
    tail = f"; still to confirm: {', '.join(open_)}" if open_ else ""
    if not critical.met:
        return f"Not major: no critical services affected{tail}."
    return (
        f"Not major: critical services affected but only {len(others)} other "
        f"criterion met ({names}){tail}."
    )


DORA = register(Dora())
