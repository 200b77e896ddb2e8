"""Receipts: when an invoice is paid, its customer gets one e-mail saying so, with the PDF.

The handler of ``invoice.paid`` only records the notification, in the event's unit of work (with
the consumer's inbox row): the e-mail is sent later by the sender (``services/sender.py``), so a
slow or unavailable mail server never holds back the events, and a retried event never sends.
"""

from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert

from tb_platform import audit
from tb_platform.events.catalog import InvoicePaid
from tb_platform.events.consumer import handles
from tb_platform.events.envelope import Envelope
from tb_platform.uow import UnitOfWork

from ..db.events import AUDIT
from ..models import Notification, NotificationKind, NotificationStatus

NOTIFICATIONS = Notification.__table__  # type: ignore[attr-defined]


def invoice_label(invoice: InvoicePaid) -> str:
    """How the mail names the invoice: its number (every issued invoice has one)."""
    return invoice.number or f"#{invoice.id}"


def _amount(value: Decimal, currency: str) -> str:
    # As the invoice service writes money: a plain decimal ("1234.50"; "1235" for yen).
    return f"{value} {currency}"


def receipt_subject(invoice: InvoicePaid) -> str:
    return f"Payment received — invoice {invoice_label(invoice)}"


def receipt_body(invoice: InvoicePaid) -> str:
    """The text of the receipt: who, which invoice, how much was paid, what is left."""
    greeting = f"Dear {invoice.customer_name}," if invoice.customer_name else "Hello,"
    return "\n".join(
        [
            greeting,
            "",
            f"thank you: we have received your payment for invoice {invoice_label(invoice)}"
            f" of {invoice.issue_date.isoformat()}, which is now paid in full.",
            "",
            f"Invoice:      {invoice_label(invoice)}",
            f"Invoice date: {invoice.issue_date.isoformat()}",
            f"Total:        {_amount(invoice.total, invoice.currency)}",
            f"Amount paid:  {_amount(invoice.amount_paid, invoice.currency)}",
            f"Balance due:  {_amount(invoice.balance_due, invoice.currency)}",
            "",
            "The invoice is attached as a PDF for your records.",
            "",
            "This message was sent automatically; please do not reply to it.",
            "",
        ]
    )


async def record_receipt(uow: UnitOfWork, *, event: Envelope) -> int | None:
    """Record the receipt for the paid invoice of ``event``: the new notification's id, or None
    when the invoice already has its receipt (a second ``invoice.paid``, e.g. after a refund)."""
    invoice = InvoicePaid.of(event)
    recipient = (invoice.customer_email or "").strip() or None
    values = {
        "event_id": event.id,
        "kind": NotificationKind.RECEIPT.value,
        "invoice_id": invoice.id,
        "recipient": recipient,
        "subject": receipt_subject(invoice),
        "body": receipt_body(invoice),
        "status": NotificationStatus.PENDING.value,
    }
    notification_id: int | None = await uow.session.scalar(
        insert(NOTIFICATIONS)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["kind", "invoice_id"])
        .returning(NOTIFICATIONS.c.id)
    )
    if notification_id is not None:
        # A Core insert passes by the session's flush, where creations are captured.
        audit.record(
            uow.session,
            AUDIT,
            entity="notifications",
            entity_id=notification_id,
            action="create",
            after={"id": notification_id, **values},
        )
    return notification_id


@handles("invoice.paid")
async def queue_receipt(uow: UnitOfWork, event: Envelope) -> None:
    """``invoice.paid`` → a pending receipt (once per invoice), for the sender to send."""
    await record_receipt(uow, event=event)
