"""read model (employees, departments, assets, asset categories, invoices, payments, its
version row) and the event tables (inbox, dead letters, outbox)

Revision ID: 0001
Revises:
Create Date: 2026-11-30 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tb_platform.events import create_event_tables, drop_event_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "dashboard_schema"


def _id() -> sa.Column:
    # The owning service's id: never generated here.
    return sa.Column("id", sa.Integer(), autoincrement=False, nullable=False)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _money(name: str) -> sa.Column:
    """NUMERIC(14, 2): exact, two decimals (tb_platform.columns.MONEY)."""
    return sa.Column(name, sa.Numeric(precision=14, scale=2), nullable=False)


def upgrade() -> None:
    op.create_table(
        "employees",
        _id(),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employees")),
        schema=SCHEMA,
    )
    op.create_table(
        "departments",
        _id(),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        schema=SCHEMA,
    )
    op.create_table(
        "assets",
        _id(),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _money("purchase_cost"),
        _money("book_value"),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        schema=SCHEMA,
    )
    op.create_table(
        "asset_categories",
        _id(),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_categories")),
        schema=SCHEMA,
    )
    op.create_table(
        "invoices",
        _id(),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        _money("total"),
        _money("credited_total"),
        _money("amount_paid"),
        _money("balance_due"),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        schema=SCHEMA,
    )
    op.create_table(
        "payments",
        _id(),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _money("amount"),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        schema=SCHEMA,
    )
    op.create_table(
        "read_model_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_read_model_state_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_model_state")),
        schema=SCHEMA,
    )
    create_event_tables(op, SCHEMA)


def downgrade() -> None:
    drop_event_tables(op, SCHEMA)
    for table in (
        "read_model_state",
        "payments",
        "invoices",
        "asset_categories",
        "assets",
        "departments",
        "employees",
    ):
        op.drop_table(table, schema=SCHEMA)
