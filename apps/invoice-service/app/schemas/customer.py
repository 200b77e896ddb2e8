import datetime as dt
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from tb_platform.money import Currency
from tb_platform.schemas import InputModel, PatchModel
from tb_platform.types import Email, trimmed

CustomerName = Annotated[str, trimmed(200)]
BillingAddress = Annotated[str, trimmed(1000)]
TaxId = Annotated[str, trimmed(50)]
PaymentTerms = Annotated[int, Field(ge=0, le=365, description="Days from issue to due date")]


class CustomerCreate(InputModel):
    name: CustomerName
    email: Email | None = None
    billing_address: BillingAddress | None = None
    tax_id: TaxId | None = None
    currency: Currency = "EUR"
    payment_terms_days: PaymentTerms = 30


class CustomerUpdate(PatchModel):
    not_nullable: ClassVar[frozenset[str]] = frozenset({"name", "currency", "payment_terms_days"})

    name: CustomerName | None = None
    email: Email | None = None
    billing_address: BillingAddress | None = None
    tax_id: TaxId | None = None
    currency: Currency | None = None
    payment_terms_days: PaymentTerms | None = None


class CustomerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    billing_address: str | None
    tax_id: str | None
    currency: str
    payment_terms_days: int
    created_at: dt.datetime
    updated_at: dt.datetime
