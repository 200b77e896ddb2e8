"""event tables (outbox, inbox, dead letters, the outbox's NOTIFY trigger) and the employee
projection

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from tb_platform.employee_directory import create_employee_projection, drop_employee_projection
from tb_platform.events import create_event_tables, drop_event_tables

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "invoice_schema"


def upgrade() -> None:
    create_event_tables(op, SCHEMA)
    create_employee_projection(op, SCHEMA)


def downgrade() -> None:
    drop_employee_projection(op, SCHEMA)
    drop_event_tables(op, SCHEMA)
