"""The events of invoices and payments: each written once, in the transaction of its change, with
the figures of the invoice after it. A request that fails writes none.

The outbox is read on the test's own connection, so it shows exactly what the requests of the
test committed (each request is a savepoint of the test's transaction).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from invoice_service.db.events import EVENTS
from invoice_service.models import Payment
from invoice_service.services import payments as payment_service
from tb_platform.events.catalog import (
    InvoiceCredited,
    InvoiceIssued,
    InvoicePaid,
    InvoiceVoided,
    PaymentRecorded,
)
from tb_platform.events.envelope import Envelope
from tb_platform.uow import FrozenClock

from .conftest import INVOICES, NOW, Factory, line

OUTBOX = EVENTS.outbox


async def events_of(connection: AsyncConnection, invoice_id: int) -> list[Envelope]:
    """The events written about ``invoice_id``, in the order they were written."""
    rows = await connection.execute(
        select(OUTBOX.c.payload).where(OUTBOX.c.subject == str(invoice_id)).order_by(OUTBOX.c.id)
    )
    return [Envelope.model_validate(payload) for (payload,) in rows]


async def types_of(connection: AsyncConnection, invoice_id: int) -> list[str]:
    return [event.type for event in await events_of(connection, invoice_id)]


async def test_issuing_publishes_invoice_issued_with_the_invoice_and_its_customer(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
    clock: FrozenClock,
) -> None:
    customer = await make.customer(name="Wayne Enterprises", email="ap@wayne.example")
    draft = await make.draft(
        customer,
        lines=[line("2", "50.00", tax_rate="20")],
        issue_date="2026-03-01",
        due_date="2026-03-31",
        employee_id=4242,
    )
    patched = await client.patch(f"{INVOICES}/{draft['id']}", json={"notes": "PO 7"}, headers=admin)
    assert patched.status_code == 200, patched.text
    # A draft is the service's own working paper: creating and editing it publish nothing.
    assert await events_of(connection, draft["id"]) == []

    issued = await make.issue(draft["id"])

    [event] = await events_of(connection, draft["id"])
    assert (event.type, event.source, event.subject) == (
        "invoice.issued",
        "invoice-service",
        str(draft["id"]),
    )
    assert event.time == clock.now() == NOW
    assert InvoiceIssued.of(event) == InvoiceIssued(
        id=draft["id"],
        number=issued["number"],
        customer_id=customer["id"],
        customer_name="Wayne Enterprises",
        customer_email="ap@wayne.example",
        employee_id=4242,
        status="issued",
        currency="EUR",
        total=Decimal("120.00"),
        amount_paid=Decimal(0),
        credited_total=Decimal(0),
        balance_due=Decimal("120.00"),
        issue_date=dt.date(2026, 3, 1),
        due_date=dt.date(2026, 3, 31),
    )


async def test_paying_in_two_parts_publishes_invoice_paid_once_at_the_second_payment(
    make: Factory, connection: AsyncConnection, clock: FrozenClock
) -> None:
    invoice = await make.issued(lines=[line("1", "100.00")])
    first = await make.pay(invoice["id"], "40.00", paid_at="2026-03-02T10:00:00+00:00")
    assert await types_of(connection, invoice["id"]) == ["invoice.issued", "payment.recorded"]

    second = await make.pay(invoice["id"], "60.00")

    _, paid_40, paid_60, settled = await events_of(connection, invoice["id"])
    assert [paid_60.type, settled.type] == ["payment.recorded", "invoice.paid"]
    recorded = PaymentRecorded.of(paid_40)
    assert (recorded.payment_id, recorded.payment_amount, recorded.paid_at) == (
        first["id"],
        Decimal("40.00"),
        dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
    )
    assert (recorded.status, recorded.amount_paid, recorded.balance_due) == (
        "partially_paid",
        Decimal("40.00"),
        Decimal("60.00"),
    )
    recorded = PaymentRecorded.of(paid_60)
    assert (recorded.payment_id, recorded.payment_amount, recorded.paid_at) == (
        second["id"],
        Decimal("60.00"),
        clock.now(),
    )
    paid = InvoicePaid.of(settled)
    assert (paid.status, paid.total, paid.amount_paid, paid.balance_due) == (
        "paid",
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal(0),
    )
    assert paid.number == invoice["number"]


async def test_a_replayed_payment_publishes_nothing_more(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, connection: AsyncConnection
) -> None:
    invoice = await make.issued(lines=[line("1", "30.00")])
    url = f"{INVOICES}/{invoice['id']}/payments"
    headers = {**admin, "Idempotency-Key": "events-once-1"}
    body = {"amount": "30.00", "method": "card"}

    first = await client.post(url, json=body, headers=headers)
    again = await client.post(url, json=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await types_of(connection, invoice["id"]) == [
        "invoice.issued",
        "payment.recorded",
        "invoice.paid",
    ]


async def test_refused_requests_publish_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, connection: AsyncConnection
) -> None:
    draft = await make.draft(lines=[line("1", "10.00")])
    invoice = await make.issued(lines=[line("1", "10.00")])
    await make.pay(invoice["id"], "4.00")
    before = await types_of(connection, invoice["id"])

    refused = [
        await client.post(
            f"{INVOICES}/{invoice['id']}/payments",
            json={"amount": "6.01", "method": "cash"},
            headers=admin,
        ),
        await client.post(
            f"{INVOICES}/{draft['id']}/payments",
            json={"amount": "1.00", "method": "cash"},
            headers=admin,
        ),
        await client.post(f"{INVOICES}/{invoice['id']}/issue", headers=admin),
        await client.post(f"{INVOICES}/{invoice['id']}/void", json={"reason": "no"}, headers=admin),
        await client.post(
            f"{INVOICES}/{invoice['id']}/credit-notes",
            json={"reason": "too much", "amount": "10.01", "tax_rate": "0"},
            headers=admin,
        ),
    ]

    assert [r.status_code for r in refused] == [422, 409, 409, 409, 422]
    assert await types_of(connection, invoice["id"]) == before
    assert await events_of(connection, draft["id"]) == []


async def test_a_request_that_fails_after_publishing_leaves_neither_change_nor_event(
    make: Factory, connection: AsyncConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = await make.issued(lines=[line("1", "10.00")])

    async def broken(*_: Any) -> None:
        raise RuntimeError("failed after payment.recorded was written")

    monkeypatch.setattr(payment_service, "on_invoice_paid", broken)
    with pytest.raises(RuntimeError, match="written"):
        await make.pay(invoice["id"], "10.00")

    assert await types_of(connection, invoice["id"]) == ["invoice.issued"]
    payments = await connection.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice["id"])  # type: ignore[arg-type]
    )
    assert payments == 0


async def test_voiding_an_issued_invoice_publishes_invoice_voided_and_a_draft_nothing(
    make: Factory, connection: AsyncConnection
) -> None:
    invoice = await make.issued(lines=[line("1", "10.00")])
    draft = await make.draft(lines=[line("1", "10.00")])

    await make.void(invoice["id"])
    await make.void(draft["id"])

    _, event = await events_of(connection, invoice["id"])
    voided = InvoiceVoided.of(event)
    assert (voided.status, voided.number, voided.total, voided.balance_due) == (
        "void",
        invoice["number"],
        Decimal("10.00"),
        Decimal("10.00"),
    )
    assert await events_of(connection, draft["id"]) == []


async def test_a_credit_note_publishes_invoice_credited_with_its_figures(
    make: Factory, connection: AsyncConnection, clock: FrozenClock
) -> None:
    invoice = await make.issued(lines=[line("4", "25.00", tax_rate="20")])
    note = await make.credit(
        invoice["id"], lines=[{"line_id": invoice["lines"][0]["id"], "quantity": "1"}]
    )

    _, event = await events_of(connection, invoice["id"])
    credited = InvoiceCredited.of(event)
    assert (credited.credit_note_id, credited.credit_amount, credited.credit_date) == (
        note["id"],
        Decimal("30.00"),
        clock.today(),
    )
    assert (credited.status, credited.credited_total, credited.balance_due) == (
        "issued",
        Decimal("30.00"),
        Decimal("90.00"),
    )


async def test_crediting_a_paid_invoice_publishes_the_refund_as_a_negative_payment(
    make: Factory, connection: AsyncConnection
) -> None:
    invoice = await make.issued(lines=[line("1", "50.00")])
    await make.pay(invoice["id"], "50.00")
    note = await make.credit(invoice["id"], amount="20.00", tax_rate="0")

    events = await events_of(connection, invoice["id"])
    assert [e.type for e in events] == [
        "invoice.issued",
        "payment.recorded",
        "invoice.paid",
        "invoice.credited",
        "payment.recorded",
    ]
    refund = PaymentRecorded.of(events[-1])
    [refund_row] = [p for p in (await make.get(invoice["id"]))["payments"] if p["kind"] == "refund"]
    assert (refund.payment_id, refund.payment_amount) == (refund_row["id"], Decimal("-20.00"))
    assert (refund.status, refund.amount_paid, refund.credited_total, refund.balance_due) == (
        "paid",
        Decimal("30.00"),
        Decimal("20.00"),
        Decimal(0),
    )
    assert note["refund_amount"] == "20.00"


async def test_a_credit_note_that_settles_the_balance_publishes_invoice_paid(
    make: Factory, connection: AsyncConnection
) -> None:
    invoice = await make.issued(lines=[line("1", "50.00")])
    await make.pay(invoice["id"], "30.00")
    await make.credit(invoice["id"], amount="20.00", tax_rate="0")

    events = await events_of(connection, invoice["id"])
    assert [e.type for e in events][-2:] == ["invoice.credited", "invoice.paid"]
    paid = InvoicePaid.of(events[-1])
    assert (paid.amount_paid, paid.credited_total, paid.balance_due) == (
        Decimal("30.00"),
        Decimal("20.00"),
        Decimal(0),
    )


async def test_an_invoice_credited_in_full_before_any_payment_publishes_no_invoice_paid(
    make: Factory, connection: AsyncConnection
) -> None:
    invoice = await make.issued(lines=[line("1", "50.00")])
    await make.credit(invoice["id"], amount="50.00", tax_rate="0")

    events = await events_of(connection, invoice["id"])
    assert [e.type for e in events] == ["invoice.issued", "invoice.credited"]


async def test_an_admin_reads_the_dead_letters_of_the_employee_consumer(
    client: httpx.AsyncClient, admin: dict[str, str], accountant: dict[str, str]
) -> None:
    dead = await client.get(
        "/api/v1/events/dead", params={"consumer": "invoice-service.employees"}, headers=admin
    )
    assert dead.status_code == 200, dead.text
    assert dead.json()["items"] == []
    assert (await client.get("/api/v1/events/dead", headers=accountant)).status_code == 403
