"""NIS2: significant-incident classification and notification deadlines.

Sources:
- Directive (EU) 2022/2555 (NIS2), Article 23(3) (significant incident) and 23(4) (deadlines:
  early warning within 24 hours of becoming aware, incident notification within 72 hours of
  becoming aware, final report within one month of the incident notification).
- Commission Implementing Regulation (EU) 2024/2690, which makes Article 23(3) measurable for
  digital infrastructure and ICT service providers: Article 3(1) general criteria (financial
  loss above EUR 500 000 or 5 % of the previous year's turnover, whichever is lower; successful
  suspectedly malicious unauthorised access capable of causing severe disruption), Article 7
  (cloud computing service providers) and Article 8 (data centre service providers).
  Scheduled maintenance is not a significant incident (Article 3(2)).

For other NIS2 entities, 2024/2690 does not apply and Article 23(3) has no numeric threshold:
the assessment states the figures and leaves the judgement open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from outagelens.impact.models import CriterionResult, RegulatoryAssessment, ReportingDeadline
from outagelens.impact.regulatory.base import RegulatoryContext, register
from outagelens.impact.regulatory.dora import add_month
from outagelens.impact.revenue import business_flows

CLOUD = "cloud_computing_service_provider"
DATA_CENTRE = "data_centre_service_provider"


@dataclass(frozen=True)
class Nis2Thresholds:
    """Thresholds of Implementing Regulation (EU) 2024/2690."""

    loss_eur: float = 500_000.0  # Art. 3(1)(a): loss > EUR 500 000 ...
    loss_turnover_share: float = 0.05  # ... or > 5 % of annual turnover, whichever is lower
    cloud_unavailable_minutes: float = 30.0  # Art. 7(a): completely unavailable > 30 min
    cloud_users_share: float = 0.05  # Art. 7(b): limited for > 5 % of Union users ...
    cloud_users_absolute: int = 1_000_000  # ... or > 1 million, whichever is smaller ...
    limited_minutes: float = 60.0  # Art. 7(b), 8(b): ... for more than one hour


class Nis2:
    """NIS2 significant-incident classification (Art. 23 NIS2, Implementing Reg. 2024/2690)."""

    name = "NIS2"

    def __init__(self, thresholds: Nis2Thresholds | None = None) -> None:
        self.thresholds = thresholds or Nis2Thresholds()

    def assess(self, ctx: RegulatoryContext) -> RegulatoryAssessment:
        """Evaluate the criteria; significant when one or more is met (2024/2690 Art. 3(1))."""
        kind = (ctx.profile.entity_type or "").lower()
        criteria = [self.financial_loss(ctx), self.malicious_access(ctx)]
        if kind == CLOUD:
            criteria.extend(self.cloud(ctx))
        elif kind == DATA_CENTRE:
            criteria.extend(self.data_centre(ctx))
        significant = any(c.met for c in criteria)
        scope_note = (
            f"Implementing Regulation 2024/2690 criteria for a {kind.replace('_', ' ')}"
            if kind in (CLOUD, DATA_CENTRE)
            else "Implementing Regulation 2024/2690 Art. 3(1) general criteria; for entities it "
            "does not cover, Art. 23(3) NIS2 (severe operational disruption or considerable "
            "damage to others) needs the entity's own judgement"
        )
        met = [c.name.lower() for c in criteria if c.met]
        summary = (
            f"Significant incident: {', '.join(met)}."
            if significant
            else "Not significant on the criteria evaluated"
            + ("." if all(c.determined for c in criteria) else "; some facts still unknown.")
        )
        return RegulatoryAssessment(
            framework=self.name,
            customer=ctx.customer.id,
            entity_type=ctx.profile.entity_type,
            competent_authority=ctx.profile.competent_authority,
            classification="significant" if significant else "not significant",
            major=significant,
            rule=f"Art. 23(3) NIS2: significant when one or more criteria are met ({scope_note}).",
            criteria=tuple(criteria),
            aware_at=ctx.aware_at,
            classified_at=ctx.classified_at,
            deadlines=self.deadlines(ctx) if significant else (),
            summary=summary,
        )

    def financial_loss(self, ctx: RegulatoryContext) -> CriterionResult:
        """2024/2690 Art. 3(1)(a): loss above EUR 500 000 or 5 % of turnover, the lower."""
        t = self.thresholds
        loss = ctx.facts.other_costs
        missing = set()
        for i in business_flows(ctx.impacts):
            rate = ctx.eur_per_unit.get(i.currency)
            if rate is None:
                missing.add(i.currency)
            else:
                loss += i.lost_revenue * rate
        turnover = ctx.profile.annual_turnover
        limit = (
            t.loss_eur if turnover is None else min(t.loss_eur, t.loss_turnover_share * turnover)
        )
        met = loss > limit
        reason = f"financial loss {loss:,.0f} EUR against a threshold of {limit:,.0f} EUR"
        if missing:
            reason += f" (no exchange rate for {', '.join(sorted(missing))})"
        return CriterionResult(
            key="financial_loss",
            name="Financial loss",
            article="Implementing Reg. 2024/2690 Art. 3(1)(a)",
            met=met,
            determined=met or not missing,
            reason=reason,
            figures={"loss_eur": round(loss, 2), "threshold_eur": limit, "turnover": turnover},
        )

    def malicious_access(self, ctx: RegulatoryContext) -> CriterionResult:
        """2024/2690 Art. 3(1)(e): successful, suspectedly malicious, unauthorised access."""
        fact = ctx.facts.malicious_access
        return CriterionResult(
            key="malicious_access",
            name="Malicious unauthorised access",
            article="Implementing Reg. 2024/2690 Art. 3(1)(e)",
            met=bool(fact),
            determined=fact is not None,
            reason="reported"
            if fact
            else ("ruled out" if fact is False else "not known yet; confirm with the entity"),
            figures={"malicious_access": fact},
        )

    def cloud(self, ctx: RegulatoryContext) -> list[CriterionResult]:
        """2024/2690 Art. 7(a)-(b): complete unavailability and limited availability."""
        t = self.thresholds
        down = max((i.longest_down_minutes for i in ctx.impacts), default=0.0)
        users = max((i.end_users_affected for i in ctx.impacts), default=0)
        total = ctx.profile.total_clients
        user_limit = t.cloud_users_absolute
        if total:
            user_limit = min(user_limit, int(t.cloud_users_share * total))
        limited = max(
            ((i.end - i.start) / timedelta(minutes=1) for i in ctx.impacts if i.start and i.end),
            default=0.0,
        )
        users_met = users > user_limit and limited > t.limited_minutes
        return [
            CriterionResult(
                key="complete_unavailability",
                name="Service completely unavailable",
                article="Implementing Reg. 2024/2690 Art. 7(a)",
                met=down > t.cloud_unavailable_minutes,
                reason=f"longest complete unavailability {down:g} min; threshold "
                f"{t.cloud_unavailable_minutes:g} min",
                figures={"longest_down_minutes": down},
            ),
            CriterionResult(
                key="limited_availability",
                name="Availability limited for many users",
                article="Implementing Reg. 2024/2690 Art. 7(b)",
                met=users_met,
                reason=f"{users:,} users affected (threshold {user_limit:,}) for {limited:g} min "
                f"(threshold {t.limited_minutes:g} min)",
                figures={
                    "users_affected": users,
                    "user_threshold": user_limit,
                    "limited_minutes": limited,
                },
            ),
        ]

    def data_centre(self, ctx: RegulatoryContext) -> list[CriterionResult]:
        """2024/2690 Art. 8(a)-(b): complete unavailability, or limited for over an hour."""
        t = self.thresholds
        down = max((i.minutes_down for i in ctx.impacts), default=0.0)
        limited = max(
            ((i.end - i.start) / timedelta(minutes=1) for i in ctx.impacts if i.start and i.end),
            default=0.0,
        )
        return [
            CriterionResult(
                key="complete_unavailability",
                name="Data centre service completely unavailable",
                article="Implementing Reg. 2024/2690 Art. 8(a)",
                met=down > 0,
                reason=f"{down:g} minute(s) of complete unavailability",
                figures={"minutes_down": down},
            ),
            CriterionResult(
                key="limited_availability",
                name="Availability limited for more than one hour",
                article="Implementing Reg. 2024/2690 Art. 8(b)",
                met=limited > t.limited_minutes,
                reason=f"availability limited for {limited:g} min; threshold "
                f"{t.limited_minutes:g} min",
                figures={"limited_minutes": limited},
            ),
        ]

    def deadlines(self, ctx: RegulatoryContext) -> tuple[ReportingDeadline, ...]:
        """Art. 23(4) NIS2: early warning 24 h, notification 72 h, final report one month."""
        aware = ctx.aware_at
        notification = aware + timedelta(hours=72)
        return (
            ReportingDeadline(
                report="early warning",
                due=aware + timedelta(hours=24),
                rule="within 24 h of becoming aware",
                article="Directive (EU) 2022/2555 Art. 23(4)(a)",
            ),
            ReportingDeadline(
                report="incident notification",
                due=notification,
                rule="within 72 h of becoming aware",
                article="Directive (EU) 2022/2555 Art. 23(4)(b)",
            ),
            ReportingDeadline(
                report="final",
                due=add_month(notification),
                rule="one month after the incident notification (counted from its due time)",
                article="Directive (EU) 2022/2555 Art. 23(4)(d)",
            ),
        )


NIS2 = register(Nis2())
