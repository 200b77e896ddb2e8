"""The invoice service's tables (SQLModel)."""

# The event tables join the same metadata, so migrations and their drift check see them too.
from ..db import events as _events  # noqa: F401
from .credit_note import CreditNote, CreditNoteLine
from .customer import Customer
from .enums import (
    OPEN_STATUSES,
    POSTED_STATUSES,
    InvoiceStatus,
    PaymentKind,
    PaymentMethod,
    SequenceKind,
    StatusFilter,
    TaxSource,
)
from .invoice import Invoice, LineItem
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
    "StatusFilter",
    "TaxRecord",
    "TaxSource",
]
