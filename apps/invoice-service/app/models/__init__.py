"""The invoice service's tables (SQLModel)."""

from .credit_note import CreditNote, CreditNoteLine
from .customer import Customer
from .enums import (
    OPEN_STATUSES,
    POSTED_STATUSES,
    InvoiceStatus,
    PaymentKind,
    PaymentMethod,
    SequenceKind,
    TaxSource,
)
from .invoice import Invoice, LineItem, utc_today
from .ledger import NumberSequence, TaxRecord
from .payment import Payment, PaymentIdempotencyKey

__all__ = [
    "OPEN_STATUSES",
    "POSTED_STATUSES",
    "CreditNote",
    "CreditNoteLine",
    "Customer",
    "Invoice",
    "InvoiceStatus",
    "LineItem",
    "NumberSequence",
    "Payment",
    "PaymentIdempotencyKey",
    "PaymentKind",
    "PaymentMethod",
    "SequenceKind",
    "TaxRecord",
    "TaxSource",
    "utc_today",
]
