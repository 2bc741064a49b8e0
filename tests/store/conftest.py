"""Store fixtures: every storage test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outagelens.store.db import make_engine, upgrade
from outagelens.store.sql import SqlStore
from tests.store.databases import BACKENDS, database


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated, empty SqlStore."""
    with database(request.param, tmp_path) as (url, schema):
        engine = make_engine(url, schema=schema)
        upgrade(engine)
        yield SqlStore(engine)
        engine.dispose()
