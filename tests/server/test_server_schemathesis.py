"""Property-based API test: schemathesis against /openapi.json finds no 5xx, no schema violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.server.conftest import EXAMPLE_CATALOG

from outagelens.server.app import create_app
from outagelens.server.auth import create_api_key
from outagelens.server.settings import load_settings
from outagelens.store.records import IncidentStatus, Scope

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _app(tmp: Path) -> tuple[Any, str]:
    values = {
        "db_url": f"sqlite:///{tmp / 'st.db'}",
        "worker_enabled": False,
        "investigate_in_subprocess": False,
        "catalog_path": EXAMPLE_CATALOG,
    }
    app = create_app(load_settings(values, environ={}))
    key = create_api_key(app.state.ctx.store, Scope.ADMIN, "schemathesis", "")
    return app, key


_TMP = Path(__import__("tempfile").mkdtemp(prefix="outagelens-st-"))
APP, KEY = _app(_TMP)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def _incident() -> Iterator[None]:
    """One incident exists so the /api/incidents/{id} paths have something to find."""
    store = APP.state.ctx.store
    if not store.incidents():
        store.create_incident("rc:x", {}, IncidentStatus.INVESTIGATING)
    yield


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"}, checks=CHECKS)
