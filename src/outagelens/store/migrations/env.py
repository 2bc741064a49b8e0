"""Alembic environment: runs online against the engine handed over in Config.attributes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from outagelens.store.tables import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
