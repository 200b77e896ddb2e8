from decimal import Decimal

from sqlalchemy import Column, Date, DateTime, Integer
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


class Invoice(TableModel, table=True):
    """One issued invoice with its latest totals (invoice.* and payment.recorded carry them)."""

    __tablename__ = "invoices"

    id: int = source_id_field()
    status: str = status_field()
    currency: str = currency_field()
    issue_date: dt.date = Field(sa_column=Column(Date, nullable=False))
    total: Decimal = money_field()
    credited_total: Decimal = money_field()
    amount_paid: Decimal = money_field()
    balance_due: Decimal = money_field()
    as_of: dt.datetime = as_of_field()
    changed_at: dt.datetime = changed_at_field()


class Payment(TableModel, table=True):
    """One payment (a refund is a negative one), by its id: recorded once, never changed."""

    __tablename__ = "payments"

    id: int = source_id_field()
    invoice_id: int = Field(sa_column=Column(Integer, nullable=False))
    currency: str = currency_field()
    amount: Decimal = money_field()
    paid_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    as_of: dt.datetime = as_of_field()
    changed_at: dt.datetime = changed_at_field()
