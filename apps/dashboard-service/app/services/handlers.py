"""The dashboard's event handlers: each keeps one aggregate's row of the read model current.

They run in the Consumer's unit of work (the inbox already made the event id once-only); the row
is written only when the event is not older than what the row holds (see ``read_model``). When
something changed, the read model's version is bumped in the same transaction (a cached summary
of an older version is not served) and the cached summary is dropped, now and again once the
unit has committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event as sa_event

from tb_platform.events.catalog import AssetData, EmployeeData, InvoiceData, PaymentRecorded
from tb_platform.events.consumer import handles, handles_many
from tb_platform.events.envelope import Envelope
from tb_platform.uow import UnitOfWork

from ..core.cache import summary_cache, summary_key
from . import read_model

EMPLOYEE_EVENTS = ("employee.created", "employee.updated", "employee.deleted")
ASSET_EVENTS = (
    "asset.created",
    "asset.updated",
    "asset.assigned",
    "asset.returned",
    "asset.disposed",
)
INVOICE_EVENTS = (
    "invoice.issued",
    "invoice.voided",
    "invoice.credited",
    "invoice.paid",
    "payment.recorded",
)

_CHANGED = "dashboard.read_model_changed"

# The after-commit deletions in flight (a task nobody references may be collected mid-way).
_pending: set[asyncio.Task[None]] = set()


@handles(*EMPLOYEE_EVENTS)
async def employee_changed(uow: UnitOfWork, event: Envelope) -> None:
    """Headcount: the employee's status and department (employee.deleted: terminated)."""
    employee = EmployeeData.of(event)
    status = read_model.TERMINATED if event.type == "employee.deleted" else employee.status
    if await read_model.record_employee(
        uow.session, employee=employee, status=status, as_of=event.time, changed_at=uow.clock.now()
    ):
        await read_model_changed(uow)


@handles_many(*ASSET_EVENTS)
async def asset_changed(uow: UnitOfWork, events: Sequence[Envelope]) -> None:
    """Asset figures: status, category, cost and book value (disposed assets leave the totals).

    The events a batch brings at once (an import is thousands of asset.created) are written
    together: one statement per table."""
    assets = [(AssetData.of(event), event.time) for event in events]
    if await read_model.record_assets(uow.session, assets=assets, changed_at=uow.clock.now()):
        await read_model_changed(uow)


@handles(*INVOICE_EVENTS)
async def invoice_changed(uow: UnitOfWork, event: Envelope) -> None:
    """Invoicing: the invoice's latest totals, which every invoice event (and a payment) carries."""
    invoice = InvoiceData.of(event)
    status = read_model.invoice_status(invoice, event.type)
    if await read_model.record_invoice(
        uow.session, invoice=invoice, status=status, as_of=event.time, changed_at=uow.clock.now()
    ):
        await read_model_changed(uow)


@handles("payment.recorded")
async def payment_recorded(uow: UnitOfWork, event: Envelope) -> None:
    """Collected: the payment itself, by its id (a refund arrives as a negative amount)."""
    payment = PaymentRecorded.of(event)
    if await read_model.record_payment(
        uow.session,
        payment_id=payment.payment_id,
        invoice_id=payment.id,
        currency=payment.currency,
        amount=payment.payment_amount,
        paid_at=payment.paid_at,
        as_of=event.time,
        changed_at=uow.clock.now(),
    ):
        await read_model_changed(uow)


async def read_model_changed(uow: UnitOfWork) -> None:
    """Rows changed in ``uow``: bump the read model's version (a cached summary of an older one
    is no longer served) and drop the cached summary, now and once ``uow`` has committed."""
    if uow.session.info.get(_CHANGED):
        return  # another handler of this unit did it already
    uow.session.info[_CHANGED] = True
    await read_model.mark_changed(uow.session, at=uow.clock.now())
    cache = summary_cache()
    key = summary_key(cache)
    await cache.delete([key])
    loop = asyncio.get_running_loop()

    def after_commit(_: Any) -> None:
        task = loop.create_task(cache.delete([key]))
        _pending.add(task)
        task.add_done_callback(_pending.discard)

    sa_event.listen(uow.session.sync_session, "after_commit", after_commit, once=True)
