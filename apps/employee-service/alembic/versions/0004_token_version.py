"""token version: bumped on termination, role change and password change/reset to revoke tokens

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-20 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "employee_schema"


def upgrade() -> None:
    op.add_column(
        "employees",
        sa.Column("token_version", sa.Integer(), server_default="0", nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("employees", "token_version", schema=SCHEMA)
