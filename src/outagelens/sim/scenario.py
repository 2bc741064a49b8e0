"""The scenario model: which faults to inject into which catalog, with which decoys and noise.

A scenario is plain data (a YAML file or a built-in), validated by pydantic; every problem is
turned into a `ScenarioError` that names the file and the field (see docs/simulator.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from outagelens.errors import ScenarioError

Category = Literal["hardware", "software", "cyberattack", "natural_disaster"]
CATEGORIES: tuple[Category, ...] = ("hardware", "software", "cyberattack", "natural_disaster")
NoiseLevel = Literal["clean", "realistic", "harsh"]
DecoyKind = Literal["change", "flash_sale", "alarm", "hazard"]

# Friday 27 November 2026, 00:00 UTC: a fixed end so that every run is reproducible.
DEFAULT_WINDOW_END = datetime(2026, 11, 20, tzinfo=UTC)
SOURCES: tuple[str, ...] = ("alerts", "changes", "hardware", "hazards")


class _Strict(BaseModel):
    """Unknown keys are errors, so a misspelt knob never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoiseConfig(_Strict):
    """How imperfect the evidence is; the defaults are what a real provider sees."""

    missing_alert_rate: float = Field(
        default=0.15, ge=0, le=1, description="Chance that an alert which should fire never does."
    )
    false_alarm_rate: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="Chance per healthy entity per day of a short spurious alert.",
    )
    alert_delay_minutes: float = Field(
        default=2.0, ge=0, description="Median delay between a symptom and its alert (lognormal)."
    )
    alert_delay_max_minutes: float = Field(default=10.0, ge=0)
    flapping_rate: float = Field(
        default=0.15, ge=0, le=1, description="Chance that an alert resolves and refires."
    )
    clock_skew_seconds: dict[str, float] = Field(
        default_factory=lambda: {"alerts": 5.0, "changes": 90.0, "hardware": 45.0, "hazards": 0.0},
        description="Per source: maximum absolute clock offset (each run draws one in +-max).",
    )
    missing_alarm_rate: float = Field(
        default=0.2, ge=0, le=1, description="Chance that a hardware alarm is never raised."
    )
    peer_alarm_rate: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="Chance that a hardware alarm is raised on a redundant peer instead.",
    )
    secondary_fault_probability: float = Field(
        default=0.3, ge=0, le=1, description="Chance of a second, unrelated small fault."
    )
    partial_degradation_probability: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="Chance that an affected row degrades (errors, latency) instead of going down.",
    )
    series_noise: float = Field(
        default=0.05, ge=0, le=1, description="Relative standard deviation of SLI samples."
    )
    series_gap_rate: float = Field(
        default=0.002, ge=0, le=1, description="Fraction of SLI samples lost (scrape gaps)."
    )
    background_changes_per_day: float = Field(
        default=0.3, ge=0, description="Routine changes per component with software, per day."
    )

    @field_validator("clock_skew_seconds")
    @classmethod
    def _known_sources(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(SOURCES))
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; known: {list(SOURCES)}")
        if any(v < 0 for v in value.values()):
            raise ValueError("clock skews are maximum magnitudes and must be >= 0")
        return {s: float(value.get(s, 0.0)) for s in SOURCES}

    def skew(self, source: str) -> float:
        """Maximum absolute clock offset of a source, in seconds."""
        return float(self.clock_skew_seconds.get(source, 0.0))

    @classmethod
    def level(cls, name: NoiseLevel) -> NoiseConfig:
        """A preset: 'clean' (no noise at all), 'realistic' (the defaults) or 'harsh'."""
        if name == "clean":
            return cls(
                missing_alert_rate=0,
                false_alarm_rate=0,
                alert_delay_minutes=0,
                alert_delay_max_minutes=0,
                flapping_rate=0,
                clock_skew_seconds={},
                missing_alarm_rate=0,
                peer_alarm_rate=0,
                secondary_fault_probability=0,
                partial_degradation_probability=0,
                series_noise=0.01,
                series_gap_rate=0,
                background_changes_per_day=0,
            )
        if name == "harsh":
            return cls(
                missing_alert_rate=0.35,
                false_alarm_rate=0.08,
                alert_delay_minutes=4,
                alert_delay_max_minutes=20,
                flapping_rate=0.35,
                clock_skew_seconds={"alerts": 30, "changes": 300, "hardware": 180, "hazards": 60},
                missing_alarm_rate=0.45,
                peer_alarm_rate=0.35,
                secondary_fault_probability=0.7,
                partial_degradation_probability=0.4,
                series_noise=0.1,
                series_gap_rate=0.01,
                background_changes_per_day=0.8,
            )
        return cls()


class FaultSpec(_Strict):
    """One injected fault: what fails, how, when, for how long."""

    category: Category
    target: str = Field(min_length=1, description="Entity id: a component or a location.")
    onset_minutes: float = Field(ge=0, description="Minutes after the window start.")
    duration_minutes: float = Field(gt=0)
    severity: Literal["down", "degraded"] = "down"
    partial_fraction: float = Field(
        default=0.5, gt=0, le=1, description="Error fraction when severity is 'degraded'."
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Category-specific details (docs/simulator.md)."
    )


class DecoySpec(_Strict):
    """Evidence that looks suspicious but caused nothing (a change, a flash sale, an alarm...)."""

    kind: DecoyKind
    target: str = Field(min_length=1, description="Component, location or customer id.")
    at_minutes: float = Field(ge=0, description="Minutes after the window start.")
    duration_minutes: float = Field(default=60, gt=0)
    parameters: dict[str, Any] = Field(default_factory=dict)


class Scenario(_Strict):
    """A complete simulation scenario."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    description: str = ""
    catalog: str | None = Field(
        default=None, description="Catalog file, relative to the scenario file."
    )
    window_end: datetime = DEFAULT_WINDOW_END
    window_hours: float = Field(default=24, gt=0, le=24 * 14)
    faults: list[FaultSpec] = Field(min_length=1)
    decoys: list[DecoySpec] = Field(default_factory=list)
    noise: NoiseConfig = Field(default_factory=NoiseConfig)

    @field_validator("window_end")
    @classmethod
    def _whole_minute_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("window_end needs a time zone (e.g. '2026-11-27T00:00:00Z')")
        value = value.astimezone(UTC)
        if value.second or value.microsecond:
            raise ValueError("window_end must be on a whole minute")
        return value

    @model_validator(mode="after")
    def _faults_inside_window(self) -> Scenario:
        length = self.window_minutes
        for i, fault in enumerate(self.faults):
            if fault.onset_minutes >= length:
                raise ValueError(
                    f"faults[{i}].onset_minutes={fault.onset_minutes} is past the window "
                    f"({length} minutes)"
                )
        for i, decoy in enumerate(self.decoys):
            if decoy.at_minutes >= length:
                raise ValueError(f"decoys[{i}].at_minutes={decoy.at_minutes} is past the window")
        return self

    @property
    def window_minutes(self) -> int:
        """Window length in whole minutes."""
        return round(self.window_hours * 60)

    @property
    def window_start(self) -> datetime:
        """Inclusive start of the window (UTC)."""
        return self.window_end - timedelta(minutes=self.window_minutes)


def scenario_from_dict(raw: Any, *, source: str | None = None) -> Scenario:
    """Validate a parsed scenario mapping; errors name the source and the field."""
    where = f"{source}: " if source else ""
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}a scenario must be a mapping at the top level")
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(where + _describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        parts = [f"[{p}]" if isinstance(p, int) else str(p) for p in err["loc"]]
        field = ".".join(parts).replace(".[", "[") or "(scenario)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (see docs/simulator.md for the scenario format)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        lines.append(f"field '{field}': {msg}")
    return "; ".join(lines)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read scenario file: {exc.strerror or exc}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{p}: not valid YAML: {exc}") from None
    return scenario_from_dict(raw, source=str(p))


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML that `load_scenario` reads back to an equal scenario."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("faults", [f.model_dump(mode="json") for f in scenario.faults])
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
