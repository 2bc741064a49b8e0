"""Hypotheses: candidate root causes with a cause category, a score and evidence."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CauseCategory(StrEnum):
    """Why the root cause failed."""

    HARDWARE = "hardware"
    SOFTWARE = "software"
    CYBERATTACK = "cyberattack"
    NATURAL_DISASTER = "natural_disaster"
    UNKNOWN = "unknown"


class Evidence(BaseModel):
    """One piece of evidence for or against a hypothesis, as data and as a sentence."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="e.g. explains_symptom, healthy_dependent, alarm, change.")
    supports: bool = Field(description="True: for the hypothesis; False: against it.")
    entity: str | None = None
    time: datetime | None = None
    weight: float = Field(default=0.0, description="Log-likelihood contribution, if any.")
    category: CauseCategory | None = Field(
        default=None, description="Cause category this evidence speaks for, if any."
    )
    sentence: str
    data: dict[str, Any] = Field(default_factory=dict)


class Hypothesis(BaseModel):
    """A candidate root cause (one entity or a small set) with its category and evidence."""

    model_config = ConfigDict(frozen=True)

    rank: int = Field(ge=1)
    entities: tuple[str, ...]
    confidence: float = Field(ge=0, le=1, description="Posterior probability among candidates.")
    log_likelihood: float
    category: CauseCategory
    category_probabilities: dict[CauseCategory, float]
    onset: datetime | None = Field(default=None, description="When the root cause failed.")
    explained: tuple[str, ...] = Field(default=(), description="Symptomatic entities it explains.")
    unexplained: tuple[str, ...] = Field(default=(), description="Symptoms it does not explain.")
    contradicted: tuple[str, ...] = Field(
        default=(),
        description="Entities it predicts down that look healthy (sorted; an investigation "
        "lists at most `InvestigateConfig.listed_contradicted` of them; `contradicted_count` "
        "counts all).",
    )
    contradicted_count: int = Field(
        default=0, ge=0, description="How many entities it predicts down that look healthy."
    )
    evidence_for: tuple[Evidence, ...] = ()
    evidence_against: tuple[Evidence, ...] = ()
    summary: str = Field(description="One readable sentence.")

    @model_validator(mode="before")
    @classmethod
    def _count_listed(cls, data: Any) -> Any:
        """Hypotheses stored before `contradicted_count` existed listed every entity: count them."""
        if isinstance(data, dict) and "contradicted_count" not in data:
            return {**data, "contradicted_count": len(data.get("contradicted") or ())}
        return data
