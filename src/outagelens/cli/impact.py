"""`outagelens impact`: the impact of a recorded incident (JSON) on every affected customer."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console

from outagelens.cli.impact_view import print_impact
from outagelens.correlate.models import Incident
from outagelens.errors import ConfigError, InvestigationError
from outagelens.impact import ImpactConfig, RegulatoryFacts, assess_incident
from outagelens.topology import load_catalog

console = Console()
_FACTS = TypeAdapter(dict[str, RegulatoryFacts])


def _read_incident(path: Path) -> Incident:
    try:
        return Incident.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvestigationError(f"{path}: cannot read incident file: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvestigationError(f"{path}: field '{where}': {first['msg']}") from None


def _read_facts(path: Path | None) -> dict[str, RegulatoryFacts]:
    if path is None:
        return {}
    try:
        return _FACTS.validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        raise ConfigError(f"{path}: regulatory facts file is invalid: {exc}") from None


def _parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{option}: '{value}' is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ConfigError(f"{option}: '{value}' has no UTC offset")
    return parsed


def impact(
    catalog_file: Path = typer.Argument(..., help="Catalog file."),
    incident_file: Path = typer.Argument(..., help="Incident JSON (as the investigation writes)."),
    signals: Path | None = typer.Option(None, "--signals", help="Signals directory with series."),
    classified_at: str | None = typer.Option(
        None, "--classified-at", help="When the customer classified the incident (ISO 8601)."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Assess an ongoing incident at."),
    facts: Path | None = typer.Option(
        None, "--facts", help="JSON: customer id -> regulatory facts (data losses, ...)."
    ),
    contact_rate: float | None = typer.Option(
        None, "--support-contact-rate", help="Support contacts per affected end user."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Downtime, lost revenue, SLA credits and regulatory classification per customer."""
    catalog = load_catalog(catalog_file)
    incident = _read_incident(incident_file)
    series = None
    if signals is not None:
        from outagelens.signals import load_signals_dir

        series = load_signals_dir(signals).series
    config = ImpactConfig(support_contact_rate=contact_rate, facts=_read_facts(facts))
    report = assess_incident(
        catalog,
        incident,
        series=series,
        classified_at=_parse_time(classified_at, "--classified-at"),
        as_of=_parse_time(as_of, "--as-of"),
        config=config,
    )
    if as_json:
        print(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        print_impact(report, console)
