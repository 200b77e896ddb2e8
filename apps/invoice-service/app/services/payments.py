"""Payments: recorded under the invoice's row lock, idempotent with an ``Idempotency-Key``."""

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tb_platform.errors import Conflict, InvalidField
from tb_platform.events.catalog import PaymentRecorded
from tb_platform.money import CENT, check_minor_unit
from tb_platform.paging import ListParams, PageResult, Sorting, paginate
from tb_platform.uow import UnitOfWork

from ..models import (
    POSTED_STATUSES,
    Invoice,
    Payment,
    PaymentIdempotencyKey,
    PaymentKind,
)
from ..schemas.payment import PaymentCreate
from .invoices import event_fields, lock_invoice, on_invoice_paid, settle

PAYMENT_SORTING = Sorting(
    fields={
        "id": Payment.id,  # type: ignore[dict-item]
        "paid_at": Payment.paid_at,  # type: ignore[dict-item]
    },
    default="id",
    tiebreaker=Payment.id,  # type: ignore[arg-type]
)


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    replayed: bool  # an earlier request with the same Idempotency-Key recorded it


def fingerprint(data: PaymentCreate) -> str:
    """sha256 of the request body in canonical form (100, 100.0 and "100.00" are one amount)."""
    canonical = {
        "amount": str(data.amount.quantize(CENT)),
        "paid_at": data.paid_at.isoformat() if data.paid_at else None,
        "method": data.method.value,
        "reference": data.reference,
    }
    body = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


async def publish_payment(uow: UnitOfWork, invoice: Invoice, payment: Payment) -> None:
    """``payment.recorded`` for ``payment`` (a refund: a negative amount), with the invoice's
    totals after it. The subject is the invoice, so its events stay in order."""
    assert payment.id is not None
    await uow.publish(
        PaymentRecorded(
            **event_fields(invoice),
            payment_id=payment.id,
            payment_amount=payment.amount,
            paid_at=payment.paid_at,
        )
    )


async def record_payment(
    uow: UnitOfWork,
    *,
    invoice_id: int,
    data: PaymentCreate,
    idempotency_key: str | None,
) -> PaymentResult:
    """Record money received; publishes ``payment.recorded``, and ``invoice.paid`` when it pays
    the balance in full.

    The invoice row is locked first, so concurrent payments queue and can never together exceed
    what is due; the key is looked up under that same lock. A replay (same key, same body)
    answers the payment recorded before and changes and publishes nothing.
    """
    session = uow.session
    invoice = await lock_invoice(uow, invoice_id=invoice_id)
    digest = fingerprint(data)
    if idempotency_key is not None:
        used = await session.get(PaymentIdempotencyKey, (invoice_id, idempotency_key))
        if used is not None:
            if used.fingerprint != digest:
                raise Conflict(
                    "This Idempotency-Key was already used for a different payment",
                    code="idempotency_key_reused",
                )
            payment = await session.get(Payment, used.payment_id)
            assert payment is not None
            return PaymentResult(payment=payment, replayed=True)

    if invoice.status not in POSTED_STATUSES:
        raise Conflict(
            f"Invoice {invoice.number or invoice.id} is {invoice.status.value}; payments can only"
            " be recorded against an issued invoice",
            code="invoice_not_payable",
        )
    check_minor_unit(data.amount, invoice.currency, "amount")
    if data.amount > invoice.balance_due:
        raise InvalidField(
            "amount",
            f"{data.amount} {invoice.currency} is more than the balance due"
            f" ({invoice.balance_due} {invoice.currency})",
        )
    assert invoice.id is not None
    payment = Payment(
        invoice_id=invoice.id,
        kind=PaymentKind.PAYMENT,
        amount=data.amount,
        paid_at=data.paid_at or uow.clock.now(),
        method=data.method,
        reference=data.reference,
        created_by=uow.actor.sub,
    )
    session.add(payment)
    invoice.amount_paid += data.amount
    invoice.updated_by = uow.actor.sub
    became_paid = settle(invoice)
    await session.flush()
    if idempotency_key is not None:
        assert payment.id is not None
        session.add(
            PaymentIdempotencyKey(
                invoice_id=invoice.id,
                key=idempotency_key,
                fingerprint=digest,
                payment_id=payment.id,
            )
        )
    await publish_payment(uow, invoice, payment)
    if became_paid:
        await on_invoice_paid(uow, invoice)
    await session.flush()
    await session.refresh(payment)
    return PaymentResult(payment=payment, replayed=False)


async def list_payments(
    session: AsyncSession, *, invoice_id: int, params: ListParams
) -> PageResult[Payment]:
    """An invoice's payments and refunds, by ``id`` (default, oldest first) or ``paid_at``."""
    statement = select(Payment).where(col(Payment.invoice_id) == invoice_id)
    return await paginate(session, statement, params=params, sorting=PAYMENT_SORTING)
