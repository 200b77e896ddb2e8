"""Loaders shared by the endpoints: an id in the path becomes a row, or 404."""

from typing import Annotated

from fastapi import Depends, Path

from tb_platform.db import SessionDep
from tb_platform.errors import NotFound
from tb_platform.types import PG_INT_MAX

from ..core.permissions import ReadNotifications
from ..models import Notification
from ..services.notifications import get_notification

NotificationId = Annotated[int, Path(ge=1, le=PG_INT_MAX)]


async def _readable_notification(
    notification_id: NotificationId, _: ReadNotifications, session: SessionDep
) -> Notification:
    notification = await get_notification(session, notification_id=notification_id)
    if notification is None:
        raise NotFound(f"Notification {notification_id} not found")
    return notification


ReadableNotification = Annotated[Notification, Depends(_readable_notification)]
