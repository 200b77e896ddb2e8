import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, func, literal_column
from sqlmodel import Field

from tb_platform.columns import created_at_field, updated_at_field

from ..db import TableModel


class Customer(TableModel, table=True):
    """Someone the company bills."""

    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="payment_terms_days_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    email: str | None = Field(default=None, max_length=254)
    billing_address: str | None = Field(default=None, max_length=1000)
    tax_id: str | None = Field(default=None, max_length=50)
    currency: str = Field(
        default="EUR", sa_column=Column(String(3), nullable=False, server_default="EUR")
    )
    payment_terms_days: int = Field(
        default=30, sa_column=Column(Integer, nullable=False, server_default="30")
    )
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()


def tax_id_key(value: Any) -> Any:
    """A tax id as it is compared: without whitespace, upper-cased ("de 811 907 980" is
    "DE811907980"). SQL, so that lookups match the unique index below expression for expression
    (the constants are inlined, not bound)."""
    return func.upper(
        func.regexp_replace(
            value, literal_column("'\\s'"), literal_column("''"), literal_column("'g'")
        )
    )


# One customer per tax id, however it is spelled (customers without one: NULLs never clash).
Index("uq_customers_tax_id_key", tax_id_key(Customer.__table__.c.tax_id), unique=True)  # type: ignore[attr-defined]
