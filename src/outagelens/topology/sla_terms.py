"""The credit terms of an SLA: which tier a month's uptime reaches and what it pays.

Contract data, so it lives with the catalog model: `impact.sla` applies it to observed
downtime, `resilience` to hypothetical outages.
- The tier reached is the last (strictest) tier whose `below_percent` is above the uptime;
  uptime exactly at a threshold does not reach that tier.
- Credit = monthly fee x tier percent, capped at `max_credit_percent`; nothing is paid when the
  amount is below `min_credit`.
"""

from __future__ import annotations

from outagelens.topology.models import Sla


def credit_for(sla: Sla, fee: float, uptime: float) -> tuple[float | None, float, float, str]:
    """(tier threshold reached, credit percent, credit amount, note) for a month's uptime."""
    reached = None
    for tier in sla.credit_tiers:
        if uptime < tier.below_percent:
            reached = tier
    if reached is None:
        return None, 0.0, 0.0, "no credit tier reached"
    pct = min(reached.credit_percent, sla.max_credit_percent)
    note = f"uptime {uptime:g}% is below {reached.below_percent:g}%: {pct:g}% of the monthly fee"
    if pct < reached.credit_percent:
        note += f" (capped at max_credit_percent {sla.max_credit_percent:g})"
    amount = fee * pct / 100.0
    if amount < sla.min_credit:
        return (
            reached.below_percent,
            pct,
            0.0,
            note
            + (
                f"; {amount:,.2f} is below the minimum credit "
                f"{sla.min_credit:,.2f}, so none is paid"
            ),
        )
    return reached.below_percent, pct, round(amount, 2), note
