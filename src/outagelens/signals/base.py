"""Shared building blocks of the signal models: UTC time types, entity ids, frozen base model."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from outagelens.signals.timefmt import format_time, parse_time, to_utc


def coerce_utc(value: Any) -> Any:
    """Accept RFC 3339 strings or aware datetimes; reject naive times and numbers."""
    if isinstance(value, str):
        return parse_time(value)
    if isinstance(value, datetime):
        return to_utc(value)
    raise ValueError(f"expected an RFC 3339 timestamp, got {type(value).__name__}")


UtcDatetime = Annotated[
    datetime, BeforeValidator(coerce_utc), PlainSerializer(format_time, return_type=str)
]
"""A timezone-aware datetime normalised to UTC; serialised as RFC 3339 with 'Z'."""

CapDatetime = Annotated[
    datetime,
    BeforeValidator(coerce_utc),
    AfterValidator(lambda v: v.replace(microsecond=0)),
    PlainSerializer(format_time, return_type=str),
]
"""A UTC datetime with CAP 1.2 precision: whole seconds (sub-seconds are dropped)."""

EntityId = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^\S+$")]
"""A catalog entity id: non-empty, no whitespace."""


class FrozenModel(BaseModel):
    """Base for signal records: immutable, unknown fields rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )
