"""Catalog + signals directory -> investigation -> postmortem files; and the `demo` main job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from outagelens.errors import InvestigationError
from outagelens.investigate import investigate
from outagelens.investigation import IncidentInvestigation, Investigation
from outagelens.report.build import build_postmortem
from outagelens.report.model import Postmortem
from outagelens.report.render import ReportFormat, write_report
from outagelens.resilience.report import ResilienceReport, analyze
from outagelens.signals import load_signals_dir
from outagelens.signals.types import SignalSet
from outagelens.topology import Catalog, load_catalog

Step = Callable[[str], None]
"""step(description): called when a stage of the job starts."""

DEMO_SCENARIO = "three-customers"


@dataclass(frozen=True)
class ReportRun:
    """What a report run produced."""

    investigation: Investigation
    incident: IncidentInvestigation
    postmortem: Postmortem
    files: list[Path]


def pick_incident(result: Investigation, incident_id: str | None) -> IncidentInvestigation:
    """The named incident, or the primary one."""
    if not result.incidents:
        raise InvestigationError("the investigation found no incident to report on")
    if incident_id is None:
        return result.incidents[0]
    for ii in result.incidents:
        if ii.incident.id == incident_id:
            return ii
    known = ", ".join(ii.incident.id for ii in result.incidents)
    raise InvestigationError(f"no incident '{incident_id}' in this investigation (found: {known})")


def report_from(
    catalog: Catalog,
    signals: SignalSet,
    formats: list[ReportFormat],
    out: Path,
    *,
    incident_id: str | None = None,
    with_resilience: bool = True,
    step: Step | None = None,
) -> ReportRun:
    """Investigate, then write the postmortem in each format (`out` without suffix gets one)."""
    say = step or (lambda _: None)
    say("investigating")
    result = investigate(catalog, signals)
    ii = pick_incident(result, incident_id)
    resilience: ResilienceReport | None = None
    if with_resilience:
        say("analysing resilience")
        resilience = analyze(catalog)
    say("writing the postmortem")
    pm = build_postmortem(catalog, ii, signals=signals, resilience=resilience)
    files: list[Path] = []
    for fmt in formats:
        target = out if out.suffix == f".{fmt}" or len(formats) == 1 else out / f"postmortem.{fmt}"
        files += write_report(pm, fmt, target)
    return ReportRun(result, ii, pm, files)


def report_files(
    catalog_path: Path,
    signals_dir: Path,
    fmt: ReportFormat,
    out: Path,
    *,
    incident_id: str | None = None,
    step: Step | None = None,
) -> ReportRun:
    """`outagelens report`: load, investigate, write one format."""
    catalog = load_catalog(catalog_path)
    signals = load_signals_dir(signals_dir)
    return report_from(catalog, signals, [fmt], out, incident_id=incident_id, step=step)


def run_demo(out_dir: Path, *, seed: int = 0, step: Step | None = None) -> ReportRun:
    """The main job: simulate the three-customer outage, investigate it, write the postmortem."""
    from outagelens.sim.runner import resolve_scenario, run_scenario

    say = step or (lambda _: None)
    say("simulating the three-customer outage")
    catalog, scenario = resolve_scenario(DEMO_SCENARIO, None)
    signals_dir = out_dir / "signals"
    run_scenario(catalog, scenario, seed, signals_dir)
    signals = load_signals_dir(signals_dir)
    return report_from(catalog, signals, ["html", "md"], out_dir, step=say)
