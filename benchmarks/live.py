"""Live pipeline latency with production intervals: replay → Prometheus → Alertmanager → OutageLens.

Runs the real programs (Debian's prometheus and prometheus-alertmanager, the OutageLens server)
on free loopback ports with 15 s scrape and evaluation intervals, the deploy rules and
Alertmanager configuration unchanged (group_wait 10 s), and replays the three-customer scenario
at speed 1 from --lead-minutes before the fault (wall time = scenario time: nothing is
compressed). Prints, in wall seconds from the first scrape that saw a failing SLI:
  - the public status page showing affected components   (target < 60 s)
  - the correct root cause and category on the API         (target < 120 s)
  - the cause sentence on the public status page

    python3 benchmarks/live.py [--lead-minutes 10] [--speed 1] [--scrape-seconds 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import httpx  # noqa: E402
from tests.live.conftest import (  # noqa: E402
    ALERTMANAGER,
    ALERTMANAGER_YML,
    CATALOG,
    PROMETHEUS,
    RULES,
    StatusPages,
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

from outagelens.comms.drafts import cause_sentence  # noqa: E402
from outagelens.comms.status import CauseStatement  # noqa: E402
from outagelens.sim.builtin import builtin_scenario  # noqa: E402
from outagelens.sim.replay import ReplayConfig, start_replay  # noqa: E402
from outagelens.sim.runner import simulate  # noqa: E402
from outagelens.topology import load_catalog  # noqa: E402


def _first_failing_scrape(prom_url: str, since: datetime) -> float | None:
    """Scrape time (Unix s) of the first raw sample below 0.97 availability after `since`."""
    answer = httpx.get(
        f"{prom_url}/api/v1/query",
        params={"query": "outagelens_sli_availability[30m]"},
        timeout=10,
    )
    stamps = [
        float(t)
        for series in answer.json()["data"]["result"]
        for t, v in series["values"]
        if float(v) < 0.97 and float(t) >= since.timestamp()
    ]
    return min(stamps) if stamps else None


def _when(probe: Callable[[], Any], timeout: float, what: str) -> float:
    """Wall time (Unix s) at which `probe` first returned something truthy."""
    wait_for(what, probe, timeout, interval=0.25)
    return time.time()


def run(args: argparse.Namespace) -> list[tuple[str, str]]:
    """One run; returns the rows of the result table."""
    catalog = load_catalog(CATALOG)
    result = simulate(catalog, builtin_scenario("three-customers"), args.seed)
    truth = result.truth
    assert truth.onset and truth.end and truth.category
    start_minute = int((truth.onset - result.signals.window_start) / timedelta(minutes=1))
    start_minute -= args.lead_minutes
    tmp = Path(tempfile.mkdtemp(prefix="outagelens-live-bench-"))
    ports = {n: free_port() for n in ("server", "prometheus", "alertmanager", "replay")}
    base = f"http://127.0.0.1:{ports['server']}"
    prom_url = f"http://127.0.0.1:{ports['prometheus']}"
    key = create_key(tmp / "ol.db", "admin")
    am = alertmanager_yml(f"{base}/ingest/alertmanager", key, 10, 300)
    # Production Alertmanager timing: deploy's group_wait (10 s) and group_interval (1 m).
    am = am.replace("group_interval: 10000ms", "group_interval: 60000ms")
    (tmp / "am.yml").write_text(am)
    rules = scaled_rules(args.speed, tmp / "rules.yml") if args.speed != 1 else RULES
    (tmp / "prom.yml").write_text(
        prometheus_yml(
            args.scrape_seconds,
            f"127.0.0.1:{ports['replay']}",
            f"127.0.0.1:{ports['alertmanager']}",
            rules,
        )
    )
    env = {"PYTHONPATH": str(ROOT / "src"), "OUTAGELENS_LOG_LEVEL": "WARNING"}
    server_argv = python_argv(
        "serve", "--db", str(tmp / "ol.db"), "--catalog", str(CATALOG),
        "--port", str(ports["server"]), "--prometheus", prom_url,
    )  # fmt: skip
    am_argv = [
        str(ALERTMANAGER),
        f"--config.file={tmp / 'am.yml'}",
        f"--storage.path={tmp / 'am'}",
        f"--web.listen-address=127.0.0.1:{ports['alertmanager']}",
        "--cluster.listen-address=",
    ]
    prom_argv = [
        str(PROMETHEUS),
        f"--config.file={tmp / 'prom.yml'}",
        f"--storage.tsdb.path={tmp / 'prom'}",
        f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
    ]
    with (
        started("outagelens", server_argv, tmp / "server.log", env) as server,
        started("alertmanager", am_argv, tmp / "am.log") as alertmanager,
        started("prometheus", prom_argv, tmp / "prom.log") as prometheus,
    ):
        procs = (server, alertmanager, prometheus)
        wait_for("outagelens", lambda: http_ok(f"{base}/healthz"), 60, procs)
        wait_for("prometheus", lambda: http_ok(f"{prom_url}/-/ready"), 60, procs)
        pages = StatusPages.create(base, {"Authorization": f"Bearer {key}"}, "hansa-direktbank")
        config = ReplayConfig(
            args.speed, start_minute, port=ports["replay"], post_to=base, api_key=key
        )
        replay = start_replay(catalog, result.signals, config)
        try:
            onset_wall = replay.timeline.wall_of(truth.onset)
            budget = (onset_wall - datetime.now(UTC)).total_seconds() + args.timeout
            t_pages = _when(lambda: pages.affected("public"), budget, "affected components")

            def root_cause() -> bool:
                for inc in pages.incidents():
                    rc = inc.get("root_cause") or {}
                    if rc.get("entities") == list(truth.root_causes) and (
                        rc.get("category") == truth.category
                    ):
                        return True
                return False

            t_rc = _when(root_cause, budget, "the correct root cause")
            comp = catalog.components[truth.root_causes[0]]
            statement = CauseStatement(truth.category, comp.kind.value, comp.location, False)
            sentence = cause_sentence(statement, catalog)
            # Bounded: the pages may keep an earlier cause (see docs/prometheus.md).
            try:
                t_cause: float | None = _when(
                    lambda: sentence in pages.summary_text("public"), 60, "the cause sentence"
                )
            except AssertionError:
                t_cause = None
            t_fail = _first_failing_scrape(prom_url, onset_wall - timedelta(minutes=1))
        finally:
            replay.stop()
    assert t_fail is not None, "no failing scrape found in Prometheus"
    return [
        (
            "first failing scrape (wall, UTC)",
            datetime.fromtimestamp(t_fail, UTC).strftime("%H:%M:%S"),
        ),
        ("status page shows affected components", f"{t_pages - t_fail:+.1f} s (target < 60 s)"),
        ("correct root cause + category on the API", f"{t_rc - t_fail:+.1f} s (target < 120 s)"),
        (
            "cause sentence on the public status page",
            "not within 60 s after the API" if t_cause is None else f"{t_cause - t_fail:+.1f} s",
        ),
    ]


def main() -> None:
    """Parse options, run once, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lead-minutes", type=int, default=10)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--scrape-seconds", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    if not (PROMETHEUS and ALERTMANAGER and ALERTMANAGER_YML.exists()):
        sys.exit("needs prometheus and prometheus-alertmanager (apt-get install ...)")
    started_at = datetime.now(UTC)
    rows = run(args)
    load = os.getloadavg()
    print(f"# OutageLens live pipeline latency ({started_at:%Y-%m-%d %H:%M} UTC)")
    print(f"command: python3 {shlex.join(sys.argv)}")
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {load[0]:.2f}/{load[1]:.2f}; Python {platform.python_version()}"
    )
    print(
        f"scrape/evaluation {args.scrape_seconds:g} s, speed {args.speed:g}, "
        f"replay from {args.lead_minutes} min before the fault; rules and Alertmanager as deployed"
    )
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


if __name__ == "__main__":
    main()
