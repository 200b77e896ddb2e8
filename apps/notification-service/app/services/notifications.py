"""Reading notifications: the list with its filters, and one by id."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.paging import ListParams, PageResult, Sorting, paginate

from ..models import Notification, NotificationStatus

NOTIFICATION_SORTING = Sorting(
    fields={
        "id": Notification.id,  # type: ignore[dict-item]
        "created_at": Notification.created_at,  # type: ignore[dict-item]
        "updated_at": Notification.updated_at,  # type: ignore[dict-item]
        "next_attempt_at": Notification.next_attempt_at,  # type: ignore[dict-item]
    },
    default="-id",
    tiebreaker=Notification.id,  # type: ignore[arg-type]
)


async def list_notifications(
    session: AsyncSession,
    *,
    params: ListParams,
    status: NotificationStatus | None = None,
    invoice_id: int | None = None,
) -> PageResult[Notification]:
    statement = select(Notification)
    if status is not None:
        statement = statement.where(Notification.status == status)  # type: ignore[arg-type]
    if invoice_id is not None:
        statement = statement.where(Notification.invoice_id == invoice_id)  # type: ignore[arg-type]
    return await paginate(session, statement, params=params, sorting=NOTIFICATION_SORTING)


async def get_notification(session: AsyncSession, *, notification_id: int) -> Notification | None:
    return await session.get(Notification, notification_id)
