"""The notification service's tables (SQLModel) and, with them, its event tables."""

from ..db.events import EVENTS
from .notification import Notification, NotificationKind, NotificationStatus

__all__ = ["EVENTS", "Notification", "NotificationKind", "NotificationStatus"]
