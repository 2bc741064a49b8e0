"""Cost of a hypothetical outage: lost revenue and the SLA credit it would trigger.

The credit tier logic is the catalog's (`topology.sla_terms.credit_for`, which `impact` also
uses); the outage is assumed to be the month's only downtime in a 30-day month, since a what-if
has no calendar. Lost
revenue is the simple `revenue_per_minute x minutes` (the impact module works from observed
series and baselines, which a what-if does not have). Everything goes through
`estimate_outage_cost`, so a richer estimate can replace it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from outagelens.topology.models import Subscription
from outagelens.topology.sla_terms import credit_for

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
    _, _, credit, _ = credit_for(sub.sla, sub.monthly_fee, uptime)
    return credit


def estimate_outage_cost(sub: Subscription, minutes: float) -> CostEstimate:
    """Simple estimate: revenue_per_minute x minutes, plus the SLA credit tier reached."""
    return CostEstimate(
        revenue_lost=sub.business.revenue_per_minute * max(minutes, 0.0),
        sla_credit=sla_credit(sub, minutes),
        currency=sub.business.currency,
    )
