from decimal import Decimal

from sqlmodel import Field

from ..db import TableModel
from ._columns import (
    as_of_field,
    changed_at_field,
    currency_field,
    dt,
    money_field,
    source_id_field,
    status_field,
)


class Asset(TableModel, table=True):
    """One asset with its cost and book value as of its last event (asset.*)."""

    __tablename__ = "assets"

    id: int = source_id_field()
    status: str = status_field()
    category_id: int | None = Field(default=None)
    currency: str = currency_field()
    purchase_cost: Decimal = money_field()
    # As of the asset's last event: depreciation moves it monthly without one (a rebuild
    # reads today's figure).
    book_value: Decimal = money_field()
    as_of: dt.datetime = as_of_field()
    changed_at: dt.datetime = changed_at_field()


class AssetCategory(TableModel, table=True):
    """A category's name, from the newest asset event that named it."""

    __tablename__ = "asset_categories"

    id: int = source_id_field()
    name: str = Field(max_length=200)
    as_of: dt.datetime = as_of_field()
    changed_at: dt.datetime = changed_at_field()
