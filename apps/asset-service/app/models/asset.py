import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Sequence,
    Text,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import column_property
from sqlmodel import Field, col

from tb_platform.columns import MONEY, created_at_field, string_enum, updated_at_field

from ..db import SCHEMA, TableModel
from .enums import AssetStatus, DepreciationMethod, MaintenanceKind

# Numbers of generated tags (AST-000123): a sequence, so concurrent creates never collide.
ASSET_TAG_SEQUENCE = Sequence("asset_tag_seq", schema=SCHEMA, metadata=TableModel.metadata)


class Asset(TableModel, table=True):
    """Something the company owns: who has it, what it cost, and how it depreciates."""

    __tablename__ = "assets"
    __table_args__ = (
        CheckConstraint("purchase_cost >= 0", name="purchase_cost_not_negative"),
        CheckConstraint(
            "salvage_value >= 0 AND salvage_value <= purchase_cost", name="salvage_within_cost"
        ),
        CheckConstraint("useful_life_months BETWEEN 1 AND 600", name="useful_life_range"),
        CheckConstraint(
            "(depreciation_method = 'declining_balance') = (declining_rate IS NOT NULL)",
            name="declining_rate_iff_declining",
        ),
        CheckConstraint(
            "(status = 'assigned') = (assigned_employee_id IS NOT NULL)"
            " OR (status = 'in_maintenance')",
            name="assigned_has_employee",
        ),
        CheckConstraint(
            "(status = 'disposed') = (disposal_date IS NOT NULL)", name="disposed_has_date"
        ),
        # The list's filters, each with the default sort column so a page is an index range scan.
        Index("ix_assets_status_asset_tag", "status", "asset_tag"),
        Index("ix_assets_category_id_asset_tag", "category_id", "asset_tag"),
        Index("ix_assets_assigned_employee_id_asset_tag", "assigned_employee_id", "asset_tag"),
        Index("ix_assets_name_id", "name", "id"),
        Index("ix_assets_purchase_date_id", "purchase_date", "id"),
        Index("ix_assets_purchase_cost_id", "purchase_cost", "id"),
        Index("ix_assets_created_at_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    asset_tag: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    serial_number: str | None = Field(default=None, max_length=100)
    category_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey(f"{SCHEMA}.asset_categories.id", ondelete="RESTRICT"),
            nullable=False,
        )
    )
    status: AssetStatus = Field(
        default=AssetStatus.IN_STOCK, sa_type=string_enum(AssetStatus, "asset_status")
    )
    location: str | None = Field(default=None, max_length=200)
    purchase_date: dt.date
    purchase_cost: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    salvage_value: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    currency: str = Field(max_length=3)
    useful_life_months: int
    depreciation_method: DepreciationMethod = Field(
        sa_type=string_enum(DepreciationMethod, "depreciation_method")
    )
    declining_rate: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2)))
    # A soft id into the employee service: no foreign key across schemas.
    assigned_employee_id: int | None = Field(default=None)
    # Where an asset in maintenance goes back to when the work is done.
    status_before_maintenance: AssetStatus | None = Field(
        default=None, sa_type=string_enum(AssetStatus, "asset_status_before_maintenance")
    )
    notes: str | None = Field(default=None, sa_column=Column(Text))
    disposal_date: dt.date | None = None
    disposal_proceeds: Decimal | None = Field(default=None, sa_column=Column(MONEY))
    disposal_reason: str | None = Field(default=None, max_length=500)
    book_value_at_disposal: Decimal | None = Field(default=None, sa_column=Column(MONEY))
    created_by: str = Field(max_length=100)
    updated_by: str = Field(max_length=100)
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()

    @property
    def gain_loss(self) -> Decimal | None:
        return gain_loss(self.disposal_proceeds, self.book_value_at_disposal)


def gain_loss(proceeds: Decimal | None, book_value_at_disposal: Decimal | None) -> Decimal | None:
    """What a disposal gained (or lost, negative) over the book value it took off the books."""
    if proceeds is None or book_value_at_disposal is None:
        return None
    return proceeds - book_value_at_disposal


class AssetAssignment(TableModel, table=True):
    """One period during which an employee had the asset (open while ``returned_at`` is null)."""

    __tablename__ = "asset_assignments"
    __table_args__ = (
        Index("ix_asset_assignments_asset_id_assigned_at", "asset_id", "assigned_at"),
        Index("ix_asset_assignments_employee_id", "employee_id"),
        # At most one open assignment per asset, whatever races the application loses.
        Index(
            "uq_asset_assignments_open",
            "asset_id",
            unique=True,
            postgresql_where=text("returned_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey(f"{SCHEMA}.assets.id", ondelete="CASCADE"), nullable=False
        )
    )
    employee_id: int
    assigned_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    returned_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    assigned_by: str = Field(max_length=100)
    returned_by: str | None = Field(default=None, max_length=100)
    # Why the asset came back: the return's reason, or "employee terminated" (the worker).
    return_reason: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=1000)


class MaintenanceLog(TableModel, table=True):
    """Work done on an asset; open (the asset is in maintenance) until ``completed_at`` is set."""

    __tablename__ = "maintenance_logs"
    __table_args__ = (
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        CheckConstraint(
            "completed_at IS NULL OR completed_at >= started_at", name="completed_after_start"
        ),
        Index("ix_maintenance_logs_asset_id_started_at", "asset_id", "started_at"),
        Index("ix_maintenance_logs_next_due_date", "next_due_date"),
        Index(
            "uq_maintenance_logs_open",
            "asset_id",
            unique=True,
            postgresql_where=text("completed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey(f"{SCHEMA}.assets.id", ondelete="CASCADE"), nullable=False
        )
    )
    kind: MaintenanceKind = Field(sa_type=string_enum(MaintenanceKind, "maintenance_kind"))
    description: str = Field(sa_column=Column(Text, nullable=False))
    vendor: str | None = Field(default=None, max_length=200)
    cost: Decimal = Field(default=Decimal(0), sa_column=Column(MONEY, nullable=False))
    started_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    completed_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    next_due_date: dt.date | None = None
    created_by: str = Field(max_length=100)
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()


# ``log.currency``: the asset's, read with the log (a correlated subquery, not a column), so that
# a cost shown on its own knows how many decimals it has.
inspect(MaintenanceLog).add_property(
    "currency",
    column_property(
        select(col(Asset.currency))
        .where(col(Asset.id) == MaintenanceLog.asset_id)
        .scalar_subquery()
    ),
)


class DepreciationSchedule(TableModel, table=True):
    """An asset's depreciation schedule, month by month, as one row of parallel arrays (rebuilt
    whenever its inputs change). Element i of every array is month i; ``period_ends`` ascends,
    so the accumulated depreciation on a day is ``accumulated_depreciation[width_bucket(day,
    period_ends)]``: a binary search in one row, not a probe among millions of month rows. One
    row per asset instead of one per month is what lets an import of 100 000 assets write
    100 000 rows rather than 3.6 million (and their index entries and key checks)."""

    __tablename__ = "depreciation_schedules"
    __table_args__ = (
        CheckConstraint(
            "cardinality(period_starts) = cardinality(period_ends) "
            "AND cardinality(period_ends) = cardinality(depreciation_amounts) "
            "AND cardinality(period_ends) = cardinality(accumulated_depreciation) "
            "AND cardinality(period_ends) = cardinality(book_values)",
            name="months_aligned",
        ),
    )

    asset_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey(f"{SCHEMA}.assets.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    period_starts: list[dt.date] = Field(sa_column=Column(ARRAY(Date), nullable=False))
    period_ends: list[dt.date] = Field(sa_column=Column(ARRAY(Date), nullable=False))
    depreciation_amounts: list[Decimal] = Field(sa_column=Column(ARRAY(MONEY), nullable=False))
    accumulated_depreciation: list[Decimal] = Field(sa_column=Column(ARRAY(MONEY), nullable=False))
    book_values: list[Decimal] = Field(sa_column=Column(ARRAY(MONEY), nullable=False))
