import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from tb_platform.money import InCurrency, Percent, PositiveMoney
from tb_platform.schemas import InputModel
from tb_platform.types import Id

from .common import Amount, DecimalText, Quantity, Reason

MAX_CREDIT_LINES = 500


class CreditLineInput(InputModel):
    line_id: Id
    quantity: Quantity | None = Field(default=None, description="The whole line when absent")


class CreditNoteCreate(InputModel):
    """Either ``lines`` (quantities of invoice lines) or ``amount`` (gross) at ``tax_rate``."""

    reason: Reason
    lines: list[CreditLineInput] | None = Field(default=None, max_length=MAX_CREDIT_LINES)
    amount: PositiveMoney | None = None
    tax_rate: Percent | None = Field(
        default=None,
        description="One of the invoice's tax rates; may be left out when it has only one",
    )


class CreditNoteLinePublic(BaseModel):
    """A line of a credit note, in the currency of its note."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    line_id: int | None
    description: str
    quantity: DecimalText | None
    unit_price: Amount | None
    tax_rate: DecimalText
    net_amount: Amount
    tax_amount: Amount
    total: Amount


class CreditNotePublic(InCurrency):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    invoice_id: int
    currency: str = Field(description="The invoice's")
    issue_date: dt.date
    reason: str
    lines: list[CreditNoteLinePublic]
    subtotal: Amount
    tax_total: Amount
    total: Amount
    refund_amount: Amount
    created_at: dt.datetime
