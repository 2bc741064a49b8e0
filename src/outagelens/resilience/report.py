"""The resilience report: every analysis over one catalog, as one typed result and as JSON."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from outagelens.resilience.cutsets import CutSetAnalysis, CutSetConfig, minimal_cut_sets
from outagelens.resilience.diversity import DiversityFinding, geographic_diversity
from outagelens.resilience.drill import DrillScenario, dr_drill
from outagelens.resilience.recommend import (
    Plan,
    Recommendation,
    RecommendConfig,
    ResilienceScore,
    combined_plan,
    recommend,
)
from outagelens.resilience.whatif import WhatIfResult, whatif
from outagelens.topology.catalog import Catalog

SCHEMA = "outagelens.resilience/1"
WHATIF_SCHEMA = "outagelens.whatif/1"


@dataclass(frozen=True)
class ResilienceConfig:
    """Settings of a full resilience report."""

    cut_sets: CutSetConfig = field(default_factory=CutSetConfig)
    recommend: RecommendConfig = field(default_factory=RecommendConfig)
    plan_size: int = 3
    shared_whatifs: int = 5  # top shared SPOFs to simulate for their cost


@dataclass(frozen=True)
class ResilienceReport:
    """SPOFs and cut sets, site-loss cut sets, diversity, DR drill and recommendations."""

    provider: str
    source: str | None
    generated_at: str
    components: CutSetAnalysis
    sites: CutSetAnalysis
    diversity: tuple[DiversityFinding, ...]
    drill: tuple[DrillScenario, ...]
    recommendations: tuple[Recommendation, ...]
    plan: Plan | None = None  # the first few recommendations made together, measured
    shared_spof_whatifs: tuple[WhatIfResult, ...] = ()  # what each top shared SPOF would cost

    def lessons(self) -> list[str]:
        """Short sentences for a postmortem's lessons section, most important first."""
        out = []
        shared = [r for r in self.components.ranking if r.shared]
        if shared:
            worst = shared[0]
            out.append(
                f"{len(shared)} single point(s) of failure take down two or more customers at "
                f"once; the worst, {worst.entity}, takes down {_first(list(worst.customers), 5)} "
                f"({worst.revenue_per_hour:,.0f} {worst.currency}/h of revenue)."
            )
        if self.shared_spof_whatifs:
            w = self.shared_spof_whatifs[0]
            minutes = max(w.restore_minutes.values())
            out.append(
                f"If {w.failed[0]} failed, {len(w.customers_down)} customer(s) would be down "
                f"for up to {minutes:g} minutes: {w.total_revenue_lost:,.0f} of revenue lost and "
                f"{w.total_sla_credit:,.0f} of SLA credits."
            )
        single_site = [d for d in self.diversity if d.single_locations]
        if single_site:
            named = [f"{d.subscription} ({', '.join(d.single_locations)})" for d in single_site]
            out.append(
                f"{len(single_site)} subscription(s) depend on a single location: "
                f"{_first(named, 5)}."
            )
        for sc in self.drill:
            failing = [c for c, s in sc.customer_status().items() if s == "fail"]
            if failing:
                out.append(
                    f"Loss of {sc.kind} {sc.name} breaks the RTO/RPO targets of "
                    f"{_first(failing, 5)}."
                )
        if self.recommendations:
            rec = self.recommendations[0]
            out.append(
                f"First change to make: {rec.change.description} (removes {rec.gain} "
                f"customer-weighted SPOF(s): {rec.before.customer_spofs} -> "
                f"{rec.after.customer_spofs})."
            )
        plan = self.plan
        if plan is not None and len(plan.changes) > 1:
            out.append(
                f"Making the first {len(plan.changes)} changes together takes customer-weighted "
                f"SPOFs from {plan.before.customer_spofs} to {plan.after.customer_spofs} and "
                f"revenue exposed to a SPOF from {plan.before.revenue_exposed_per_hour:,.0f} to "
                f"{plan.after.revenue_exposed_per_hour:,.0f} per hour."
            )
        return out


def _first(names: list[str], n: int) -> str:
    """The first n names, then how many more."""
    shown = ", ".join(names[:n])
    return shown if len(names) <= n else f"{shown} and {len(names) - n} more"


def analyze(catalog: Catalog, config: ResilienceConfig | None = None) -> ResilienceReport:
    """Run every resilience analysis on a catalog."""
    config = config or ResilienceConfig()
    site_config = CutSetConfig(
        max_order=config.cut_sets.max_order,
        max_sets_per_node=config.cut_sets.max_sets_per_node,
        universe="location",
    )
    recs = recommend(catalog, config.recommend)
    components = minimal_cut_sets(catalog, config.cut_sets)
    shared = [r.entity for r in components.ranking if r.shared][: config.shared_whatifs]
    return ResilienceReport(
        provider=catalog.provider.name,
        source=catalog.source,
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        components=components,
        sites=minimal_cut_sets(catalog, site_config),
        diversity=geographic_diversity(catalog),
        drill=dr_drill(catalog),
        recommendations=recs,
        plan=combined_plan(catalog, recs, config.plan_size),
        shared_spof_whatifs=tuple(whatif(catalog, [e]) for e in shared),
    )


def _minutes(value: float) -> float | None:
    """JSON has no infinity: unbounded figures are null."""
    return None if math.isinf(value) else round(value, 3)


def _score(s: ResilienceScore) -> dict[str, Any]:
    return {
        "customer_spofs": s.customer_spofs,
        "spof_components": s.spof_components,
        "shared_spofs": s.shared_spofs,
        "subscriptions_exposed": s.subscriptions_exposed,
        "revenue_exposed_per_hour": s.revenue_exposed_per_hour,
    }


def _drill_json(sc: DrillScenario) -> dict[str, Any]:
    return {
        "kind": sc.kind,
        "name": sc.name,
        "locations": list(sc.locations),
        "customers": sc.customer_status(),
        "checks": [
            {
                "subscription": c.subscription,
                "customer": c.customer,
                "status": c.status,
                "recovery_minutes": _minutes(c.recovery_minutes),
                "data_loss_minutes": _minutes(c.data_loss_minutes),
                "rto_minutes": c.rto_minutes,
                "rpo_minutes": c.rpo_minutes,
                "lost_data_on": list(c.lost_data_on),
            }
            for c in sc.checks
        ],
    }


def _subscriptions_json(report: ResilienceReport) -> list[dict[str, Any]]:
    out = []
    for sid, cs in report.components.subscriptions.items():
        site = report.sites.subscriptions[sid]
        out.append(
            {
                "subscription": sid,
                "customer": cs.customer,
                "spofs": list(cs.spofs),
                "cut_sets": [list(c) for c in cs.cut_sets],
                "complete": cs.complete,
                "site_spofs": list(site.spofs),
                "site_cut_sets": [list(c) for c in site.cut_sets],
            }
        )
    return out


def _recommendation_json(r: Recommendation) -> dict[str, Any]:
    return {
        "kind": r.change.kind,
        "target": r.change.target,
        "description": r.change.description,
        "adds": list(r.change.adds),
        "gain": r.gain,
        "removed_spofs": list(r.removed_spofs),
        "before": _score(r.before),
        "after": _score(r.after),
    }


def _diversity_json(d: DiversityFinding) -> dict[str, Any]:
    return {
        "subscription": d.subscription,
        "customer": d.customer,
        "locations": list(d.locations),
        "regions": list(d.regions),
        "single_locations": list(d.single_locations),
        "single_regions": list(d.single_regions),
        "power_spofs": list(d.power_spofs),
        "weak": d.weak,
    }


def report_to_json(report: ResilienceReport) -> dict[str, Any]:
    """The documented JSON document (schema `outagelens.resilience/1`, see docs/resilience.md)."""
    return {
        "schema": SCHEMA,
        "provider": report.provider,
        "catalog": report.source,
        "generated_at": report.generated_at,
        "max_order": report.components.max_order,
        "spofs": [
            {
                "entity": r.entity,
                "kind": r.kind,
                "customers": list(r.customers),
                "subscriptions": list(r.subscriptions),
                "revenue_per_hour": r.revenue_per_hour,
                "currency": r.currency,
                "shared": r.shared,
            }
            for r in report.components.ranking
        ],
        "subscriptions": _subscriptions_json(report),
        "diversity": [_diversity_json(d) for d in report.diversity],
        "drill": [_drill_json(sc) for sc in report.drill],
        "recommendations": [_recommendation_json(r) for r in report.recommendations],
        "shared_spof_whatifs": [
            {
                "entity": w.failed[0],
                "restore_minutes": w.restore_minutes[w.failed[0]],
                "customers_down": list(w.customers_down),
                "subscriptions_down": [o.subscription for o in w.outages if o.state == "down"],
                "revenue_lost": w.total_revenue_lost,
                "sla_credit": w.total_sla_credit,
            }
            for w in report.shared_spof_whatifs
        ],
        "plan": None
        if report.plan is None
        else {
            "changes": [c.description for c in report.plan.changes],
            "removed_spofs": list(report.plan.removed_spofs),
            "before": _score(report.plan.before),
            "after": _score(report.plan.after),
        },
        "lessons": report.lessons(),
    }


def whatif_to_json(result: WhatIfResult) -> dict[str, Any]:
    """The documented what-if JSON document (schema `outagelens.whatif/1`)."""
    return {
        "schema": WHATIF_SCHEMA,
        "failed": list(result.failed),
        "restore_minutes": result.restore_minutes,
        "customers_down": list(result.customers_down),
        "total_revenue_lost": result.total_revenue_lost,
        "total_sla_credit": result.total_sla_credit,
        "outages": [
            {
                "subscription": o.subscription,
                "customer": o.customer,
                "state": o.state,
                "minutes": o.minutes,
                "revenue_lost": o.cost.revenue_lost,
                "sla_credit": o.cost.sla_credit,
                "currency": o.cost.currency,
                "path": list(o.path),
            }
            for o in result.outages
        ],
        "degraded_groups": [
            {"owner": owner, "group": g, "healthy": healthy, "k": k}
            for owner, g, healthy, k in result.degraded_groups
        ],
    }
