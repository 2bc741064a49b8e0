"""Status page HTML and uptime bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outagelens.comms.models import ComponentStatus
from outagelens.comms.pages import render_status_page
from outagelens.comms.status import PUBLIC, build_page
from outagelens.comms.uptime import OutageSpan, overall_uptime, uptime_history
from outagelens.topology import Catalog
from tests.comms.conftest import T0, make_incident

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "minutes", "expected"),
    [
        (ComponentStatus.MAJOR_OUTAGE, 144, 90.0),
        (ComponentStatus.PARTIAL_OUTAGE, 144, 95.0),
        (ComponentStatus.DEGRADED_PERFORMANCE, 144, 100.0),
    ],
    ids=["major-counts-fully", "partial-counts-half", "degraded-not-counted"],
)
def test_uptime_of_a_full_day(status: ComponentStatus, minutes: int, expected: float) -> None:
    start = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    spans = [OutageSpan("c", start, start + timedelta(minutes=minutes), status)]
    bars = uptime_history("c", spans, now=NOW, days=5)
    assert len(bars) == 5
    day = next(b for b in bars if b.day.isoformat() == "2026-11-18")
    assert day.uptime_percent == expected
    assert day.worst is status
    assert all(b.uptime_percent == 100.0 for b in bars if b.day.isoformat() != "2026-11-18")


def test_outage_spanning_midnight_splits_across_days() -> None:
    start = datetime(2026, 11, 18, 23, 0, tzinfo=UTC)
    spans = [OutageSpan("c", start, start + timedelta(hours=2), ComponentStatus.MAJOR_OUTAGE)]
    bars = {b.day.isoformat(): b for b in uptime_history("c", spans, now=NOW, days=5)}
    assert bars["2026-11-18"].outage_minutes == 60
    assert bars["2026-11-19"].outage_minutes == 60
    assert overall_uptime(list(bars.values())) < 100


def test_page_html_shows_statuses_and_bars(catalog: Catalog) -> None:
    page = build_page(
        catalog,
        [make_incident()],
        audience=PUBLIC,
        now=T0 + timedelta(minutes=9),
        page_url="http://x/",
    )
    spans = [OutageSpan("vm-hosting@fra1", T0, None, ComponentStatus.MAJOR_OUTAGE)]
    history = {
        c.id: uptime_history(c.id, spans, now=T0 + timedelta(minutes=9)) for c in page.components
    }
    html = render_status_page(page, history=history)
    assert 'id="component-vm-hosting@fra1" data-status="major_outage"' in html
    assert 'data-status="operational"' in html
    assert "Investigating" in html
    assert html.count('<div class="bars"') == len(page.components)
    assert "90-day history of" in html
    for cust in catalog.customers.values():
        assert cust.name not in html


def test_stale_snapshot_is_labelled(catalog: Catalog) -> None:
    page = build_page(catalog, [], audience=PUBLIC, now=T0, page_url="http://x/")
    html = render_status_page(page, history={}, stale=True)
    assert 'id="stale-note"' in html
    assert "All Systems Operational" in html
