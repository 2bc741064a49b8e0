"""Persistence with SQLAlchemy 2 and Alembic: SQLite by default, PostgreSQL for shared use."""
