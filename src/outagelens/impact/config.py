"""Configuration of the impact assessment, and facts only the customer can supply."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from outagelens.errors import ConfigError

FLAT_DAILY_PROFILE: tuple[float, ...] = (1.0,) * 24


class RegulatoryFacts(BaseModel):
    """What a regulated customer knows and the provider cannot observe; None: not known yet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    aware_at: datetime | None = Field(
        default=None, description="When the customer became aware; default: the first alert."
    )
    data_losses: bool | None = Field(
        default=None, description="Impact on availability/authenticity/integrity/confidentiality."
    )
    malicious_access: bool | None = Field(
        default=None, description="Successful, malicious, unauthorised access to systems."
    )
    reputational: tuple[str, ...] = Field(
        default=(), description="Reputational conditions observed (media, complaints, ...)."
    )
    clients_affected: int | None = Field(default=None, ge=0, description="Overrides estimate.")
    financial_counterparts_affected: int | None = Field(default=None, ge=0)
    relevant_clients_affected: bool | None = None
    other_costs: float = Field(
        default=0.0, ge=0, description="Costs beyond forgone revenue (staff, redress, ...), EUR."
    )


@dataclass(frozen=True)
class ImpactConfig:
    """Knobs of the impact assessment; every one documented in docs/impact.md."""

    down_threshold: float = 0.95
    """A minute counts as down when at least this share of the traffic failed."""
    noise_floor: float = 0.01
    """Failed shares below this (measured from series) are treated as normal noise."""
    baseline_days: int = 7
    """How many earlier days the same-minute baseline looks back."""
    pre_onset_minutes: int = 60
    """Minutes before the first failure used for the pre-onset median baseline."""
    min_baseline_samples: int = 10
    """Fewest pre-onset samples for the pre-onset median to be trusted."""
    daily_profile: tuple[float, ...] = FLAT_DAILY_PROFILE
    """24 hourly weights (provider's time zone) scaling pre-onset medians and catalog rates."""
    support_contact_rate: float | None = None
    """Support contacts per affected end user; None: the catalog provider's figure."""
    eur_rates: Mapping[str, float] = field(default_factory=lambda: {"EUR": 1.0})
    """EUR per unit of each currency, for regulatory thresholds expressed in EUR."""
    facts: Mapping[str, RegulatoryFacts] = field(default_factory=dict)
    """Per customer id: facts for regulatory criteria the provider cannot observe."""

    def __post_init__(self) -> None:
        if not 0 < self.down_threshold <= 1:
            raise ConfigError(
                f"ImpactConfig.down_threshold must be in (0, 1], got {self.down_threshold}"
            )
        if not 0 <= self.noise_floor < self.down_threshold:
            raise ConfigError(
                f"ImpactConfig.noise_floor must be in [0, down_threshold), got {self.noise_floor}"
            )
        if self.baseline_days < 0 or self.pre_onset_minutes < 1 or self.min_baseline_samples < 1:
            raise ConfigError(
                "ImpactConfig.baseline_days must be >= 0, pre_onset_minutes and "
                "min_baseline_samples >= 1"
            )
        profile = self.daily_profile
        if len(profile) != 24 or any(not math.isfinite(w) or w <= 0 for w in profile):
            raise ConfigError("ImpactConfig.daily_profile must hold 24 positive hourly weights")
        rate = self.support_contact_rate
        if rate is not None and not 0 <= rate <= 1:
            raise ConfigError(f"ImpactConfig.support_contact_rate must be in [0, 1], got {rate}")
        for cur, eur in self.eur_rates.items():
            if not math.isfinite(eur) or eur <= 0:
                raise ConfigError(f"ImpactConfig.eur_rates['{cur}'] must be positive, got {eur}")
