import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from tb_platform.money import InCurrency, PositiveMoney
from tb_platform.schemas import InputModel
from tb_platform.types import PastUtcDatetime, trimmed

from ..models import PaymentKind, PaymentMethod
from .common import Amount

PaidAt = PastUtcDatetime


class PaymentCreate(InputModel):
    amount: PositiveMoney
    paid_at: PaidAt | None = Field(default=None, description="Now when absent; not in the future")
    method: PaymentMethod
    reference: Annotated[str, trimmed(200)] | None = None


class PaymentPublic(InCurrency):
    model_config = ConfigDict(from_attributes=True)

    id: int
    invoice_id: int
    kind: PaymentKind
    currency: str = Field(description="The invoice's")
    amount: Amount
    paid_at: dt.datetime
    method: PaymentMethod
    reference: str | None
    credit_note_id: int | None
    created_by: str
    created_at: dt.datetime
