"""Drafted updates: what they say at each stage, and what they never say."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outagelens.comms.drafts import draft_update
from outagelens.comms.models import IncidentStatus
from outagelens.comms.status import PUBLIC, CauseStatement
from outagelens.topology import Catalog
from tests.comms.conftest import T0, make_incident

NOW = T0 + timedelta(minutes=12)
CAUSE = CauseStatement(
    category="hardware", component_kind="storage", location="fra1", confirmed=False
)


def test_investigating_names_what_and_since_but_no_cause(catalog: Catalog) -> None:
    inc = make_incident(cause=None)
    u = draft_update(catalog, inc, audience=PUBLIC, stage=IncidentStatus.INVESTIGATING, now=NOW)
    assert "Virtual machines, Frankfurt am Main, DE (fra1)" in u.body
    assert "2026-11-20 09:00 CET" in u.body  # provider time zone Europe/Berlin
    assert "Next update by 2026-11-20 09:42 CET" in u.body
    for word in ("hardware", "cause is", "storage"):
        assert word not in u.body


def test_identified_states_the_reached_cause_in_public_words(catalog: Catalog) -> None:
    inc = make_incident(IncidentStatus.IDENTIFIED, cause=CAUSE)
    u = draft_update(catalog, inc, audience=PUBLIC, stage=IncidentStatus.IDENTIFIED, now=NOW)
    assert (
        "The cause is a hardware failure affecting a storage system in Frankfurt am Main, DE."
        in u.body
    )
    assert "fra1-san" not in u.body


def test_identified_without_cause_does_not_invent_one(catalog: Catalog) -> None:
    inc = make_incident(IncidentStatus.IDENTIFIED, cause=None)
    u = draft_update(catalog, inc, audience=PUBLIC, stage=IncidentStatus.IDENTIFIED, now=NOW)
    assert "not yet confirmed" in u.body
    assert "The cause is a" not in u.body


@pytest.mark.parametrize("audience", ["shopwave", "hansa-direktbank", "rheinlogistik"])
def test_customer_draft_mentions_only_its_services(catalog: Catalog, audience: str) -> None:
    inc = make_incident(cause=CAUSE)
    u = draft_update(catalog, inc, audience=audience, stage=IncidentStatus.INVESTIGATING, now=NOW)
    own = {r.service for r in catalog.subscriptions_of(audience)}
    for svc in catalog.services.values():
        if svc.id not in own:
            assert svc.name not in u.body
    for cust in catalog.customers.values():
        assert cust.name not in u.body


def test_resolved_states_duration(catalog: Catalog) -> None:
    inc = make_incident(IncidentStatus.RESOLVED, ended=True)
    u = draft_update(catalog, inc, audience=PUBLIC, stage=IncidentStatus.RESOLVED, now=NOW)
    assert "(60 minutes)" in u.body
    assert "resolved" in u.body
