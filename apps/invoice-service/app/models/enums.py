"""Every closed set of values of the invoice service: what its columns store (VARCHAR + CHECK)
and what its API accepts."""

from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


# Statuses in which money is still owed (and an invoice can be overdue).
OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)
# Statuses a payment or a credit note may be recorded against.
POSTED_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)


class StatusFilter(StrEnum):
    """``status`` of an invoice list: one of the stored statuses, or the derived ``overdue``."""

    DRAFT = InvoiceStatus.DRAFT.value
    ISSUED = InvoiceStatus.ISSUED.value
    PARTIALLY_PAID = InvoiceStatus.PARTIALLY_PAID.value
    PAID = InvoiceStatus.PAID.value
    VOID = InvoiceStatus.VOID.value
    OVERDUE = "overdue"


class PaymentKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CASH = "cash"
    OTHER = "other"


class TaxSource(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    VOID = "void"


class SequenceKind(StrEnum):
    INVOICE = "INV"
    CREDIT_NOTE = "CN"


__all__ = [
    "OPEN_STATUSES",
    "POSTED_STATUSES",
    "InvoiceStatus",
    "PaymentKind",
    "PaymentMethod",
    "SequenceKind",
    "StatusFilter",
    "TaxSource",
]
