"""Stand-in outage cost estimate (lost revenue + SLA credit) until `impact/` provides one.

Kept in one function, `estimate_outage_cost`, so the impact module can replace it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from outagelens.topology.models import Subscription

MONTH_MINUTES = 30 * 24 * 60


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """Money one outage of one subscription costs: revenue lost by the customer, credit owed."""

    revenue_lost: float
    sla_credit: float
    currency: str

    @property
    def total(self) -> float:
        """Revenue lost plus credit owed (different payers; summed only for ranking)."""
        return self.revenue_lost + self.sla_credit


def sla_credit(sub: Subscription, minutes: float, month_minutes: float = MONTH_MINUTES) -> float:
    """Credit owed if `minutes` of downtime were the only downtime in a month."""
    if sub.sla is None or minutes <= 0 or sub.monthly_fee <= 0:
        return 0.0
    uptime = 100.0 * (1.0 - min(minutes, month_minutes) / month_minutes)
    percent = 0.0
    for tier in sub.sla.credit_tiers:  # ordered by decreasing threshold, increasing credit
        if uptime < tier.below_percent:
            percent = tier.credit_percent
    percent = min(percent, sub.sla.max_credit_percent)
    credit = sub.monthly_fee * percent / 100.0
    return credit if credit >= sub.sla.min_credit else 0.0


def estimate_outage_cost(sub: Subscription, minutes: float) -> CostEstimate:
    """Simple estimate: revenue_per_minute x minutes, plus the SLA credit tier reached."""
    return CostEstimate(
        revenue_lost=sub.business.revenue_per_minute * max(minutes, 0.0),
        sla_credit=sla_credit(sub, minutes),
        currency=sub.business.currency,
    )
