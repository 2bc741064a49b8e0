"""An existing Statuspage client from npm (`statuspage.io`, run with node) reads our public and
private Statuspage v2 documents unchanged.

The package is installed at test time into a temporary directory (nothing is vendored); the
test skips when npm cannot reach the registry, and fails instead under CI=true. Version 3.3.8
is pinned: 3.4.6 on the registry ships no code (its `dist/` is missing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.server.test_status_browser import BANK, LiveServer, live_server  # noqa: F401

CLIENT = "statuspage.io@3.3.8"
SCRIPT = r"""
const { Statuspage } = require('statuspage.io');
const [base, token] = process.argv.slice(2);
const page = new Statuspage('ignored');
// The client's own axios instance: only where it connects changes, not what it reads.
page.apiClient.defaults.baseURL = base;
if (token) page.apiClient.defaults.headers.common['Authorization'] = 'Bearer ' + token;
(async () => {
  const out = {
    summary: await page.api.getSummary(),
    status: await page.api.getStatus(),
    components: await page.api.getComponents(),
    incidents: await page.api.incidents.getAll(),
    unresolved: await page.api.incidents.getUnresolved(),
    maintenances: await page.api.scheduledMaintenances.getAll(),
  };
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(String(err)); process.exit(1); });
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def client_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        _unavailable("node and npm are needed for the Statuspage client test")
    root = tmp_path_factory.mktemp("npm-client")
    done = subprocess.run(
        [str(npm), "install", "--prefix", str(root), "--no-audit", "--no-fund", CLIENT],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        _unavailable(f"npm could not install {CLIENT}: {done.stderr[-500:]}")
    (root / "read.js").write_text(SCRIPT)
    yield root


def _read(client_dir: Path, base: str, token: str = "") -> dict[str, dict[str, object]]:
    done = subprocess.run(
        ["node", str(client_dir / "read.js"), base, token],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=client_dir,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_statuspage_client_reads_our_documents(
    client_dir: Path,
    live_server: LiveServer,  # noqa: F811
) -> None:
    live_server.app.state.status.sync(force=True)
    public = _read(client_dir, f"{live_server.base}/status")
    for name, doc in public.items():
        path = {
            "summary": "summary.json",
            "status": "status.json",
            "components": "components.json",
            "incidents": "incidents.json",
            "unresolved": "incidents/unresolved.json",
            "maintenances": "scheduled-maintenances/upcoming.json",
        }[name]
        assert doc == httpx.get(f"{live_server.base}/status/api/v2/{path}").json(), name
    summary = public["summary"]
    assert summary["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert summary["page"]["id"] == "public"  # type: ignore[index]
    private = _read(
        client_dir, f"{live_server.base}/customers/{BANK}/status", live_server.bank_token
    )
    components = private["summary"]["components"]
    assert {c["id"] for c in components} == {"vm-hosting@fra1", "managed-postgres@fra1"}  # type: ignore[attr-defined]
    with pytest.raises(AssertionError, match="404"):
        _read(client_dir, f"{live_server.base}/customers/shopwave/status", live_server.bank_token)
