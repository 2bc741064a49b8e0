"""RSS and Atom feeds parse as XML and list each update once, newest first."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from outagelens.comms.drafts import draft_update
from outagelens.comms.feeds import render_feed
from outagelens.comms.models import IncidentStatus
from outagelens.comms.status import PUBLIC, LiveIncident, build_page
from outagelens.topology import Catalog
from tests.comms.conftest import T0, make_incident

ATOM = "{http://www.w3.org/2005/Atom}"


def _incident_with_updates(catalog: Catalog) -> LiveIncident:
    inc = make_incident()
    first = draft_update(
        catalog,
        inc,
        audience=PUBLIC,
        stage=IncidentStatus.INVESTIGATING,
        now=T0 + timedelta(minutes=5),
    )
    second = draft_update(
        catalog,
        inc,
        audience=PUBLIC,
        stage=IncidentStatus.IDENTIFIED,
        now=T0 + timedelta(minutes=20),
    )
    return LiveIncident(**{**inc.__dict__, "updates": {PUBLIC: (first, second)}})


def test_atom_feed_lists_updates_newest_first(catalog: Catalog) -> None:
    inc = _incident_with_updates(catalog)
    page = build_page(
        catalog,
        [inc],
        audience=PUBLIC,
        now=T0 + timedelta(minutes=30),
        page_url="http://status.example/",
    )
    root = ET.fromstring(render_feed(page, "atom"))
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0].endswith(": identified") and titles[1].endswith(": investigating")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 2


def test_rss_feed_is_valid_rss(catalog: Catalog) -> None:
    inc = _incident_with_updates(catalog)
    page = build_page(
        catalog,
        [inc],
        audience=PUBLIC,
        now=T0 + timedelta(minutes=30),
        page_url="http://status.example/",
    )
    root = ET.fromstring(render_feed(page, "rss"))
    assert root.tag == "rss"
    assert len(root.findall("./channel/item")) == 2
