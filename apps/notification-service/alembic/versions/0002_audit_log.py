"""audit_log: the service's tamper-evident audit trail (tb_platform.audit)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

from tb_platform.audit import create_audit_table, drop_audit_table

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "notification_schema"


def upgrade() -> None:
    create_audit_table(op, SCHEMA)


def downgrade() -> None:
    drop_audit_table(op, SCHEMA)
