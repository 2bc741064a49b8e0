"""Ingest benchmark: sustained Alertmanager-webhook ingest and read latency with 10,000 firing
alerts held, against a real server on loopback, with SQLite and with PostgreSQL.

    PYTHONPATH=src python3 benchmarks/ingest.py [--seconds 10] [--batch 100] [--clients 4]
        [--hold 10000] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

PostgreSQL runs in a fresh schema that is dropped afterwards; it is skipped when no URL is given
(option or OUTAGELENS_TEST_POSTGRES_URL).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from outagelens.server.auth import create_api_key
from outagelens.store.db import make_engine, normalize_url, upgrade
from outagelens.store.records import Scope
from outagelens.store.sql import SqlStore

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "examples" / "three-customers.yaml"
LIVE = "--no-live" not in sys.argv
COMPONENTS = ["fra1-ups-a", "fra1-ups-b", "fra1-pdu-a", "fra1-pdu-b", "fra1-grid"]


@dataclass
class Result:
    """Figures of one backend."""

    backend: str
    alerts_per_s: float
    ingest_p50_ms: float
    ingest_p99_ms: float
    drain_s: float
    read_p50_ms: float
    read_p99_ms: float
    held: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook(prefix: str, start: int, count: int) -> dict[str, Any]:
    """A webhook with `count` unique firing alerts."""
    alerts = [
        {
            "status": "firing",
            "labels": {
                "alertname": f"{prefix}-{i}",
                "severity": "warning",
                "component": COMPONENTS[i % len(COMPONENTS)],
            },
            "annotations": {},
            "startsAt": "2026-03-14T09:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "",
            "fingerprint": "",
        }
        for i in range(start, start + count)
    ]
    return {"version": "4", "status": "firing", "alerts": alerts}


def start_server(url: str, schema: str | None, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "OUTAGELENS_DB_URL": url,
        "OUTAGELENS_RATE_LIMIT_PER_SECOND": "1000000",
        "OUTAGELENS_RATE_LIMIT_BURST": "1000000",
        "OUTAGELENS_INBOX_BOUND": "10000000",
        "OUTAGELENS_LOG_LEVEL": "WARNING",
    }
    if schema:
        env["OUTAGELENS_DB_SCHEMA"] = schema
    if LIVE:
        env["OUTAGELENS_CATALOG_PATH"] = str(CATALOG)
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "outagelens.server.app:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(client: httpx.Client) -> None:
    for _ in range(600):
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise SystemExit("server did not start")


def ingest(
    base: str, key: str, seconds: float, batch: int, clients: int
) -> tuple[int, list[float]]:
    """Post batches from `clients` threads for `seconds`; return alerts accepted and latencies."""
    latencies: list[float] = []
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def run(n: int) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
            i = 0
            while time.monotonic() < stop:
                body = webhook(f"load{n}", i, batch)
                t0 = time.perf_counter()
                r = c.post("/ingest/alertmanager", json=body)
                latencies.append(time.perf_counter() - t0)
                if r.status_code == 202:
                    counts[n] += r.json()["accepted"]
                i += batch

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), latencies


def wait_drained(client: httpx.Client, limit: float = 600) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if client.get("/api/inbox").json()["depth"] == 0:
            return time.monotonic() - t0
        time.sleep(0.2)
    return float("nan")


def reads(client: httpx.Client, n: int) -> list[float]:
    paths = ["/api/incidents", "/api/signals?kind=alert&limit=100", "/healthz", "/api/inbox"]
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        client.get(paths[i % len(paths)]).raise_for_status()
        out.append(time.perf_counter() - t0)
    return out


def run_backend(name: str, url: str, schema: str | None, args: argparse.Namespace) -> Result:
    store = SqlStore(make_engine(url, schema=schema))
    upgrade(store.engine)
    key = create_api_key(store, Scope.ADMIN, "bench", "")
    store.engine.dispose()
    port = free_port()
    proc = start_server(url, schema, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as c:
            wait_ready(c)
            accepted, lat = ingest(base, key, args.seconds, args.batch, args.clients)
            drain = wait_drained(c)
            held = 0
            while held < args.hold:  # top up to the number of firing alerts to hold
                n = min(1000, args.hold - held)
                c.post("/ingest/alertmanager", json=webhook("hold", held, n)).raise_for_status()
                held += n
            wait_drained(c)
            read = reads(c, args.reads)
    finally:
        proc.kill()
        proc.wait()
    ms = np.array(lat) * 1000
    rd = np.array(read) * 1000
    return Result(
        name,
        accepted / args.seconds,
        float(np.percentile(ms, 50)),
        float(np.percentile(ms, 99)),
        drain,
        float(np.percentile(rd, 50)),
        float(np.percentile(rd, 99)),
        held,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=100, help="alerts per webhook")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--hold", type=int, default=10_000, help="firing alerts held for reads")
    parser.add_argument("--reads", type=int, default=400)
    parser.add_argument("--no-live", action="store_true", help="no catalog: no live investigation")
    parser.add_argument("--postgres", default=os.environ.get("OUTAGELENS_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_backend("sqlite", f"sqlite:///{tmp}/bench.db", None, args))
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(normalize_url(args.postgres))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            results.append(run_backend("postgresql", args.postgres, schema, args))
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    table = Table(title="OutageLens ingest benchmark (Alertmanager webhook v4, loopback)")
    for col in (
        "backend",
        "alerts/s",
        "ingest p50 ms",
        "ingest p99 ms",
        "drain s",
        "firing held",
        "read p50 ms",
        "read p99 ms",
    ):
        table.add_column(col, justify="right", no_wrap=True)
    for r in results:
        table.add_row(
            r.backend,
            f"{r.alerts_per_s:,.0f}",
            f"{r.ingest_p50_ms:.1f}",
            f"{r.ingest_p99_ms:.1f}",
            f"{r.drain_s:.1f}",
            f"{r.held:,}",
            f"{r.read_p50_ms:.1f}",
            f"{r.read_p99_ms:.1f}",
        )
    console = Console(width=140)
    console.print(table)
    console.print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.node()} "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average at end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine counts)"
    )
    console.print(f"batch {args.batch} alerts/request, {args.clients} clients, {args.seconds:g} s")
    console.print("command: PYTHONPATH=src python3 " + shlex.join(sys.argv))


if __name__ == "__main__":
    main()
