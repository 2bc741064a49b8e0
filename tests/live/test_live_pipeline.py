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

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import require_program
from tests.live.conftest import (
    ALERTMANAGER,
    CATALOG,
    PROMETHEUS,
    ROOT,
    Proc,
    alertmanager_yml,
    create_key,
    free_port,
    http_ok,
    prometheus_yml,
    python_argv,
    scaled_rules,
    started,
    wait_for,
)

from outagelens.sim.builtin import builtin_scenario
from outagelens.sim.replay import Replay, ReplayConfig, start_replay
from outagelens.sim.runner import simulate
from outagelens.topology import load_catalog

SEED = 0
SPEED = 60.0
SCRAPE_SECONDS = 0.5
LEAD_MINUTES = 15  # replay starts this long before the fault's onset
QUIET_MINUTES = 5  # server: monitoring time before 'resolved' (scenario minutes)


def _incidents(base: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = httpx.get(f"{base}/api/incidents", headers=headers, timeout=5)
    answer.raise_for_status()
    body = answer.json()
    return list(body["incidents"] if isinstance(body, dict) else body)


def _covering(incidents: list[dict[str, Any]], customers: set[str]) -> dict[str, Any] | None:
    for incident in incidents:
        scope = incident.get("scope") or {}
        if customers <= set(scope.get("customers", [])):
            return incident
    return None


@pytest.mark.prometheus
def test_three_customer_outage_opens_identifies_and_resolves(tmp_path: Path) -> None:
    prometheus = require_program("prometheus", PROMETHEUS)
    alertmanager = require_program("prometheus-alertmanager", ALERTMANAGER)
    catalog = load_catalog(CATALOG)
    result = simulate(catalog, builtin_scenario("three-customers"), SEED)
    truth = result.truth
    assert truth.onset is not None and truth.end is not None and truth.category is not None
    window_start = result.signals.window_start
    start_minute = int((truth.onset - window_start) / timedelta(minutes=1)) - LEAD_MINUTES

    ports = {name: free_port() for name in ("server", "prometheus", "alertmanager", "replay")}
    base = f"http://127.0.0.1:{ports['server']}"
    prom_url = f"http://127.0.0.1:{ports['prometheus']}"
    am_url = f"http://127.0.0.1:{ports['alertmanager']}"
    db = tmp_path / "outagelens.db"
    key = create_key(db, "admin")
    headers = {"Authorization": f"Bearer {key}"}

    (tmp_path / "alertmanager.yml").write_text(
        alertmanager_yml(f"{base}/ingest/alertmanager", key, 0.5, 10)
    )
    rules = scaled_rules(SPEED, tmp_path / "rules.yml")
    (tmp_path / "prometheus.yml").write_text(
        prometheus_yml(
            SCRAPE_SECONDS,
            f"127.0.0.1:{ports['replay']}",
            f"127.0.0.1:{ports['alertmanager']}",
            rules,
        )
    )
    server_env = {
        "PYTHONPATH": str(ROOT / "src"),
        "OUTAGELENS_INVESTIGATE_EVERY_SECONDS": "1",
        "OUTAGELENS_WORKER_POLL_SECONDS": "0.2",
        "OUTAGELENS_QUIET_MINUTES": str(QUIET_MINUTES),
        "OUTAGELENS_WINDOW_MINUTES": "180",
        "OUTAGELENS_LOG_LEVEL": "WARNING",
    }
    server_argv = python_argv(
        "serve",
        "--db", str(db),
        "--catalog", str(CATALOG),
        "--port", str(ports["server"]),
        "--prometheus", prom_url,
    )  # fmt: skip
    am_argv = [
        alertmanager,
        f"--config.file={tmp_path / 'alertmanager.yml'}",
        f"--storage.path={tmp_path / 'am'}",
        f"--web.listen-address=127.0.0.1:{ports['alertmanager']}",
        "--cluster.listen-address=",
    ]
    prom_argv = [
        prometheus,
        f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'prom'}",
        f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
    ]
    with (
        started("outagelens", server_argv, tmp_path / "server.log", server_env) as server,
        started("alertmanager", am_argv, tmp_path / "am.log") as am,
        started("prometheus", prom_argv, tmp_path / "prom.log") as prom,
    ):
        procs = (server, am, prom)
        wait_for("outagelens /healthz", lambda: http_ok(f"{base}/healthz"), 60, procs)
        wait_for("alertmanager ready", lambda: http_ok(f"{am_url}/-/ready"), 30, procs)
        wait_for("prometheus ready", lambda: http_ok(f"{prom_url}/-/ready"), 30, procs)
        config = ReplayConfig(SPEED, start_minute, port=ports["replay"], post_to=base, api_key=key)
        replay = start_replay(catalog, result.signals, config)
        try:
            _assert_pipeline(replay, base, headers, truth, procs)
        finally:
            replay.stop()
        assert replay.poster is not None and replay.poster.failed == []


def _assert_pipeline(
    replay: Replay, base: str, headers: dict[str, str], truth: Any, procs: tuple[Proc, ...]
) -> None:
    timeline = replay.timeline
    customers = set(truth.affected_customers)
    onset_wall = timeline.wall_of(truth.onset)
    end_wall = timeline.wall_of(truth.end)

    def seconds_until(when: Any) -> float:
        from datetime import UTC, datetime

        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    # Opens: within 10 scenario minutes of the onset (alerts need `for:` + group wait).
    opened = wait_for(
        f"an incident covering {sorted(customers)}",
        lambda: _covering(_incidents(base, headers), customers),
        seconds_until(onset_wall) + 10 * 60 / SPEED + 30,
        procs,
    )
    assert opened["status"] in ("investigating", "identified")

    def identified() -> dict[str, Any] | None:
        incident = _covering(_incidents(base, headers), customers)
        root = (incident or {}).get("root_cause") or {}
        ok = set(root.get("entities", [])) == set(truth.root_causes)
        return incident if ok and root.get("category") == truth.category else None

    found = wait_for(
        f"root cause {list(truth.root_causes)} ({truth.category})",
        identified,
        seconds_until(onset_wall) + 20 * 60 / SPEED + 30,
        procs,
    )
    # Early passes may split the first minutes into a short-lived incident (server matching);
    # the one that carries the root cause is the one that must resolve.
    assert found["status"] in ("investigating", "identified")

    def resolved() -> dict[str, Any] | None:
        answer = httpx.get(f"{base}/api/incidents/{found['id']}", headers=headers, timeout=5)
        incident: dict[str, Any] = answer.json()
        return incident if incident["status"] == "resolved" else None

    closed = wait_for(
        "the incident to resolve after recovery",
        resolved,
        seconds_until(end_wall) + (QUIET_MINUTES + 15) * 60 / SPEED + 30,
        procs,
    )
    root = closed["root_cause"]
    assert (sorted(root["entities"]), root["category"]) == (
        sorted(truth.root_causes),
        truth.category,
    )
    assert customers <= set(closed["scope"]["customers"])
