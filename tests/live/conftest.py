"""Real processes for the live pipeline: OutageLens server, Prometheus, Alertmanager.

Each starts on a free loopback port with its data in a temporary directory, is waited for
with a bounded poll, and is stopped (terminate, then kill) when the test ends. Their output
goes to a log file whose tail is shown when a wait fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules" / "outagelens.rules.yml"
ALERTMANAGER_YML = ROOT / "deploy" / "prometheus" / "alertmanager.yml"
CATALOG = ROOT / "examples" / "three-customers.yaml"
PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager")
PROMTOOL = shutil.which("promtool")
AMTOOL = shutil.which("amtool")
T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    """A started program and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 30) -> str:
        """The end of the program's output, for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} log ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


@contextmanager
def started(
    name: str, argv: list[str], log: Path, env: dict[str, str] | None = None
) -> Iterator[Proc]:
    """Run argv until the block ends; stop it by its pid (terminate, then kill its group)."""
    with log.open("wb") as out:
        # Own process group: children it spawns (the server's investigation process) go too.
        popen = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    proc = Proc(name, popen, log)
    try:
        yield proc
    finally:
        popen.terminate()
        try:
            popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGKILL)


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    timeout: float,
    procs: tuple[Proc, ...] = (),
    interval: float = 0.25,
) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` and the logs."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.popen.poll() is not None:
                raise AssertionError(f"{proc.name} exited ({proc.popen.returncode})\n{proc.tail()}")
        try:
            last = probe()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return cast(T, last)
        time.sleep(interval)
    logs = "\n".join(p.tail() for p in procs)
    raise AssertionError(
        f"timed out after {timeout:.0f} s waiting for {what}; last: {last!r}\n{logs}"
    )


def http_ok(url: str, headers: dict[str, str] | None = None) -> bool:
    """True when GET url answers 200."""
    return httpx.get(url, headers=headers, timeout=2).status_code == 200


def scaled_rules(speed: float, out: Path) -> Path:
    """deploy's rules with every `for:` divided by the replay speed (at least 1 s)."""
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = f"{max(1, round(_seconds(rule['for']) / speed))}s"
            # `offset`/range windows stay in wall time: they only gate the traffic surge rule.
    out.write_text(yaml.safe_dump(rules, sort_keys=False))
    return out


def _seconds(duration: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    total = 0.0
    for number, unit in re.findall(r"(\d+)(ms|s|m|h)", duration):
        total += int(number) * units[unit]
    return total


def prometheus_yml(scrape_seconds: float, target: str, alertmanager: str, rules: Path) -> str:
    """A Prometheus configuration for one scrape target and one Alertmanager."""
    config = {
        "global": {
            "scrape_interval": _duration(scrape_seconds),
            "evaluation_interval": _duration(scrape_seconds),
            "scrape_timeout": _duration(min(scrape_seconds, 10)),
        },
        "rule_files": [str(rules)],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
        "scrape_configs": [
            {
                "job_name": "outagelens-sli",
                "honor_labels": True,
                "static_configs": [{"targets": [target]}],
            }
        ],
    }
    return yaml.safe_dump(config, sort_keys=False)


def alertmanager_yml(
    webhook: str,
    key: str,
    group_seconds: float | None = None,
    resolve_seconds: float | None = None,
) -> str:
    """deploy's Alertmanager configuration with the test's URL and key; group wait and interval
    and the resolve timeout replaced when given (None keeps deploy's)."""
    config = yaml.safe_load(ALERTMANAGER_YML.read_text())
    if resolve_seconds is not None:
        config["global"]["resolve_timeout"] = _duration(resolve_seconds)
    route = config["route"]
    if group_seconds is not None:
        route["group_wait"] = _duration(group_seconds)
        route["group_interval"] = _duration(group_seconds)
    hook = config["receivers"][0]["webhook_configs"][0]
    hook["url"] = webhook
    hook["http_config"]["authorization"]["credentials"] = key
    return yaml.safe_dump(config, sort_keys=False)


def _duration(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


def python_argv(*args: str) -> list[str]:
    """`python3 -m outagelens ARGS` with this interpreter."""
    return [sys.executable, "-m", "outagelens", *args]


def create_key(db: Path, scope: str) -> str:
    """An API key created with the CLI (the last line it prints)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        python_argv(
            "apikey", "create", "--scope", scope, "--name", f"test-{scope}", "--db", str(db)
        ),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@dataclass(frozen=True)
class PipelineConfig:
    """How the live pipeline is run: intervals, rules and the server's settings."""

    scrape_seconds: float  # Prometheus scrape and rule evaluation interval
    rules: Path = RULES
    group_seconds: float | None = None  # Alertmanager group wait and interval; None: deploy's
    resolve_seconds: float | None = None  # Alertmanager resolve timeout; None: deploy's
    server_env: dict[str, str] = field(default_factory=dict)  # OUTAGELENS_* settings


@dataclass
class Pipeline:
    """The OutageLens server, Alertmanager and Prometheus, started and ready."""

    base: str
    prom_url: str
    am_url: str
    replay_port: int
    key: str
    procs: tuple[Proc, ...]

    @property
    def headers(self) -> dict[str, str]:
        """The admin key's Authorization header."""
        return {"Authorization": f"Bearer {self.key}"}


@contextmanager
def live_pipeline(tmp: Path, config: PipelineConfig) -> Iterator[Pipeline]:
    """Start the server (SQLite in `tmp`, live reads from Prometheus), Alertmanager (webhook to
    the server) and Prometheus (scraping a replay exporter on `replay_port`, which the caller
    starts) on free loopback ports; wait until all three answer; stop them when the block ends."""
    ports = {name: free_port() for name in ("server", "prometheus", "alertmanager", "replay")}
    base = f"http://127.0.0.1:{ports['server']}"
    prom_url = f"http://127.0.0.1:{ports['prometheus']}"
    am_url = f"http://127.0.0.1:{ports['alertmanager']}"
    db = tmp / "outagelens.db"
    key = create_key(db, "admin")
    (tmp / "alertmanager.yml").write_text(
        alertmanager_yml(
            f"{base}/ingest/alertmanager", key, config.group_seconds, config.resolve_seconds
        )
    )
    (tmp / "prometheus.yml").write_text(
        prometheus_yml(
            config.scrape_seconds,
            f"127.0.0.1:{ports['replay']}",
            f"127.0.0.1:{ports['alertmanager']}",
            config.rules,
        )
    )
    server_env = {"PYTHONPATH": str(ROOT / "src"), **config.server_env}
    server_argv = python_argv(
        "serve", "--db", str(db), "--catalog", str(CATALOG),
        "--port", str(ports["server"]), "--prometheus", prom_url,
    )  # fmt: skip
    am_argv = [
        str(ALERTMANAGER),
        f"--config.file={tmp / 'alertmanager.yml'}",
        f"--storage.path={tmp / 'am'}",
        f"--web.listen-address=127.0.0.1:{ports['alertmanager']}",
        "--cluster.listen-address=",
    ]
    prom_argv = [
        str(PROMETHEUS),
        f"--config.file={tmp / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp / 'prom'}",
        f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
    ]
    with (
        started("outagelens", server_argv, tmp / "server.log", server_env) as server,
        started("alertmanager", am_argv, tmp / "am.log") as alertmanager,
        started("prometheus", prom_argv, tmp / "prom.log") as prometheus,
    ):
        procs = (server, alertmanager, prometheus)
        wait_for("outagelens /healthz", lambda: http_ok(f"{base}/healthz"), 60, procs)
        wait_for("alertmanager ready", lambda: http_ok(f"{am_url}/-/ready"), 30, procs)
        wait_for("prometheus ready", lambda: http_ok(f"{prom_url}/-/ready"), 30, procs)
        yield Pipeline(base, prom_url, am_url, ports["replay"], key, procs)


STAGES = ["investigating", "identified", "monitoring", "resolved"]


@dataclass
class StatusPages:
    """The server's REST API, status pages and status admin API, as the test reads them."""

    base: str
    headers: dict[str, str]
    customer: str
    token: str

    @classmethod
    def create(cls, base: str, headers: dict[str, str], customer: str) -> StatusPages:
        """Make a page token for `customer`'s private page."""
        url = f"{base}/api/status/customers/{customer}/tokens"
        answer = httpx.post(url, headers=headers, json={}, timeout=10)
        assert answer.status_code == 200, answer.text
        return cls(base, headers, customer, str(answer.json()["token"]))

    def subscribe(self, audience: str, url: str) -> None:
        """A webhook subscriber for 'public' or the customer's audience."""
        body = {"audience": audience, "kind": "webhook", "target": url, "secret": "s" * 20}
        answer = httpx.post(
            f"{self.base}/api/status/subscribers", headers=self.headers, json=body, timeout=10
        )
        assert answer.status_code == 200, answer.text

    def _get(self, path: str, **params: str) -> Any:
        answer = httpx.get(f"{self.base}{path}", headers=self.headers, params=params, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def incidents(self) -> list[dict[str, Any]]:
        """GET /api/incidents."""
        return list(self._get("/api/incidents"))

    def incident(self, incident_id: str) -> dict[str, Any]:
        """GET /api/incidents/{id}."""
        return dict(self._get(f"/api/incidents/{incident_id}"))

    def summary(self, audience: str) -> dict[str, Any]:
        """The Statuspage v2 summary of the public page, or of the customer's private page."""
        if audience == "public":
            path = "/status/api/v2/summary.json"
            answer = httpx.get(f"{self.base}{path}", timeout=10)
        else:
            path = f"/customers/{audience}/status/api/v2/summary.json"
            answer = httpx.get(f"{self.base}{path}", params={"token": self.token}, timeout=10)
        answer.raise_for_status()
        return dict(answer.json())

    def affected(self, audience: str) -> set[str]:
        """Names of the components (not groups) a page shows as not operational."""
        components = self.summary(audience)["components"]
        return {c["name"] for c in components if not c["group"] and c["status"] != "operational"}

    def summary_text(self, audience: str) -> str:
        """Every incident update body on the page's summary, joined."""
        bodies = [
            u["body"]
            for inc in self.summary(audience)["incidents"]
            for u in inc.get("incident_updates", [])
        ]
        return "\n".join(bodies)

    def updates(self) -> list[dict[str, Any]]:
        """GET /api/status/updates (every audience)."""
        return list(self._get("/api/status/updates"))

    def settled_outbox(self) -> list[dict[str, Any]] | None:
        """The outbox when every notification is delivered or failed for good, else None."""
        rows = list(self._get("/api/status/outbox"))
        done = all(r["delivered_at"] or r["failed_at"] for r in rows)
        return rows if rows and done else None
