import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict

from ..models import NotificationKind, NotificationStatus


class NotificationPublic(BaseModel):
    """A notification, what it says, and how sending it went."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: uuid.UUID
    kind: NotificationKind
    invoice_id: int
    recipient: str | None
    subject: str
    body: str
    status: NotificationStatus
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
