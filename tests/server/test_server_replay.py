"""Replaying the three-customer scenario over HTTP gives the root cause and scope of
`investigate()` on the same signals directory; the incident then has a lifecycle and history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.server.conftest import EXAMPLE_CATALOG, Server, make_server

from outagelens.investigate import investigate
from outagelens.signals import load_signals_dir, write_signals_dir
from outagelens.sim.builtin import three_customers
from outagelens.sim.runner import simulate, write_result
from outagelens.store.records import Scope
from outagelens.topology import load_catalog

MAX_LINES = 6000  # rows per batch upload, well under the 1 MiB body limit


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in three-customer scenario written as a signals directory (seed 7)."""
    catalog = load_catalog(EXAMPLE_CATALOG)
    root = tmp_path_factory.mktemp("three-customers")
    write_result(simulate(catalog, three_customers(), seed=7), root)
    return root


def _post_table(server: Server, path: str, text: str) -> None:
    header, *rows = text.splitlines()
    for i in range(0, len(rows), MAX_LINES):
        body = "\n".join([header, *rows[i : i + MAX_LINES]]) + "\n"
        answer = server.post(path, content=body, headers={"content-type": "text/csv"})
        assert answer.status_code == 202, answer.text


def replay(server: Server, directory: Path, tmp: Path) -> None:
    """Post every signal of the directory in its source format."""
    signals = load_signals_dir(directory)
    csv_dir = write_signals_dir(tmp / "csv", signals, table_format="csv")
    alerts = [a.model_dump(mode="json") for a in signals.alerts]
    for i in range(0, len(alerts), 50):
        body = {"version": "4", "status": "firing", "alerts": alerts[i : i + 50]}
        assert server.post("/ingest/alertmanager", json=body).status_code == 202
    changes = [c.model_dump(mode="json") for c in signals.changes]
    alarms = [h.model_dump(mode="json") for h in signals.hardware]
    if changes:
        assert server.post("/ingest/changes", json=changes).status_code == 202
    if alarms:
        assert server.post("/ingest/hardware", json=alarms).status_code == 202
    for xml in sorted((directory / "hazards").glob("*.xml")):
        answer = server.post(
            "/ingest/cap", content=xml.read_bytes(), headers={"content-type": "application/cap+xml"}
        )
        assert answer.status_code == 202
    _post_table(server, "/ingest/series", (csv_dir / "series.csv").read_text())
    _post_table(server, "/ingest/traffic", (csv_dir / "traffic.csv").read_text())


def test_replay_matches_offline_investigation(scenario_dir: Path, tmp_path: Path) -> None:
    offline = investigate(load_catalog(EXAMPLE_CATALOG), load_signals_dir(scenario_dir)).primary
    assert offline is not None and offline.top is not None
    url = f"sqlite:///{tmp_path / 'replay.db'}"
    for server in make_server(
        url,
        None,
        catalog_path=EXAMPLE_CATALOG,
        window_minutes=1440,
        rate_limit_burst=1000,
        investigate_in_subprocess=True,  # as deployed: the child process investigates
    ):
        replay(server, scenario_dir, tmp_path)
        server.drain()
        incidents = server.get("/api/incidents").json()
        assert incidents, "the live investigation opened no incident"
        primary = _primary(incidents)
        scope = offline.incident.scope
        assert primary["root_cause"]["entities"] == list(offline.top.entities)
        assert primary["root_cause"]["category"] == str(offline.top.category)
        assert primary["scope"]["customers"] == list(scope.customers)
        assert primary["scope"]["services"] == list(scope.services)
        assert primary["scope"]["locations"] == list(scope.locations)
        assert _t(primary["scope"]["start"]) == _t(scope.start.isoformat())
        # the scenario is long over by the wall clock: the incident is resolved, version >= 1
        assert primary["status"] == "resolved"
        _check_override_wins(server, primary["id"])


def _primary(incidents: list[dict[str, Any]]) -> dict[str, Any]:
    return max(incidents, key=lambda i: len(i["scope"]["customers"]) if i["scope"] else 0)


def _t(text: str) -> str:
    return text.replace("+00:00", "Z")


def _check_override_wins(server: Server, incident_id: str) -> None:
    body = {"entities": ["fra1-ups-a"], "category": "hardware", "comment": "site confirmed"}
    answer = server.post(f"/api/incidents/{incident_id}/root-cause", scope=Scope.ADMIN, json=body)
    assert answer.status_code == 200, answer.text
    server.drain()  # a new investigation pass must not undo the person's decision
    for path in ("", "/investigation"):
        got = server.get(f"/api/incidents/{incident_id}{path}").json()
        assert got["root_cause"]["entities"] == ["fra1-ups-a"]
        assert got["root_cause"]["source"] == "override"
    report = server.get(f"/api/incidents/{incident_id}/report").text
    assert "fra1-ups-a: hardware" in report and "site confirmed" in report
    versions = server.get(f"/api/incidents/{incident_id}/versions").json()
    assert [v["version"] for v in versions] == list(range(1, len(versions) + 1))
    assert json.dumps(versions)  # serialisable history
