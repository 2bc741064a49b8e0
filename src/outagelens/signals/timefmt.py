"""One way to write and read timestamps in signal files: RFC 3339, UTC, trailing 'Z'."""

from __future__ import annotations

from datetime import UTC, datetime

# Alertmanager writes this for "no end time yet"; Go's zero time.Time.
ZERO_TIME_TEXT = "0001-01-01T00:00:00Z"


def to_utc(value: datetime) -> datetime:
    """Return `value` converted to UTC; raise ValueError if it carries no time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"datetime {value.isoformat()} has no time zone; signals need UTC-aware times"
        )
    return value.astimezone(UTC)


def format_time(value: datetime) -> str:
    """Format an aware datetime as RFC 3339 UTC with 'Z'; microseconds only when non-zero."""
    utc = to_utc(value)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """Parse RFC 3339 (any offset, up to 9 fraction digits) into an aware UTC datetime."""
    if not isinstance(text, str):
        raise ValueError(f"expected an RFC 3339 timestamp string, got {type(text).__name__}")
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    # Go and Alertmanager write up to 9 fractional digits; Python keeps 6.
    if "." in raw:
        head, _, rest = raw.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        raw = f"{head}.{digits[:6].ljust(6, '0')}{rest}" if digits else f"{head}{rest}"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{text}' is not an RFC 3339 timestamp") from None
    if "T" not in raw.upper() and " " not in raw:
        raise ValueError(f"'{text}' is not an RFC 3339 timestamp (no time part)")
    if parsed.tzinfo is None:
        raise ValueError(f"'{text}' has no time-zone offset; use 'Z' or '+HH:MM'")
    return parsed.astimezone(UTC)


def is_zero_time(text: str) -> bool:
    """True if `text` is Go's zero time, Alertmanager's marker for an unresolved alert."""
    return text.strip().startswith("0001-01-01T00:00:00")
