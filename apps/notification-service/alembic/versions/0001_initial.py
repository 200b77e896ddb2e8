"""notifications, and the event tables (outbox, inbox, dead letters)

Revision ID: 0001
Revises:
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tb_platform.events import create_event_tables, drop_event_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "notification_schema"


def _enum(name: str, *values: str) -> sa.Enum:
    """A VARCHAR(32) + CHECK column (tb_platform.columns.string_enum)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _timestamp(name: str) -> sa.Column:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _enum("notification_kind", "receipt"), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            _enum("notification_status", "pending", "sending", "sent", "failed"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _timestamp("next_attempt_at"),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        # One receipt per invoice, however many invoice.paid events arrive.
        sa.UniqueConstraint("kind", "invoice_id", name=op.f("uq_notifications_kind_invoice_id")),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_notifications_invoice_id"), "notifications", ["invoice_id"], schema=SCHEMA
    )
    op.create_index(op.f("ix_notifications_status"), "notifications", ["status"], schema=SCHEMA)
    # The sender's scan: due pending rows only.
    op.create_index(
        "ix_notifications_due",
        "notifications",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'pending'"),
    )
    create_event_tables(op, SCHEMA)


def downgrade() -> None:
    drop_event_tables(op, SCHEMA)
    op.drop_table("notifications", schema=SCHEMA)
