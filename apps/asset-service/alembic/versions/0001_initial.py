"""categories, assets, assignments, maintenance logs, depreciation schedules

Revision ID: 0001
Revises:
Create Date: 2026-11-24 19:57:51.661702
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "asset_schema"
TAG_SEQUENCE = sa.Sequence("asset_tag_seq", schema=SCHEMA)
# Substring search (`q`) over a million assets: trigram indexes, where the server has pg_trgm
# (PostgreSQL's contrib; the embedded development server lacks it and searches by scanning).
TRIGRAM_COLUMNS = ("asset_tag", "name", "serial_number")


def _create_trigram_indexes() -> None:
    bind = op.get_bind()
    available = bind.scalar(
        sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")
    )
    if not available:
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_assets_trgm_{column} ON {SCHEMA}.assets "
            f"USING gin ({column} gin_trgm_ops)"
        )


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(TAG_SEQUENCE))
    op.create_table(
        "asset_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("default_useful_life_months", sa.Integer(), nullable=False),
        sa.Column(
            "default_depreciation_method",
            sa.Enum(
                "straight_line",
                "declining_balance",
                "double_declining_balance",
                name="depreciation_method",
                native_enum=False,
                create_constraint=True,
                length=32,
                schema="asset_schema",
            ),
            nullable=False,
        ),
        sa.Column("default_salvage_percent", sa.Numeric(precision=5, scale=2), nullable=False),
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
        sa.CheckConstraint(
            "default_salvage_percent BETWEEN 0 AND 100",
            name=op.f("ck_asset_categories_salvage_percent_range"),
        ),
        sa.CheckConstraint(
            "default_useful_life_months BETWEEN 1 AND 600",
            name=op.f("ck_asset_categories_useful_life_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_asset_categories_code")),
        sa.UniqueConstraint("name", name=op.f("uq_asset_categories_name")),
        schema="asset_schema",
    )
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_tag", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("serial_number", sa.String(length=100), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in_stock",
                "assigned",
                "in_maintenance",
                "retired",
                "disposed",
                name="asset_status",
                native_enum=False,
                create_constraint=True,
                length=32,
                schema="asset_schema",
            ),
            nullable=False,
        ),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("purchase_date", sa.Date(), nullable=False),
        sa.Column("purchase_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("salvage_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("useful_life_months", sa.Integer(), nullable=False),
        sa.Column(
            "depreciation_method",
            sa.Enum(
                "straight_line",
                "declining_balance",
                "double_declining_balance",
                name="depreciation_method",
                native_enum=False,
                create_constraint=True,
                length=32,
                schema="asset_schema",
            ),
            nullable=False,
        ),
        sa.Column("declining_rate", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("assigned_employee_id", sa.Integer(), nullable=True),
        sa.Column(
            "status_before_maintenance",
            sa.Enum(
                "in_stock",
                "assigned",
                "in_maintenance",
                "retired",
                "disposed",
                name="asset_status_before_maintenance",
                native_enum=False,
                create_constraint=True,
                length=32,
                schema="asset_schema",
            ),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("disposal_date", sa.Date(), nullable=True),
        sa.Column("disposal_proceeds", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("disposal_reason", sa.String(length=500), nullable=True),
        sa.Column("book_value_at_disposal", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
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
        sa.CheckConstraint(
            "(depreciation_method = 'declining_balance') = (declining_rate IS NOT NULL)",
            name=op.f("ck_assets_declining_rate_iff_declining"),
        ),
        sa.CheckConstraint(
            "(status = 'assigned') = (assigned_employee_id IS NOT NULL) OR (status = 'in_maintenance')",
            name=op.f("ck_assets_assigned_has_employee"),
        ),
        sa.CheckConstraint(
            "(status = 'disposed') = (disposal_date IS NOT NULL)",
            name=op.f("ck_assets_disposed_has_date"),
        ),
        sa.CheckConstraint("purchase_cost >= 0", name=op.f("ck_assets_purchase_cost_not_negative")),
        sa.CheckConstraint(
            "salvage_value >= 0 AND salvage_value <= purchase_cost",
            name=op.f("ck_assets_salvage_within_cost"),
        ),
        sa.CheckConstraint(
            "useful_life_months BETWEEN 1 AND 600", name=op.f("ck_assets_useful_life_range")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["asset_schema.asset_categories.id"],
            name=op.f("fk_assets_category_id_asset_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("asset_tag", name=op.f("uq_assets_asset_tag")),
        schema="asset_schema",
    )
    op.create_index(
        "ix_assets_assigned_employee_id_asset_tag",
        "assets",
        ["assigned_employee_id", "asset_tag"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "ix_assets_category_id_asset_tag",
        "assets",
        ["category_id", "asset_tag"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "ix_assets_created_at_id",
        "assets",
        ["created_at", "id"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "ix_assets_name_id", "assets", ["name", "id"], unique=False, schema="asset_schema"
    )
    op.create_index(
        "ix_assets_purchase_cost_id",
        "assets",
        ["purchase_cost", "id"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "ix_assets_purchase_date_id",
        "assets",
        ["purchase_date", "id"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "ix_assets_status_asset_tag",
        "assets",
        ["status", "asset_tag"],
        unique=False,
        schema="asset_schema",
    )
    op.create_table(
        "asset_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("returned_by", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset_schema.assets.id"],
            name=op.f("fk_asset_assignments_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_assignments")),
        schema="asset_schema",
    )
    op.create_index(
        "ix_asset_assignments_asset_id_assigned_at",
        "asset_assignments",
        ["asset_id", "assigned_at"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "ix_asset_assignments_employee_id",
        "asset_assignments",
        ["employee_id"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "uq_asset_assignments_open",
        "asset_assignments",
        ["asset_id"],
        unique=True,
        schema="asset_schema",
        postgresql_where=sa.text("returned_at IS NULL"),
    )
    op.create_table(
        "depreciation_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("depreciation_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("accumulated_depreciation", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("book_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset_schema.assets.id"],
            name=op.f("fk_depreciation_schedules_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depreciation_schedules")),
        schema="asset_schema",
    )
    op.create_index(
        "ix_depreciation_schedules_asset_id_period_end",
        "depreciation_schedules",
        ["asset_id", "period_end"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "uq_depreciation_schedules_asset_id_period_start",
        "depreciation_schedules",
        ["asset_id", "period_start"],
        unique=True,
        schema="asset_schema",
    )
    op.create_table(
        "maintenance_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "preventive",
                "corrective",
                "inspection",
                name="maintenance_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
                schema="asset_schema",
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=True),
        sa.Column("cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_due_date", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
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
        sa.CheckConstraint(
            "completed_at IS NULL OR completed_at >= started_at",
            name=op.f("ck_maintenance_logs_completed_after_start"),
        ),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_maintenance_logs_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset_schema.assets.id"],
            name=op.f("fk_maintenance_logs_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_logs")),
        schema="asset_schema",
    )
    op.create_index(
        "ix_maintenance_logs_asset_id_started_at",
        "maintenance_logs",
        ["asset_id", "started_at"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "ix_maintenance_logs_next_due_date",
        "maintenance_logs",
        ["next_due_date"],
        unique=False,
        schema="asset_schema",
    )
    op.create_index(
        "uq_maintenance_logs_open",
        "maintenance_logs",
        ["asset_id"],
        unique=True,
        schema="asset_schema",
        postgresql_where=sa.text("completed_at IS NULL"),
    )
    _create_trigram_indexes()


def downgrade() -> None:
    for column in TRIGRAM_COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS {SCHEMA}.ix_assets_trgm_{column}")
    op.drop_index(
        "uq_maintenance_logs_open",
        table_name="maintenance_logs",
        schema="asset_schema",
        postgresql_where=sa.text("completed_at IS NULL"),
    )
    op.drop_index(
        "ix_maintenance_logs_next_due_date", table_name="maintenance_logs", schema="asset_schema"
    )
    op.drop_index(
        "ix_maintenance_logs_asset_id_started_at",
        table_name="maintenance_logs",
        schema="asset_schema",
    )
    op.drop_table("maintenance_logs", schema="asset_schema")
    op.drop_index(
        "uq_depreciation_schedules_asset_id_period_start",
        table_name="depreciation_schedules",
        schema="asset_schema",
    )
    op.drop_index(
        "ix_depreciation_schedules_asset_id_period_end",
        table_name="depreciation_schedules",
        schema="asset_schema",
    )
    op.drop_table("depreciation_schedules", schema="asset_schema")
    op.drop_index(
        "uq_asset_assignments_open",
        table_name="asset_assignments",
        schema="asset_schema",
        postgresql_where=sa.text("returned_at IS NULL"),
    )
    op.drop_index(
        "ix_asset_assignments_employee_id", table_name="asset_assignments", schema="asset_schema"
    )
    op.drop_index(
        "ix_asset_assignments_asset_id_assigned_at",
        table_name="asset_assignments",
        schema="asset_schema",
    )
    op.drop_table("asset_assignments", schema="asset_schema")
    op.drop_index("ix_assets_status_asset_tag", table_name="assets", schema="asset_schema")
    op.drop_index("ix_assets_purchase_date_id", table_name="assets", schema="asset_schema")
    op.drop_index("ix_assets_purchase_cost_id", table_name="assets", schema="asset_schema")
    op.drop_index("ix_assets_name_id", table_name="assets", schema="asset_schema")
    op.drop_index("ix_assets_created_at_id", table_name="assets", schema="asset_schema")
    op.drop_index("ix_assets_category_id_asset_tag", table_name="assets", schema="asset_schema")
    op.drop_index(
        "ix_assets_assigned_employee_id_asset_tag", table_name="assets", schema="asset_schema"
    )
    op.drop_table("assets", schema="asset_schema")
    op.drop_table("asset_categories", schema="asset_schema")
    op.execute(sa.schema.DropSequence(TAG_SEQUENCE))
