"""SLA uptime counts the month's earlier incidents from the store (issue: impact, SLA)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from outagelens.investigate import investigate
from outagelens.server.live import earlier_outages, snapshot_of
from outagelens.signals import load_signals_dir
from outagelens.sim.runner import resolve_scenario, run_scenario
from outagelens.store.memory import MemoryStore
from outagelens.store.records import IncidentStatus


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    catalog, scenario = resolve_scenario("three-customers", None)
    directory: Path = tmp_path_factory.mktemp("tc")
    run_scenario(catalog, scenario, 0, directory)
    signals = load_signals_dir(directory)
    return catalog, signals, investigate(catalog, signals)


def test_earlier_incident_of_the_month_lowers_uptime(case) -> None:  # type: ignore[no-untyped-def]
    catalog, signals, first = case
    store = MemoryStore()
    store.create_incident("rc:old", snapshot_of(first.incidents[0]), IncidentStatus.RESOLVED)
    later = signals.window_end + timedelta(days=1)
    earlier = earlier_outages(store, catalog, later)
    bank = "hansa-direktbank/online-banking"
    assert bank in earlier
    (start, end, weight) = earlier[bank][0]
    assert weight == 1.0 and end > start
    # Investigate again with that outage two days earlier in the same month (Nov 24, not Nov 26):
    shifted = {
        sid: [(a - timedelta(days=2), b - timedelta(days=2), w) for a, b, w in ivs]
        for sid, ivs in earlier.items()
    }
    again = investigate(catalog, signals, earlier_outages=shifted)
    sla_before = {s.subscription: s for c in first.incidents[0].impact.customers for s in c.sla}
    sla_after = {s.subscription: s for c in again.incidents[0].impact.customers for s in c.sla}
    assert sla_before[bank].earlier_minutes == 0
    assert sla_after[bank].earlier_minutes > 0
    assert sla_after[bank].uptime_percent < sla_before[bank].uptime_percent


def test_incidents_still_in_the_window_are_not_counted(case) -> None:  # type: ignore[no-untyped-def]
    catalog, signals, first = case
    store = MemoryStore()
    store.create_incident("rc:now", snapshot_of(first.incidents[0]), IncidentStatus.MONITORING)
    assert earlier_outages(store, catalog, signals.window_start) == {}
