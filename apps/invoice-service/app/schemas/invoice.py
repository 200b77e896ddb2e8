import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from tb_platform.bulk import BulkRequest
from tb_platform.money import Currency, InCurrency, Money, Percent
from tb_platform.schemas import InputModel, PatchModel
from tb_platform.types import BusinessDate, Id, trimmed

from ..models import Invoice, InvoiceStatus
from .common import Amount, DecimalText, Quantity, Reason
from .credit_note import CreditNotePublic
from .payment import PaymentPublic

MAX_LINES = 500
Description = Annotated[str, trimmed(500)]
Notes = Annotated[str, trimmed(2000, min_length=0)]


class LineInput(InputModel):
    description: Description
    quantity: Quantity
    unit_price: Money
    discount_percent: Percent = Decimal(0)
    tax_rate: Percent = Decimal(0)


class InvoiceCreate(InputModel):
    customer_id: Id
    issue_date: BusinessDate | None = Field(default=None, description="Today (UTC) when absent")
    due_date: BusinessDate | None = Field(
        default=None, description="Issue date + the customer's payment terms when absent"
    )
    currency: Currency | None = Field(default=None, description="The customer's when absent")
    notes: Notes | None = None
    employee_id: Id | None = None
    lines: list[LineInput] = Field(default_factory=list, max_length=MAX_LINES)


class InvoicePreviewRequest(InvoiceCreate):
    """A draft's body, to be totalled and not stored: the same fields and rules as creating one,
    except that the customer may still be unknown when the currency is given."""

    customer_id: Id | None = Field(  # type: ignore[assignment]
        default=None, description="Gives the currency when it is absent; must exist when sent"
    )


class LinePreview(BaseModel):
    """What a line would come to, named as an invoice's lines name their amounts."""

    position: int
    net_amount: Amount
    tax_amount: Amount
    total: Amount


class InvoicePreview(InCurrency):
    """The totals an invoice of these lines would have, rounded as the service rounds them."""

    currency: str
    lines: list[LinePreview]
    subtotal: Amount
    tax_total: Amount
    total: Amount


class InvoiceBulk(BulkRequest):
    """One action on many invoices, by the rules of its single-row endpoint; all or nothing."""

    action_fields = {"issue": {}, "void": {"reason": True}}

    action: Literal["issue", "void"] = Field(description="As POST /invoices/{id}/issue or /void")
    reason: Reason | None = Field(default=None, description="void: why (required)")


class InvoiceUpdate(PatchModel):
    not_nullable: ClassVar[frozenset[str]] = frozenset(
        {"customer_id", "issue_date", "due_date", "currency", "lines"}
    )

    customer_id: Id | None = None
    issue_date: BusinessDate | None = None
    due_date: BusinessDate | None = None
    currency: Currency | None = None
    notes: Notes | None = None
    employee_id: Id | None = None
    lines: list[LineInput] | None = Field(
        default=None, max_length=MAX_LINES, description="Replaces every line"
    )


class VoidRequest(InputModel):
    reason: Reason


class LinePublic(BaseModel):
    """A line of an invoice, in the invoice's currency."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    description: str
    quantity: DecimalText
    unit_price: Amount
    discount_percent: DecimalText
    tax_rate: DecimalText
    net_amount: Amount
    tax_amount: Amount
    total: Amount


class InvoicePublic(InCurrency):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str | None
    customer_id: int
    customer_name: str
    status: InvoiceStatus
    is_overdue: bool = Field(description="Issued or partly paid, and due before today (UTC)")
    issue_date: dt.date
    due_date: dt.date
    currency: str
    notes: str | None
    employee_id: int | None
    lines: list[LinePublic]
    subtotal: Amount
    tax_total: Amount
    total: Amount
    amount_paid: Amount
    credited_total: Amount
    balance_due: Amount
    payments: list[PaymentPublic]
    credit_notes: list[CreditNotePublic]
    issued_at: dt.datetime | None
    voided_at: dt.datetime | None
    void_reason: str | None
    created_by: str
    updated_by: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, invoice: Invoice, *, today: dt.date) -> Self:
        """The invoice as the API shows it on ``today`` (whether it is overdue depends on it)."""
        return cls.model_validate(_OnDay(invoice, today))


class _OnDay:
    """An invoice read on one day: its attributes, and whether it is overdue on that day."""

    def __init__(self, invoice: Invoice, today: dt.date) -> None:
        self._invoice = invoice
        self.is_overdue = invoice.is_overdue_on(today)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._invoice, name)
