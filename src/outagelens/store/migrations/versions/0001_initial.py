"""Initial schema: inbox, signals, points, incidents, versions, overrides, notes, keys, catalogs.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outagelens.store.tables import BigId, UtcDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of the first schema version."""
    op.create_table(
        "inbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("dedup_key", sa.String(512), nullable=False),
        sa.Column("starts_at", sa.String(40), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("processed", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("source", "dedup_key", "starts_at", name="uq_inbox_delivery"),
    )
    op.create_index("ix_inbox_processed_id", "inbox", ["processed", "id"])
    op.create_table(
        "signals",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(600), nullable=False),
        sa.Column("time", UtcDateTime(), nullable=False),
        sa.Column("end", UtcDateTime(), nullable=True),
        sa.Column("entity", sa.String(256), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_signals_kind_key"),
    )
    op.create_index("ix_signals_kind_time_key", "signals", ["kind", "time", "key"])
    op.create_table(
        "frame_points",
        sa.Column("frame", sa.String(16), primary_key=True),
        sa.Column("key1", sa.String(256), primary_key=True),
        sa.Column("key2", sa.String(256), primary_key=True),
        sa.Column("key3", sa.String(256), primary_key=True),
        sa.Column("minute", UtcDateTime(), primary_key=True),
        sa.Column("values", sa.JSON(), nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("match_key", sa.String(600), nullable=False, index=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
    )
    op.create_table(
        "incident_versions",
        sa.Column("incident_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
    )
    for name, extra in (
        (
            "incident_overrides",
            [
                sa.Column("entities", sa.JSON(), nullable=False),
                sa.Column("category", sa.String(32), nullable=False),
                sa.Column("comment", sa.Text(), nullable=False),
            ],
        ),
        ("incident_notes", [sa.Column("text", sa.Text(), nullable=False)]),
    ):
        op.create_table(
            name,
            sa.Column("id", BigId, primary_key=True, autoincrement=True),
            sa.Column("incident_id", sa.String(64), nullable=False, index=True),
            sa.Column("author", sa.String(256), nullable=False),
            sa.Column("created_at", UtcDateTime(), nullable=False),
            *extra,
        )
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(128), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "catalogs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("source", sa.String(512), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, index=True),
    )


def downgrade() -> None:
    """Drop every table."""
    for name in (
        "catalogs",
        "api_keys",
        "incident_notes",
        "incident_overrides",
        "incident_versions",
        "incidents",
        "frame_points",
        "signals",
        "inbox",
    ):
        op.drop_table(name)
