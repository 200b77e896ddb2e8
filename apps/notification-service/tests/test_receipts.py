"""From ``invoice.paid`` to the customer's mailbox: one receipt per invoice, with the PDF, through
a real SMTP server, retried while something is down, and never sent twice."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from notification_service.core.config import NotificationSettings
from notification_service.db.events import EVENTS
from notification_service.services.sender import INTERRUPTED, NO_ADDRESS, Sender
from notification_service.worker import RECEIPTS_CONSUMER
from tb_platform.db import Database
from tb_platform.events.envelope import Envelope

from .conftest import (
    FROM,
    InvoiceStandIn,
    Refusing,
    Sink,
    changed,
    eventually,
    free_port,
    new_invoice_id,
    notifications_of,
    number_of,
    paid_event,
    running_worker,
    smtp_server,
)

pytestmark = pytest.mark.usefixtures("committed")


async def _status(
    client: httpx.AsyncClient, admin: dict[str, str], invoice_id: int, status: str
) -> dict[str, Any] | None:
    items = await notifications_of(client, admin, invoice_id)
    return items[0] if items and items[0]["status"] == status else None


async def test_a_paid_invoice_sends_its_customer_one_receipt_with_the_invoice_pdf(
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
    smtp_sink: tuple[Sink, int],
    invoice_service: InvoiceStandIn,
) -> None:
    sink, _ = smtp_sink
    invoice_id = new_invoice_id()
    number = number_of(invoice_id)
    invoice_service.numbers[invoice_id] = number
    event = paid_event(invoice_id, amount="1234.50")

    async with running_worker(settings) as transport:
        await transport.publish(event)
        sent = await eventually(lambda: _status(committed, admin, invoice_id, "sent"))

    [mail] = sink.about(number)
    customer = f"billing+{invoice_id}@acme.test"
    assert (mail.mail_from, mail.rcpt_tos) == ("billing@tb-erp.test", [customer])
    message = mail.message
    assert (message["From"], message["To"]) == (FROM, customer)
    assert number in message["Subject"]
    assert message["Message-ID"] == f"<receipt.{invoice_id}.{sent['id']}@tb-erp.test>"
    text_part = message.get_body(preferencelist=("plain",))
    assert text_part is not None
    body = text_part.get_content()
    assert number in body
    assert "Amount paid:  1234.50 EUR" in body
    assert "Dear Acme Trading Ltd," in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{number}.pdf"
    pdf = attachment.get_content()
    assert pdf == invoice_service.pdf
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1

    # Recorded as sent, once, from this event.
    assert sent["event_id"] == str(event.id)
    assert (sent["kind"], sent["recipient"], sent["attempts"]) == ("receipt", customer, 1)
    assert sent["sent_at"] is not None
    assert sent["last_error"] is None
    assert number in sent["subject"]
    assert "1234.50 EUR" in sent["body"]
    # The PDF was fetched as the service itself, with a token the invoice service accepts.
    assert (f"/api/v1/invoices/{invoice_id}/pdf", "system:notification-service") in [
        (path, sub) for path, sub, _ in invoice_service.callers
    ]
    assert all(roles == {"accountant"} for _, _, roles in invoice_service.callers)


async def test_the_same_event_three_times_and_a_second_paid_event_still_send_one_receipt(
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
    smtp_sink: tuple[Sink, int],
    app: Any,
) -> None:
    sink, _ = smtp_sink
    invoice_id, marker = new_invoice_id(), new_invoice_id()
    first = paid_event(invoice_id)
    again = paid_event(invoice_id)  # paid again after a refund: another event, same invoice

    async with running_worker(settings) as transport:
        for event in (first, first, first, again):
            await transport.publish(event)
        await eventually(lambda: _status(committed, admin, invoice_id, "sent"))
        # The stream is read in order: once the marker is sent, every event before it was seen.
        await transport.publish(paid_event(marker))
        await eventually(lambda: _status(committed, admin, marker, "sent"))
        await asyncio.sleep(0.3)  # room for a second mail, were there one

    assert len(sink.about(number_of(invoice_id))) == 1
    [notification] = await notifications_of(committed, admin, invoice_id)
    assert notification["event_id"] == str(first.id)
    assert notification["attempts"] == 1
    inbox = EVENTS.inbox
    async with app.state.database.sessionmaker() as session:
        seen = await session.scalar(
            select(func.count())
            .select_from(inbox)
            .where(
                inbox.c.consumer == RECEIPTS_CONSUMER, inbox.c.event_id.in_([first.id, again.id])
            )
        )
    assert seen == 2  # both events were applied; the second found the receipt already there


async def test_while_the_mail_server_is_down_the_receipt_waits_and_goes_out_once_it_is_up(
    settings: NotificationSettings, committed: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    port = free_port()  # nothing listens there yet
    invoice_id = new_invoice_id()
    down = changed(settings, smtp_url=f"smtp://127.0.0.1:{port}", notification_max_attempts=50)

    async with running_worker(down) as transport:
        await transport.publish(paid_event(invoice_id))

        async def retried() -> dict[str, Any] | None:
            items = await notifications_of(committed, admin, invoice_id)
            return items[0] if items and items[0]["attempts"] >= 3 else None

        waiting = await retried_pending(retried)
        assert waiting["status"] in ("pending", "sending")
        assert waiting["sent_at"] is None
        assert "Connect" in waiting["last_error"] or "refused" in waiting["last_error"].lower()

        sink = Sink()
        async with smtp_server(sink, port=port):
            sent = await eventually(lambda: _status(committed, admin, invoice_id, "sent"))

    assert len(sink.about(number_of(invoice_id))) == 1
    assert sent["attempts"] >= 3
    assert sent["last_error"] is None


async def retried_pending(check: Any) -> dict[str, Any]:
    result: dict[str, Any] = await eventually(check)
    return result


async def test_failed_attempts_back_off_exponentially(
    settings: NotificationSettings, committed: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """Each failure pushes next_attempt_at further: base, 2 x base, 4 x base (capped)."""
    invoice_id = new_invoice_id()
    down = changed(
        settings,
        smtp_url=f"smtp://127.0.0.1:{free_port()}",
        notification_retry_base_seconds=0.2,
        notification_retry_cap_seconds=10,
        notification_max_attempts=50,
    )
    gaps: dict[int, float] = {}
    async with running_worker(down) as transport:
        await transport.publish(paid_event(invoice_id))

        async def three_gaps() -> bool:
            items = await notifications_of(committed, admin, invoice_id)
            if items and items[0]["status"] == "pending" and items[0]["last_error"]:
                row = items[0]
                gap = _seconds_between(row["updated_at"], row["next_attempt_at"])
                if gap < 60:  # not while a sender holds it (its lease is 300 s)
                    gaps[row["attempts"]] = gap
            return len([n for n in gaps if n in (1, 2, 3)]) == 3

        await eventually(three_gaps, every=0.01)

    assert gaps[1] == pytest.approx(0.2, abs=0.05)
    assert gaps[2] == pytest.approx(0.4, abs=0.05)
    assert gaps[3] == pytest.approx(0.8, abs=0.05)


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


async def test_a_mail_server_that_stays_down_fails_the_receipt_after_the_last_attempt(
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
) -> None:
    invoice_id = new_invoice_id()
    down = changed(
        settings, smtp_url=f"smtp://127.0.0.1:{free_port()}", notification_max_attempts=3
    )
    async with running_worker(down) as transport:
        await transport.publish(paid_event(invoice_id))
        failed = await eventually(lambda: _status(committed, admin, invoice_id, "failed"))
        await asyncio.sleep(0.5)  # no attempt after the last

    [again] = await notifications_of(committed, admin, invoice_id)
    assert failed["attempts"] == again["attempts"] == 3
    assert again["status"] == "failed"
    assert again["last_error"]


async def test_an_invoice_pdf_that_cannot_be_fetched_is_retried_and_then_sent(
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
    smtp_sink: tuple[Sink, int],
    invoice_service: InvoiceStandIn,
) -> None:
    sink, _ = smtp_sink
    invoice_id = new_invoice_id()
    invoice_service.pdf_failures[invoice_id] = 2  # two 503s, then the PDF

    async with running_worker(settings) as transport:
        await transport.publish(paid_event(invoice_id))

        async def saw_a_failure() -> dict[str, Any] | None:
            items = await notifications_of(committed, admin, invoice_id)
            return items[0] if items and items[0]["last_error"] else None

        failing = await eventually(saw_a_failure, every=0.005)
        sent = await eventually(lambda: _status(committed, admin, invoice_id, "sent"))

    assert "503" in failing["last_error"]
    assert failing["sent_at"] is None
    assert sent["attempts"] == 3
    [mail] = sink.about(number_of(invoice_id))
    assert [part.get_content_type() for part in mail.message.iter_attachments()] == [
        "application/pdf"
    ]


async def test_without_an_address_in_the_event_the_customer_is_looked_up(
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
    smtp_sink: tuple[Sink, int],
    invoice_service: InvoiceStandIn,
) -> None:
    sink, _ = smtp_sink
    invoice_id = new_invoice_id()
    address = f"accounts-{invoice_id}@globex.test"
    invoice_service.customers[invoice_id] = {"id": 7000 + invoice_id % 1000, "email": address}

    async with running_worker(settings) as transport:
        await transport.publish(paid_event(invoice_id, email=None))
        sent = await eventually(lambda: _status(committed, admin, invoice_id, "sent"))

    assert sent["recipient"] == address
    [mail] = sink.about(number_of(invoice_id))
    assert mail.rcpt_tos == [address]
    paths = [path for path, _, _ in invoice_service.callers]
    assert f"/api/v1/invoices/{invoice_id}" in paths
    assert f"/api/v1/customers/{invoice_service.customers[invoice_id]['id']}" in paths


async def test_a_customer_without_any_address_fails_at_once_and_is_not_retried(
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
    smtp_sink: tuple[Sink, int],
    invoice_service: InvoiceStandIn,
) -> None:
    sink, _ = smtp_sink
    invoice_id = new_invoice_id()
    invoice_service.customers[invoice_id] = {"id": 8000 + invoice_id % 1000, "email": None}

    async with running_worker(settings) as transport:
        await transport.publish(paid_event(invoice_id, email=None))
        failed = await eventually(lambda: _status(committed, admin, invoice_id, "failed"))
        await asyncio.sleep(0.4)

    [again] = await notifications_of(committed, admin, invoice_id)
    assert failed["attempts"] == again["attempts"] == 1
    assert again["last_error"] == NO_ADDRESS
    assert again["recipient"] is None
    assert sink.about(number_of(invoice_id)) == []


async def test_a_receipt_the_server_may_have_taken_is_never_sent_again(
    settings: NotificationSettings, committed: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """The server gets the whole message, then answers too late: the sender cannot know whether
    it was accepted, so it records the doubt and does not send a second copy."""
    slow = Sink(delay=1.0)
    invoice_id = new_invoice_id()
    async with smtp_server(slow) as controller:
        flaky = changed(
            settings,
            smtp_url=f"smtp://127.0.0.1:{controller.port}",
            smtp_timeout_seconds=0.4,
        )
        async with running_worker(flaky) as transport:
            await transport.publish(paid_event(invoice_id))
            failed = await eventually(lambda: _status(committed, admin, invoice_id, "failed"))
            await asyncio.sleep(0.5)

    assert len(slow.about(number_of(invoice_id))) == 1
    assert failed["attempts"] == 1
    assert "may or may not have been delivered" in failed["last_error"]
    [again] = await notifications_of(committed, admin, invoice_id)
    assert (again["status"], again["attempts"]) == ("failed", 1)


async def test_a_send_interrupted_by_a_crash_is_given_up_not_repeated(
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
    app: Any,
    smtp_sink: tuple[Sink, int],
) -> None:
    """A worker died between handing the receipt to the server and recording the answer: after
    the timeout the receipt is failed with that explanation, and no second mail goes out."""
    sink, _ = smtp_sink
    stale, fresh = new_invoice_id(), new_invoice_id()
    async with app.state.database.engine.begin() as connection:
        for invoice_id, age in ((stale, timedelta(hours=2)), (fresh, timedelta(seconds=1))):
            await connection.execute(
                text(
                    "INSERT INTO notification_schema.notifications (event_id, kind, invoice_id,"
                    " recipient, subject, body, status, attempts, updated_at) VALUES (:event,"
                    " 'receipt', :invoice, 'a@b.test', :subject, 'text', 'sending', 1,"
                    " now() - CAST(:age AS interval))"
                ),
                {
                    "event": uuid.uuid4(),
                    "invoice": invoice_id,
                    "subject": f"Payment received — invoice {number_of(invoice_id)}",
                    "age": age,
                },
            )

    database = Database.connect(settings.require_database_url(), pool_size=1)
    sender = Sender(database, changed(settings, notification_sending_timeout_seconds=600))
    try:
        await sender.send_due()
    finally:
        await sender.invoices.aclose()
        await database.dispose()

    [given_up] = await notifications_of(committed, admin, stale)
    [in_flight] = await notifications_of(committed, admin, fresh)
    assert (given_up["status"], given_up["last_error"]) == ("failed", INTERRUPTED)
    assert (in_flight["status"], in_flight["attempts"]) == ("sending", 1)
    assert sink.about(number_of(stale)) == sink.about(number_of(fresh)) == []


async def test_a_recipient_the_mail_server_refuses_for_good_fails_without_retrying(
    settings: NotificationSettings, committed: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    invoice_id = new_invoice_id()
    refusing = Refusing("550 5.1.1 No such mailbox")
    async with smtp_server(refusing) as controller:
        strict = changed(settings, smtp_url=f"smtp://127.0.0.1:{controller.port}")
        async with running_worker(strict) as transport:
            await transport.publish(paid_event(invoice_id))
            failed = await eventually(lambda: _status(committed, admin, invoice_id, "failed"))
            await asyncio.sleep(0.3)

    [again] = await notifications_of(committed, admin, invoice_id)
    assert failed["attempts"] == again["attempts"] == 1
    assert "550" in again["last_error"]
    assert refusing.received == []


async def test_an_event_the_service_cannot_read_is_dead_lettered_for_an_admin_to_see(
    settings: NotificationSettings, committed: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    broken = Envelope(
        id=uuid.uuid4(),
        type="invoice.paid",
        source="invoice-service",
        subject="1",
        time=datetime.now(UTC),
        data={"id": 1, "number": "INV-2026-000001"},  # no amounts, no customer
    )
    async with running_worker(settings) as transport:
        await transport.publish(broken)

        async def dead_letters() -> list[dict[str, Any]]:
            response = await committed.get(
                "/api/v1/events/dead", params={"consumer": RECEIPTS_CONSUMER}, headers=admin
            )
            assert response.status_code == 200, response.text
            items: list[dict[str, Any]] = response.json()["items"]
            return items

        [letter] = await eventually(dead_letters)

    assert (letter["event_id"], letter["type"], letter["attempts"]) == (
        str(broken.id),
        "invoice.paid",
        settings.event_max_attempts,
    )
    assert "ValidationError" in letter["error"]
    assert await notifications_of(committed, admin, 1) == []


def _receipts(metrics_text: str) -> dict[str, float]:
    """``receipts_total`` by status, from a ``/metrics`` answer."""
    found: dict[str, float] = {}
    for line in metrics_text.splitlines():
        if line.startswith("receipts_total{"):
            labels, value = line.rsplit(" ", 1)
            status = labels.split('status="', 1)[1].split('"', 1)[0]
            found[status] = float(value)
    return found


async def test_metrics_count_the_receipts_sent_and_the_ones_given_up_on(
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
) -> None:
    before = _receipts((await committed.get("/metrics")).text)
    sent_id, failed_id = new_invoice_id(), new_invoice_id()
    async with running_worker(settings) as transport:
        await transport.publish(paid_event(sent_id))
        await eventually(lambda: _status(committed, admin, sent_id, "sent"))
    down = changed(
        settings, smtp_url=f"smtp://127.0.0.1:{free_port()}", notification_max_attempts=1
    )
    async with running_worker(down) as transport:
        await transport.publish(paid_event(failed_id))
        await eventually(lambda: _status(committed, admin, failed_id, "failed"))

    after = _receipts((await committed.get("/metrics")).text)
    assert after.get("sent", 0) - before.get("sent", 0) == 1
    assert after.get("failed", 0) - before.get("failed", 0) == 1
