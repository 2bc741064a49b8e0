"""Status pages: page tokens, incident updates, component overrides, maintenances, subscribers,
notification outbox.

Revision ID: 0002_status_pages
Revises: 0001_initial
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outagelens.store.tables import BigId, UtcDateTime

revision = "0002_status_pages"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def upgrade() -> None:
    """Create the status-page tables."""
    op.create_table(
        "status_page_tokens",
        sa.Column("token_id", sa.String(32), primary_key=True),
        sa.Column("customer_id", sa.String(256), nullable=False),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        _when("created_at"),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_status_page_tokens_customer_id", "status_page_tokens", ["customer_id"])
    op.create_table(
        "status_updates",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("audience", sa.String(256), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("author", sa.String(256), nullable=False),
        sa.Column("drafted", sa.Boolean(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("replaces", sa.String(200), nullable=True),
        _when("created_at"),
        _when("published_at", nullable=True),
    )
    op.create_index(
        "ix_status_updates_incident_audience", "status_updates", ["incident_id", "audience"]
    )
    op.create_index("ix_status_updates_state", "status_updates", ["state"])
    op.create_table(
        "status_component_overrides",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("component", sa.String(256), nullable=False),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("author", sa.String(256), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _when("created_at"),
    )
    op.create_index(
        "ix_status_component_overrides_component", "status_component_overrides", ["component"]
    )
    op.create_table(
        "status_maintenances",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        _when("scheduled_for"),
        _when("scheduled_until"),
        sa.Column("author", sa.String(256), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "status_subscribers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("audience", sa.String(256), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(2048), nullable=False),
        sa.Column("secret", sa.String(256), nullable=True),
        _when("created_at"),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_status_subscribers_audience", "status_subscribers", ["audience"])
    op.create_table(
        "status_outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.String(300), nullable=False),
        sa.Column("subscriber_id", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at"),
        _when("created_at"),
        _when("delivered_at", nullable=True),
        _when("failed_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("delivery_id", name="uq_status_outbox_delivery"),
    )
    op.create_index(
        "ix_status_outbox_due", "status_outbox", ["delivered_at", "failed_at", "next_attempt_at"]
    )
    op.create_index("ix_status_outbox_subscriber_id", "status_outbox", ["subscriber_id"])


def downgrade() -> None:
    """Drop the status-page tables."""
    for table in (
        "status_outbox",
        "status_subscribers",
        "status_maintenances",
        "status_component_overrides",
        "status_updates",
        "status_page_tokens",
    ):
        op.drop_table(table)
