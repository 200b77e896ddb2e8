import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    inspect,
    select,
)
from sqlalchemy.orm import column_property
from sqlmodel import Field, col

from tb_platform.columns import created_at_field

from ..db import TableModel
from ._types import MONEY, string_enum
from .enums import PaymentKind, PaymentMethod
from .invoice import Invoice


class Payment(TableModel, table=True):
    """Money received for an invoice, or (a negative row) refunded after a credit note."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'payment' AND amount > 0) OR (kind = 'refund' AND amount < 0)",
            name="amount_sign_matches_kind",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.invoices.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        )
    )
    kind: PaymentKind = Field(
        default=PaymentKind.PAYMENT,
        sa_column=Column(string_enum(PaymentKind, "payment_kind"), nullable=False),
    )
    amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    paid_at: dt.datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    method: PaymentMethod = Field(
        sa_column=Column(string_enum(PaymentMethod, "payment_method"), nullable=False)
    )
    reference: str | None = Field(default=None, max_length=200)
    # The credit note a refund was made for.
    credit_note_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.credit_notes.id", ondelete="RESTRICT"),
            index=True,
        ),
    )
    created_by: str = Field(max_length=100)
    created_at: dt.datetime | None = created_at_field()


# ``payment.currency``: the invoice's, read with the payment (a correlated subquery, not a
# column), so that a payment shown on its own knows how many decimals its amount has.
inspect(Payment).add_property(
    "currency",
    column_property(
        select(col(Invoice.currency)).where(col(Invoice.id) == Payment.invoice_id).scalar_subquery()
    ),
)


class PaymentIdempotencyKey(TableModel, table=True):
    """An ``Idempotency-Key`` already used for a payment to an invoice, and what it recorded."""

    __tablename__ = "payment_idempotency_keys"
    __table_args__ = (PrimaryKeyConstraint("invoice_id", "key"),)

    invoice_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.invoices.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    key: str = Field(sa_column=Column(String(200), nullable=False))
    # sha256 of the canonical request body: the same key with another body is refused.
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    payment_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("invoice_schema.payments.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    created_at: dt.datetime | None = created_at_field()
