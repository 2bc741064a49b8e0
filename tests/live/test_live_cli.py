"""The two CLIs against a real Prometheus: `simulate --serve-metrics` feeds it, `investigate
--prometheus --from --to` reads the outage back and scopes it to the three customers."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tests.conftest import require_program
from tests.live.conftest import (
    CATALOG,
    PROMETHEUS,
    ROOT,
    free_port,
    http_ok,
    prometheus_yml,
    python_argv,
    scaled_rules,
    started,
    wait_for,
)

from outagelens.signals.replay_clock import ReplayClock
from outagelens.signals.timefmt import format_time

SPEED = 60.0
ONSET_MINUTE = 13 * 60 + 47  # three-customers: the fault starts at 13:47 of its window
CUSTOMERS = {"hansa-direktbank", "rheinlogistik", "shopwave"}


def _scenario_minute(prom_url: str) -> int | None:
    query = {"query": "outagelens_replay_scenario_minute"}
    answer = httpx.get(f"{prom_url}/api/v1/query", params=query, timeout=5).json()
    result = answer["data"]["result"]
    return int(float(result[0]["value"][1])) if result else None


@pytest.mark.prometheus
def test_replay_cli_feeds_prometheus_and_investigate_cli_reads_it(tmp_path: Path) -> None:
    prometheus = require_program("prometheus", PROMETHEUS)
    replay_port, prom_port = free_port(), free_port()
    prom_url = f"http://127.0.0.1:{prom_port}"
    rules = scaled_rules(SPEED, tmp_path / "rules.yml")
    config = prometheus_yml(0.5, f"127.0.0.1:{replay_port}", "127.0.0.1:1", rules)
    (tmp_path / "prometheus.yml").write_text(config)
    env = {"PYTHONPATH": str(ROOT / "src")}
    replay_argv = python_argv(
        "simulate", "--scenario", "three-customers",
        "--serve-metrics", f"127.0.0.1:{replay_port}",
        "--speed", str(SPEED), "--start-minute", str(ONSET_MINUTE - 20),
    )  # fmt: skip
    prom_argv = [
        prometheus,
        f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'prom'}",
        f"--web.listen-address=127.0.0.1:{prom_port}",
    ]
    with (
        started("replay", replay_argv, tmp_path / "replay.log", env) as replay,
        started("prometheus", prom_argv, tmp_path / "prom.log") as prom,
    ):
        procs = (replay, prom)
        wait_for("prometheus ready", lambda: http_ok(f"{prom_url}/-/ready"), 30, procs)
        # 20 scenario minutes before the fault plus 12 into it, at one minute per second.
        wait_for(
            "the replay to reach 12 minutes into the outage",
            lambda: (_scenario_minute(prom_url) or 0) >= ONSET_MINUTE + 12,
            90,
            procs,
        )
        clock = _clock(prom_url)
        now = clock.to_scenario(datetime.now(UTC))
        done = subprocess.run(
            python_argv(
                "investigate", "--catalog", str(CATALOG), "--prometheus", prom_url,
                "--from", format_time(now - timedelta(minutes=32)),
                "--to", format_time(now), "--json",
            ),
            capture_output=True, text=True, timeout=120, env={**os.environ, **env},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    scopes = [set(i["incident"]["scope"]["customers"]) for i in result["incidents"]]
    assert CUSTOMERS in scopes, scopes
    outage = next(
        i for i in result["incidents"] if set(i["incident"]["scope"]["customers"]) == CUSTOMERS
    )
    assert outage["incident"]["scope"]["ongoing"] is True
    assert set(outage["incident"]["scope"]["locations"]) == {"fra1"}


def _clock(prom_url: str) -> ReplayClock:
    from outagelens.signals.prometheus import PrometheusConfig, PrometheusSource

    source = PrometheusSource(PrometheusConfig(url=prom_url))
    try:
        clock = source.replay_clock()
    finally:
        source.close()
    assert clock.speed == SPEED
    return clock
