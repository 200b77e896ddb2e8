"""``receipts_total{status="sent"|"failed"}``: the receipts the sender has sent, and given up on.

The sender runs in the worker process, which serves no HTTP: Prometheus scrapes the API's
``/metrics``. So the numbers are not counted in memory where the sending happens but read, at
each scrape, from the notifications themselves (the ``status`` column is indexed): they are
the same whichever process asks, and survive restarts. A receipt is never sent again once sent
or failed, so both only grow — a counter.

The app passes it to ``create_service_app(..., metrics=[receipt_metrics])``.
"""

from __future__ import annotations

from typing import Any

from prometheus_client.metrics_core import CounterMetricFamily, Metric
from sqlalchemy import func, select

from tb_platform.db import Database

from ..models import NotificationKind
from .sender import FAILED, NOTIFICATIONS, SENT


async def receipt_metrics(app: Any, service: str) -> list[Metric]:
    """The ``receipts_total`` counter of the service's notifications, by sent and failed."""
    database: Database = app.state.database
    statement = (
        select(NOTIFICATIONS.c.status, func.count())
        .where(
            NOTIFICATIONS.c.kind == NotificationKind.RECEIPT.value,
            NOTIFICATIONS.c.status.in_([SENT, FAILED]),
        )
        .group_by(NOTIFICATIONS.c.status)
    )
    async with database.sessionmaker() as session:
        counts = {str(status): int(count) for status, count in await session.execute(statement)}
        await session.rollback()
    family = CounterMetricFamily(
        "receipts",
        "Receipts e-mailed to customers (sent), and given up on after their retries (failed)",
        labels=["service", "status"],
    )
    for status in (SENT, FAILED):
        family.add_metric([service, status], counts.get(status, 0))
    return [family]
