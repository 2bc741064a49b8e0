"""Engines and schema upgrades: SQLite (WAL, synchronous=FULL) or PostgreSQL via psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from outagelens.errors import ConfigError

DEFAULT_DB_URL = "sqlite:///outagelens.db"
MIGRATIONS = "outagelens.store:migrations"
WRITE_OPTION = "outagelens_write"
"""Execution option marking a connection whose transactions write (see _sqlite_begin)."""


def normalize_url(url: str) -> str:
    """Accept a bare file path (SQLite) or a URL; `postgresql://` means psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{Path(url)}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, schema: str | None = None, pool_size: int = 10) -> Engine:
    """Create an engine; SQLite gets WAL and synchronous=FULL on every connection."""
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"db: cannot parse database URL {url!r}: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=pool_size
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        connect_args: dict[str, Any] = {"connect_timeout": 5}
        if schema:
            connect_args["options"] = f"-csearch_path={schema}"
        return create_engine(
            parsed, connect_args=connect_args, pool_size=pool_size, pool_pre_ping=True
        )
    raise ConfigError(f"db: unsupported database {backend!r}; use sqlite or postgresql")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL lets readers run during writes; FULL makes each commit survive power loss."""
    dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """Write transactions take the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads, then writes after another writer committed, fails at
    once with SQLITE_BUSY; taking the lock first makes writers queue on busy_timeout instead.
    Readers keep a plain BEGIN so they never wait behind writers (WAL).
    """
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(engine: Engine) -> Config:
    """An Alembic Config built in code, pointing at the migrations inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, None before the first upgrade."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
