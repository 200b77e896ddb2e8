"""Payments: recorded under the invoice's row lock, idempotent with an ``Idempotency-Key``."""

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.errors import Conflict, InvalidField, NotFound
from tb_platform.money import CENT, check_minor_unit

from ..models import (
    POSTED_STATUSES,
    Invoice,
    Payment,
    PaymentIdempotencyKey,
    PaymentKind,
)
from ..schemas.payment import PaymentCreate
from .invoices import on_invoice_paid, settle, utc_now


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


async def _lock(session: AsyncSession, invoice_id: int) -> Invoice:
    statement = (
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    invoice = (await session.scalars(statement)).one_or_none()
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} not found")
    return invoice


async def record_payment(
    session: AsyncSession,
    *,
    invoice_id: int,
    data: PaymentCreate,
    idempotency_key: str | None,
    actor: str,
) -> PaymentResult:
    """Record money received. The invoice row is locked first, so concurrent payments queue and
    can never together exceed what is due; the key is looked up under that same lock."""
    invoice = await _lock(session, invoice_id)
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
        paid_at=data.paid_at or utc_now(),
        method=data.method,
        reference=data.reference,
        created_by=actor,
    )
    session.add(payment)
    invoice.amount_paid += data.amount
    invoice.updated_by = actor
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
    if became_paid:
        await on_invoice_paid(session, invoice)
    await session.flush()
    await session.refresh(payment)
    return PaymentResult(payment=payment, replayed=False)


async def list_payments(session: AsyncSession, *, invoice_id: int) -> list[Payment]:
    statement = select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id)
    return list((await session.scalars(statement)).all())
