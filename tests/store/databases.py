"""Test databases: a SQLite file, or a fresh PostgreSQL schema per test (dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from outagelens.store.db import normalize_url

POSTGRES_ENV = "OUTAGELENS_TEST_POSTGRES_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """Yield (url, schema) of an empty database of the given backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'outagelens.db'}", None
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        )
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
