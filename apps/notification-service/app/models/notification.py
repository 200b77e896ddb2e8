import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Column, DateTime, Index, Integer, Text, UniqueConstraint, Uuid, func, text
from sqlmodel import Field

from tb_platform.columns import created_at_field, string_enum, updated_at_field

from ..db import TableModel


class NotificationKind(StrEnum):
    RECEIPT = "receipt"  # to the customer, when an invoice is paid in full


class NotificationStatus(StrEnum):
    PENDING = "pending"  # waiting for the sender (first try, or a retry at next_attempt_at)
    SENDING = "sending"  # handed to the SMTP server; what happens next is not known yet
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # given up: see last_error


class Notification(TableModel, table=True):
    """One message to one person about one thing, and how sending it went.

    (kind, invoice_id) is unique: whatever number of events arrive for an invoice, it gets one
    receipt. The event's handler only inserts the row; the sender sends it (services/sender.py).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("kind", "invoice_id"),
        # The sender's scan: due pending rows, without walking the sent history.
        Index(
            "ix_notifications_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The event that asked for it (the first one, when several did).
    event_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    kind: NotificationKind = Field(
        sa_column=Column(string_enum(NotificationKind, "notification_kind"), nullable=False)
    )
    invoice_id: int = Field(index=True)
    # NULL until the sender has looked the customer's address up (the event had none).
    recipient: str | None = Field(default=None, max_length=254)
    subject: str = Field(max_length=300)
    # The text of the message, written when the event arrives: what the customer reads.
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: NotificationStatus = Field(
        default=NotificationStatus.PENDING,
        sa_column=Column(
            string_enum(NotificationStatus, "notification_status"),
            nullable=False,
            index=True,
            server_default=NotificationStatus.PENDING.value,
        ),
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    next_attempt_at: dt.datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()
