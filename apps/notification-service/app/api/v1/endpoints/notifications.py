from typing import Annotated

from fastapi import APIRouter, Query

from tb_platform.db import SessionDep, replica_read
from tb_platform.paging import ListParamsDep, Page
from tb_platform.types import Id

from ....core.permissions import ReadNotifications
from ....models import Notification, NotificationStatus
from ....schemas.notification import NotificationPublic
from ....services import notifications as service
from ...deps import ReadableNotification

router = APIRouter(prefix="/notifications", tags=["notifications"])


def public_notification(notification: Notification) -> NotificationPublic:
    return NotificationPublic.model_validate(notification)


@router.get("", response_model=Page[NotificationPublic])
@replica_read
async def list_notifications(
    _: ReadNotifications,
    session: SessionDep,
    params: ListParamsDep,
    status: Annotated[NotificationStatus | None, Query()] = None,
    invoice_id: Annotated[Id | None, Query()] = None,
) -> Page[NotificationPublic]:
    """Newest first. Sort by ``id`` (default ``-id``), ``created_at``, ``updated_at`` or
    ``next_attempt_at``; prefix ``-`` for descending."""
    result = await service.list_notifications(
        session, params=params, status=status, invoice_id=invoice_id
    )
    return result.to_page(public_notification)


@router.get("/{notification_id}", response_model=NotificationPublic)
async def read_notification(notification: ReadableNotification) -> NotificationPublic:
    return public_notification(notification)
