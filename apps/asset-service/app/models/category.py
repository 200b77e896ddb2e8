import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Numeric
from sqlmodel import Field

from tb_platform.columns import created_at_field, string_enum, updated_at_field

from ..db import TableModel
from .enums import DepreciationMethod


class AssetCategory(TableModel, table=True):
    """A kind of asset (laptops, vehicles…) and the depreciation defaults its assets start with."""

    __tablename__ = "asset_categories"
    __table_args__ = (
        CheckConstraint("default_useful_life_months BETWEEN 1 AND 600", name="useful_life_range"),
        CheckConstraint("default_salvage_percent BETWEEN 0 AND 100", name="salvage_percent_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    code: str = Field(max_length=20, unique=True)
    default_useful_life_months: int
    default_depreciation_method: DepreciationMethod = Field(
        sa_type=string_enum(DepreciationMethod, "depreciation_method")
    )
    default_salvage_percent: Decimal = Field(
        default=Decimal(0), sa_column=Column(Numeric(5, 2), nullable=False)
    )
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()
