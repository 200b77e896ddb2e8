"""The closed sets of values the invoice service stores (VARCHAR + CHECK columns)."""

from enum import StrEnum

from tb_platform.columns import string_enum


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
    "TaxSource",
    "string_enum",
]
