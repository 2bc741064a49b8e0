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
    Recommendation,
    RecommendConfig,
    ResilienceScore,
    recommend,
)
from outagelens.resilience.whatif import WhatIfResult
from outagelens.topology.catalog import Catalog

SCHEMA = "outagelens.resilience/1"
WHATIF_SCHEMA = "outagelens.whatif/1"


@dataclass(frozen=True)
class ResilienceConfig:
    """Settings of a full resilience report."""

    cut_sets: CutSetConfig = field(default_factory=CutSetConfig)
    recommend: RecommendConfig = field(default_factory=RecommendConfig)


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

    def lessons(self) -> list[str]:
        """Short sentences for a postmortem's lessons section, most important first."""
        out = []
        shared = [r for r in self.components.ranking if r.shared]
        if shared:
            worst = shared[0]
            out.append(
                f"{len(shared)} single point(s) of failure take down two or more customers at "
                f"once; the worst, {worst.entity}, takes down {', '.join(worst.customers)} "
                f"({worst.revenue_per_hour:,.0f} {worst.currency}/h of revenue)."
            )
        single_site = [d for d in self.diversity if d.single_locations]
        if single_site:
            out.append(
                f"{len(single_site)} subscription(s) depend on a single location: "
                + ", ".join(
                    f"{d.subscription} ({', '.join(d.single_locations)})" for d in single_site[:5]
                )
                + ("." if len(single_site) <= 5 else ", ...")
            )
        for sc in self.drill:
            failing = [c for c, s in sc.customer_status().items() if s == "fail"]
            if failing:
                out.append(
                    f"Loss of {sc.kind} {sc.name} breaks the RTO/RPO targets of "
                    f"{', '.join(failing)}."
                )
        if self.recommendations:
            rec = self.recommendations[0]
            out.append(
                f"First change to make: {rec.change.description} (removes {rec.gain} "
                f"customer-weighted SPOF(s): {rec.before.customer_spofs} -> "
                f"{rec.after.customer_spofs})."
            )
        return out


def analyze(catalog: Catalog, config: ResilienceConfig | None = None) -> ResilienceReport:
    """Run every resilience analysis on a catalog."""
    config = config or ResilienceConfig()
    site_config = CutSetConfig(
        max_order=config.cut_sets.max_order,
        max_sets_per_node=config.cut_sets.max_sets_per_node,
        universe="location",
    )
    return ResilienceReport(
        provider=catalog.provider.name,
        source=catalog.source,
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        components=minimal_cut_sets(catalog, config.cut_sets),
        sites=minimal_cut_sets(catalog, site_config),
        diversity=geographic_diversity(catalog),
        drill=dr_drill(catalog),
        recommendations=recommend(catalog, config.recommend),
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


def report_to_json(report: ResilienceReport) -> dict[str, Any]:
    """The documented JSON document (schema `outagelens.resilience/1`, see docs/resilience.md)."""
    subs = []
    for sid, cs in report.components.subscriptions.items():
        site = report.sites.subscriptions[sid]
        subs.append(
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
        "subscriptions": subs,
        "diversity": [
            {
                "subscription": d.subscription,
                "customer": d.customer,
                "locations": list(d.locations),
                "regions": list(d.regions),
                "single_locations": list(d.single_locations),
                "single_regions": list(d.single_regions),
                "power_spofs": list(d.power_spofs),
                "weak": d.weak,
            }
            for d in report.diversity
        ],
        "drill": [_drill_json(sc) for sc in report.drill],
        "recommendations": [
            {
                "kind": r.change.kind,
                "target": r.change.target,
                "description": r.change.description,
                "adds": list(r.change.adds),
                "gain": r.gain,
                "removed_spofs": list(r.removed_spofs),
                "before": _score(r.before),
                "after": _score(r.after),
            }
            for r in report.recommendations
        ],
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
