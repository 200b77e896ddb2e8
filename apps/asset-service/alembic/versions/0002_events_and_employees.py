"""event tables (outbox, inbox, dead letters), the employee projection, why an asset came back

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tb_platform.employee_directory import create_employee_projection, drop_employee_projection
from tb_platform.events import create_event_tables, drop_event_tables

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "asset_schema"


def upgrade() -> None:
    create_event_tables(op, SCHEMA)
    create_employee_projection(op, SCHEMA)
    op.add_column(
        "asset_assignments",
        sa.Column("return_reason", sa.String(length=200), nullable=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("asset_assignments", "return_reason", schema=SCHEMA)
    drop_employee_projection(op, SCHEMA)
    drop_event_tables(op, SCHEMA)
