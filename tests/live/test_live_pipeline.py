"""Acceptance: the three-customer outage through real Prometheus and Alertmanager into OutageLens.

replay exporter --scrape--> prometheus --rules--> alertmanager --webhook--> outagelens serve
      \\--changes, alarms (POST /ingest/*)--------------------------------------^   |
                         prometheus <--query_range (SLI series, traffic)-------------/

The scenario replays at SPEED times real time from 15 minutes before the fault; Prometheus
scrapes and evaluates every 0.5 s and the rules' `for:` are divided by SPEED, so alerts fire
after the same number of scenario minutes as in production. The test knows the injected cause
(truth of the same scenario and seed); the server never sees it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import require_program
from tests.factories import RecordingReceiver, recording_receiver
from tests.live.conftest import (
    ALERTMANAGER,
    CATALOG,
    PROMETHEUS,
    STAGES,
    PipelineConfig,
    Proc,
    StatusPages,
    live_pipeline,
    scaled_rules,
    wait_for,
)

from outagelens.comms.drafts import cause_sentence
from outagelens.comms.status import CauseStatement
from outagelens.signals.types import Truth
from outagelens.sim.builtin import builtin_scenario
from outagelens.sim.replay import Replay, ReplayConfig, start_replay
from outagelens.sim.runner import simulate
from outagelens.topology import Catalog, load_catalog

SEED = 0
SPEED = 60.0
SCRAPE_SECONDS = 0.5
LEAD_MINUTES = 15  # replay starts this long before the fault's onset
BANK = "hansa-direktbank"
QUIET_MINUTES = 5  # server: monitoring time before 'resolved' (scenario minutes)


@pytest.mark.prometheus
def test_three_customer_outage_opens_identifies_and_resolves(tmp_path: Path) -> None:
    require_program("prometheus", PROMETHEUS)
    require_program("prometheus-alertmanager", ALERTMANAGER)
    catalog = load_catalog(CATALOG)
    result = simulate(catalog, builtin_scenario("three-customers"), SEED)
    truth = result.truth
    assert truth.onset is not None and truth.end is not None and truth.category is not None
    window_start = result.signals.window_start
    start_minute = int((truth.onset - window_start) / timedelta(minutes=1)) - LEAD_MINUTES

    server_env = {
        "OUTAGELENS_INVESTIGATE_EVERY_SECONDS": "1",
        "OUTAGELENS_WORKER_POLL_SECONDS": "0.2",
        "OUTAGELENS_QUIET_MINUTES": str(QUIET_MINUTES),
        "OUTAGELENS_WINDOW_MINUTES": "180",
        "OUTAGELENS_LOG_LEVEL": "WARNING",
        "OUTAGELENS_STATUS_REFRESH_SECONDS": "0.5",
        "OUTAGELENS_STATUS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "OUTAGELENS_STATUS_RETRY_FIRST_SECONDS": "0.2",
    }
    config = PipelineConfig(
        scrape_seconds=SCRAPE_SECONDS,
        rules=scaled_rules(SPEED, tmp_path / "rules.yml"),
        group_seconds=0.5,
        resolve_seconds=10,
        server_env=server_env,
    )
    with live_pipeline(tmp_path, config) as pipeline:
        procs, base, key = pipeline.procs, pipeline.base, pipeline.key
        pages = StatusPages.create(base, pipeline.headers, BANK)
        replay_config = ReplayConfig(
            SPEED, start_minute, port=pipeline.replay_port, post_to=base, api_key=key
        )
        with recording_receiver() as receiver:
            for audience, path in (("public", "/public"), (BANK, "/bank")):
                pages.subscribe(audience, receiver.url + path)
            replay = start_replay(catalog, result.signals, replay_config)
            try:
                incident_id, cause_missing = _assert_pipeline(replay, pages, truth, catalog, procs)
            finally:
                replay.stop()
            _assert_notifications(pages, receiver, incident_id, procs)
        assert replay.poster is not None and replay.poster.failed == []
    assert not cause_missing, "; ".join(cause_missing)


def _seconds_until(when: datetime) -> float:
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _assert_pipeline(
    replay: Replay, pages: StatusPages, truth: Truth, catalog: Catalog, procs: tuple[Proc, ...]
) -> tuple[str, list[str]]:
    """Opens, shows the affected components, finds the cause, resolves.

    Returns the incident id and the pages that never showed the injected cause.
    """
    assert truth.onset is not None and truth.end is not None and truth.category is not None
    customers = set(truth.affected_customers)
    onset_wall = replay.timeline.wall_of(truth.onset)
    end_wall = replay.timeline.wall_of(truth.end)
    minute = 60 / SPEED  # wall seconds per scenario minute

    wait_for(
        f"an incident covering {sorted(customers)}",
        lambda: _covering(pages.incidents(), customers),
        _seconds_until(onset_wall) + 10 * minute + 30,
        procs,
    )
    affected = wait_for(
        "affected fra1 components on the public and the bank's status page",
        lambda: pages.affected(BANK) and pages.affected("public"),
        _seconds_until(onset_wall) + 10 * minute + 30,
        procs,
    )
    assert affected

    def identified() -> dict[str, Any] | None:
        incident = _covering(pages.incidents(), customers)
        root = (incident or {}).get("root_cause") or {}
        ok = set(root.get("entities", [])) == set(truth.root_causes)
        return incident if ok and root.get("category") == truth.category else None

    found = wait_for(
        f"root cause {list(truth.root_causes)} ({truth.category}) on the API",
        identified,
        _seconds_until(onset_wall) + 20 * minute + 30,
        procs,
    )
    # Early passes may split the first minutes into a short-lived incident (server matching);
    # the one that carries the root cause is the one that must resolve.
    component = catalog.components[truth.root_causes[0]]
    cause = cause_sentence(
        CauseStatement(truth.category, component.kind.value, component.location, False), catalog
    )
    # The bank's two Frankfurt services (online banking VMs, payments database) are down.
    assert len(pages.affected(BANK)) == 2, pages.summary(BANK)["components"]

    # The cause sentence on each page, checked on every poll until the incident resolves.
    cause_seen = {"public": False, BANK: False}

    def resolved() -> dict[str, Any] | None:
        for audience, seen in cause_seen.items():
            if not seen and cause in pages.summary_text(audience):
                cause_seen[audience] = True
        incident = pages.incident(found["id"])
        return incident if incident["status"] == "resolved" else None

    closed = wait_for(
        "the incident to resolve after recovery",
        resolved,
        _seconds_until(end_wall) + (QUIET_MINUTES + 15) * minute + 30,
        procs,
    )
    root = closed["root_cause"]
    assert (sorted(root["entities"]), root["category"]) == (
        sorted(truth.root_causes),
        truth.category,
    )
    assert customers <= set(closed["scope"]["customers"])
    wait_for(
        "all components operational again on the public and the bank's page",
        lambda: not pages.affected("public") and not pages.affected(BANK),
        30,
        procs,
    )
    missing = [a for a, seen in cause_seen.items() if not seen]
    return str(found["id"]), [f"{a} page never said {cause!r}" for a in missing]


def _assert_notifications(
    pages: StatusPages, receiver: RecordingReceiver, incident_id: str, procs: tuple[Proc, ...]
) -> None:
    """Every published update reached its audience's subscriber exactly once, in order."""

    def resolved_everywhere() -> bool:
        # The status service drafts the 'resolved' updates on its own tick after the incident
        # resolves: wait for both audiences' before taking the outbox as final.
        audiences = {
            u["audience"]
            for u in pages.updates()
            if u["incident_id"] == incident_id
            and u["status"] == "resolved"
            and u["state"] == "published"
        }
        return {"public", BANK} <= audiences

    wait_for("the 'resolved' updates to be published", resolved_everywhere, 60, procs)
    published = wait_for("the outbox to settle", pages.settled_outbox, 30, procs)
    updates = [u for u in pages.updates() if u["state"] == "published"]
    expected = {
        "/public": [u["id"] for u in updates if u["audience"] == "public"],
        "/bank": [u["id"] for u in updates if u["audience"] == BANK],
    }
    got: dict[str, list[str]] = {"/public": [], "/bank": []}
    for request in receiver.requests:
        got[request.path].append(json.loads(request.body)["update"]["id"])
    assert len(published) == len(receiver.requests)
    # Only the outage itself was announced: not the PSU alarm on the redundant spine switch
    # (no customer affected), nor a split of the first minutes that ended before confirmation.
    assert {u["incident_id"] for u in updates} == {incident_id}, updates
    assert {p: sorted(v) for p, v in got.items()} == {p: sorted(v) for p, v in expected.items()}
    stages = [
        u["status"] for u in updates if u["incident_id"] == incident_id and u["audience"] == BANK
    ]
    assert stages[-1] == "resolved" and stages.count("resolved") == 1, stages
    assert stages == sorted(stages, key=STAGES.index), stages


def _covering(incidents: list[dict[str, Any]], customers: set[str]) -> dict[str, Any] | None:
    for incident in incidents:
        scope = incident.get("scope") or {}
        if customers <= set(scope.get("customers", [])):
            return incident
    return None
