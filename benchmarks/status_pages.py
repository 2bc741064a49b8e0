"""Status-page benchmark: requests/s and p99 latency of the public `summary.json` and HTML page
(served from the snapshot) on a real uvicorn server on loopback.

    PYTHONPATH=src python3 benchmarks/status_pages.py [--seconds 10] [--connections 32]

The database holds the three-customer scenario's incident (investigated offline, seed 7), so
the page carries a real incident, 90-day bars and updates. Load comes from wrk (`apt-get
install wrk`) when installed, else from a Python keep-alive load generator (slower: it shares
the two cores with the server). Target: at least 1,000 requests/s with p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "examples" / "three-customers.yaml"
TARGET_RPS = 1000.0
TARGET_P99_MS = 50.0


def seed(db_url: str, tmp: Path) -> None:
    """Store the offline investigation of the three-customer scenario as a live incident."""
    from outagelens.investigate import investigate
    from outagelens.server.live import match_key_of, snapshot_of
    from outagelens.signals import load_signals_dir
    from outagelens.sim.builtin import three_customers
    from outagelens.sim.runner import simulate, write_result
    from outagelens.store.db import make_engine, upgrade
    from outagelens.store.records import IncidentStatus
    from outagelens.store.sql import SqlStore
    from outagelens.topology import load_catalog

    catalog = load_catalog(CATALOG)
    write_result(simulate(catalog, three_customers(), seed=7), tmp / "scenario")
    result = investigate(catalog, load_signals_dir(tmp / "scenario"))
    engine = make_engine(db_url)
    upgrade(engine)
    store = SqlStore(engine)
    for inv in result.incidents:
        snap = snapshot_of(inv)
        store.create_incident(match_key_of(snap), snap, IncidentStatus.IDENTIFIED)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "OUTAGELENS_DB_URL": db_url,
        "OUTAGELENS_CATALOG_PATH": str(CATALOG),
        "OUTAGELENS_LOG_LEVEL": "WARNING",
        # The stored incident is announced at once, as in a steady outage (not just detected).
        "OUTAGELENS_STATUS_CONFIRM_SECONDS": "0",
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "outagelens.server.app:app_from_env"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/status/api/v2/status.json").status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, seconds: int, connections: int) -> tuple[float, float, int]:
    """(requests/s, p99 ms, non-2xx) from wrk."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, float(value) * _UNITS[unit], int(bad.group(1)) if bad else 0


def run_python(url: str, seconds: int, connections: int) -> tuple[float, float, int]:
    """(requests/s, p99 ms, non-2xx) from keep-alive connections on threads."""
    host, port_path = url.split("://", 1)[1].split(":", 1)
    port, path = port_path.split("/", 1)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    bad = [0] * connections
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(host, int(port))
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            conn.request("GET", "/" + path)
            resp = conn.getresponse()
            resp.read()
            latencies[i].append((time.perf_counter() - t0) * 1000)
            bad[i] += resp.status >= 300
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = np.array([x for xs in latencies for x in xs])
    return len(flat) / seconds, float(np.percentile(flat, 99)), sum(bad)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    tool = "wrk" if shutil.which("wrk") else "python"
    runner = run_wrk if tool == "wrk" else run_python
    with tempfile.TemporaryDirectory(prefix="outagelens-status-bench-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed(db_url, Path(tmp))
        port = free_port()
        proc = start_server(db_url, port)
        rows = []
        try:
            for name, path in (
                ("summary.json", "/status/api/v2/summary.json"),
                ("HTML page", "/status"),
            ):
                url = f"http://127.0.0.1:{port}{path}"
                size = len(httpx.get(url).content)
                runner(url, 2, args.connections)  # warm-up
                rps, p99, bad = runner(url, args.seconds, args.connections)
                rows.append((name, size, rps, p99, bad))
        finally:
            proc.terminate()
            proc.wait(10)
    table = Table(title="Status pages from the snapshot (one uvicorn process, loopback)")
    for col in ("document", "bytes", "requests/s", "p99 ms", "non-2xx", "target met"):
        table.add_column(col, justify="right" if col != "document" else "left")
    for name, size, rps, p99, bad in rows:
        ok = rps >= TARGET_RPS and p99 < TARGET_P99_MS and bad == 0
        table.add_row(name, str(size), f"{rps:,.0f}", f"{p99:.1f}", str(bad), "yes" if ok else "NO")
    console = Console()
    console.print(table)
    console.print(
        f"load: {tool}, {args.connections} connections, {args.seconds} s each · "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} "
        f"({os.cpu_count()} cores, {platform.processor() or platform.machine()}) · load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    console.print("reproduce: " + shlex.join(["PYTHONPATH=src", "python3", *sys.argv]))


if __name__ == "__main__":
    main()
