"""event tables: outbox, inbox, dead letters (and the outbox's NOTIFY trigger)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from tb_platform.events import create_event_tables, drop_event_tables

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "employee_schema"


def upgrade() -> None:
    create_event_tables(op, SCHEMA)


def downgrade() -> None:
    drop_event_tables(op, SCHEMA)
