"""Project-wide fixtures: the real headless Chromium for page tests.

Tests that need a real program (Chromium, pdftoppm, Prometheus) skip with the reason when it is
missing on a developer machine, and fail under CI (`CI=true`), where `.ci/run` installs them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_program(name: str, path: str | None) -> str:
    """The program's path; skip (fail under CI) when it is not installed."""
    if path:
        return path
    message = f"{name} is not installed (apt-get install {name}); .ci/run installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright (the system browser, no download)."""
    executable = require_program("chromium", CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
