"""depreciation schedules: one row per asset holding its months as arrays

The schedule was one row per asset and month: an import of 100 000 assets of three-year life
wrote 3.6 million rows, each with a primary-key, a unique and a secondary index entry and a
foreign-key check: about 21 s of PostgreSQL's time alone (bench/run.py), over the 20 s target
for the whole import. Now each asset's schedule is one row of parallel arrays; the accumulated
depreciation on a day is found by ``width_bucket`` (a binary search) in the ascending
``period_ends``. The data is carried over both ways.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "asset_schema"
MONEY = sa.Numeric(precision=14, scale=2)


def upgrade() -> None:
    op.create_table(
        "depreciation_schedules_by_asset",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("period_starts", postgresql.ARRAY(sa.Date()), nullable=False),
        sa.Column("period_ends", postgresql.ARRAY(sa.Date()), nullable=False),
        sa.Column("depreciation_amounts", postgresql.ARRAY(MONEY), nullable=False),
        sa.Column("accumulated_depreciation", postgresql.ARRAY(MONEY), nullable=False),
        sa.Column("book_values", postgresql.ARRAY(MONEY), nullable=False),
        sa.CheckConstraint(
            "cardinality(period_starts) = cardinality(period_ends) "
            "AND cardinality(period_ends) = cardinality(depreciation_amounts) "
            "AND cardinality(period_ends) = cardinality(accumulated_depreciation) "
            "AND cardinality(period_ends) = cardinality(book_values)",
            name=op.f("ck_depreciation_schedules_months_aligned"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            [f"{SCHEMA}.assets.id"],
            name=op.f("fk_depreciation_schedules_asset_id_assets"),
            ondelete="CASCADE",
        ),
        # Renamed below: the months' table still holds this name until it is dropped.
        sa.PrimaryKeyConstraint("asset_id", name="pk_depreciation_schedules_by_asset"),
        schema=SCHEMA,
    )
    op.execute(
        """
        INSERT INTO asset_schema.depreciation_schedules_by_asset
        SELECT asset_id,
               array_agg(period_start ORDER BY period_end),
               array_agg(period_end ORDER BY period_end),
               array_agg(depreciation_amount ORDER BY period_end),
               array_agg(accumulated_depreciation ORDER BY period_end),
               array_agg(book_value ORDER BY period_end)
        FROM asset_schema.depreciation_schedules
        GROUP BY asset_id
        """
    )
    op.drop_table("depreciation_schedules", schema=SCHEMA)
    op.rename_table("depreciation_schedules_by_asset", "depreciation_schedules", schema=SCHEMA)
    op.execute(
        f"ALTER TABLE {SCHEMA}.depreciation_schedules "
        "RENAME CONSTRAINT pk_depreciation_schedules_by_asset TO pk_depreciation_schedules"
    )


def downgrade() -> None:
    op.rename_table("depreciation_schedules", "depreciation_schedules_by_asset", schema=SCHEMA)
    op.execute(
        f"ALTER TABLE {SCHEMA}.depreciation_schedules_by_asset "
        "RENAME CONSTRAINT pk_depreciation_schedules TO pk_depreciation_schedules_by_asset"
    )
    op.create_table(
        "depreciation_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("depreciation_amount", MONEY, nullable=False),
        sa.Column("accumulated_depreciation", MONEY, nullable=False),
        sa.Column("book_value", MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            [f"{SCHEMA}.assets.id"],
            name="fk_depreciation_schedules_asset_id_assets_months",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_depreciation_schedules_months"),
        schema=SCHEMA,
    )
    op.execute(
        """
        INSERT INTO asset_schema.depreciation_schedules
            (asset_id, period_start, period_end, depreciation_amount,
             accumulated_depreciation, book_value)
        SELECT s.asset_id, m.period_start, m.period_end, m.depreciation_amount,
               m.accumulated_depreciation, m.book_value
        FROM asset_schema.depreciation_schedules_by_asset AS s,
             unnest(s.period_starts, s.period_ends, s.depreciation_amounts,
                    s.accumulated_depreciation, s.book_values)
                 AS m(period_start, period_end, depreciation_amount,
                      accumulated_depreciation, book_value)
        ORDER BY s.asset_id, m.period_end
        """
    )
    op.drop_table("depreciation_schedules_by_asset", schema=SCHEMA)
    # The constraints' names as 0001 gave them, now that the arrays' table is gone.
    op.execute(
        f"ALTER TABLE {SCHEMA}.depreciation_schedules "
        "RENAME CONSTRAINT pk_depreciation_schedules_months TO pk_depreciation_schedules"
    )
    op.execute(
        f"ALTER TABLE {SCHEMA}.depreciation_schedules RENAME CONSTRAINT "
        "fk_depreciation_schedules_asset_id_assets_months TO fk_depreciation_schedules_asset_id_assets"
    )
    op.create_index(
        "ix_depreciation_schedules_asset_id_period_end",
        "depreciation_schedules",
        ["asset_id", "period_end"],
        schema=SCHEMA,
    )
    op.create_index(
        "uq_depreciation_schedules_asset_id_period_start",
        "depreciation_schedules",
        ["asset_id", "period_start"],
        unique=True,
        schema=SCHEMA,
    )
