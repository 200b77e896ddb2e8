from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from tb_platform.db import SessionDep, replica_read
from tb_platform.paging import ListParamsDep, Page
from tb_platform.types import Id

from ....core.permissions import WriteInvoices
from ....models import Payment
from ....schemas.payment import PaymentCreate, PaymentPublic
from ....services import payments as service
from ...deps import ReadableInvoice, UnitOfWorkDep

router = APIRouter(prefix="/invoices/{invoice_id}/payments", tags=["payments"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e][\x20-\x7e]*$",
        description="Send the same key again to retry safely: one payment is recorded",
    ),
]


def _public(payment: Payment) -> PaymentPublic:
    return PaymentPublic.model_validate(payment)


@router.get("", response_model=Page[PaymentPublic])
@replica_read
async def list_payments(
    invoice: ReadableInvoice, session: SessionDep, params: ListParamsDep
) -> Page[PaymentPublic]:
    """Payments and refunds (negative amounts); sort by ``id`` (default, oldest first) or
    ``paid_at``."""
    assert invoice.id is not None
    result = await service.list_payments(session, invoice_id=invoice.id, params=params)
    return result.to_page(_public)


@router.post("", response_model=PaymentPublic, status_code=status.HTTP_201_CREATED)
async def record_payment(
    invoice_id: Id,
    body: PaymentCreate,
    _: WriteInvoices,
    uow: UnitOfWorkDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PaymentPublic:
    """Record money received. More than the balance due → 422; a draft or void invoice → 409.

    With an ``Idempotency-Key``, a retry with the same body answers the same payment (header
    ``Idempotent-Replayed: true``) and a reuse with another body is refused (409).
    """
    result = await service.record_payment(
        uow, invoice_id=invoice_id, data=body, idempotency_key=idempotency_key
    )
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return _public(result.payment)
