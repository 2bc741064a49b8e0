"""Store fixtures: every storage test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.store.databases import BACKENDS, database

from outagelens.store.db import make_engine, upgrade
from outagelens.store.memory import MemoryStore
from outagelens.store.protocol import Store
from outagelens.store.sql import SqlStore


@pytest.fixture(params=[pytest.param("memory", id="memory"), *BACKENDS])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store: MemoryStore, and SqlStore (migrated) on SQLite and PostgreSQL."""
    if request.param == "memory":
        yield MemoryStore()
        return
    with database(request.param, tmp_path) as (url, schema):
        engine = make_engine(url, schema=schema)
        upgrade(engine)
        yield SqlStore(engine)
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated, empty SqlStore on SQLite and PostgreSQL."""
    with database(request.param, tmp_path) as (url, schema):
        engine = make_engine(url, schema=schema)
        upgrade(engine)
        yield SqlStore(engine)
        engine.dispose()
