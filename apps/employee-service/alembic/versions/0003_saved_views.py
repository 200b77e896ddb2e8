"""saved views: a list's filters, sort and columns, saved by one employee under a name

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-15 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "employee_schema"


def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_employee_id", sa.Integer(), nullable=False),
        sa.Column(
            "resource",
            sa.Enum(
                "assets",
                "invoices",
                "customers",
                "employees",
                "departments",
                "notifications",
                name="saved_view_resource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column(
            "filters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("sort", sa.String(length=60), nullable=True),
        sa.Column("columns", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["owner_employee_id"],
            [f"{SCHEMA}.employees.id"],
            name=op.f("fk_saved_views_owner_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        schema=SCHEMA,
    )
    op.create_index(
        "uq_saved_views_owner_resource_name",
        "saved_views",
        ["owner_employee_id", "resource", sa.literal_column("lower(name)")],
        unique=True,
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_index("uq_saved_views_owner_resource_name", table_name="saved_views", schema=SCHEMA)
    op.drop_table("saved_views", schema=SCHEMA)
