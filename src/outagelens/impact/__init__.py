"""Downtime, lost revenue, SLA credits and regulatory classification per customer."""

from outagelens.impact.assess import assess_incident, incident_end
from outagelens.impact.config import ImpactConfig, RegulatoryFacts
from outagelens.impact.models import (
    BaselineMethod,
    CriterionResult,
    CustomerImpact,
    ImpactReport,
    ImpactTotals,
    RegulatoryAssessment,
    ReportingDeadline,
    SlaAssessment,
    SubscriptionImpact,
)
from outagelens.impact.sla import WeightedInterval

__all__ = [
    "BaselineMethod",
    "CriterionResult",
    "CustomerImpact",
    "ImpactConfig",
    "ImpactReport",
    "ImpactTotals",
    "RegulatoryAssessment",
    "RegulatoryFacts",
    "ReportingDeadline",
    "SlaAssessment",
    "SubscriptionImpact",
    "WeightedInterval",
    "assess_incident",
    "incident_end",
]
