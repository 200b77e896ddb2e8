"""The notification service's audit trail: a receipt's creation by the event consumer and every
change of its status by the sender are on record, in an intact chain."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from notification_service.core.config import NotificationSettings
from notification_service.db.events import AUDIT
from tb_platform.audit import verify_chain

from .conftest import (
    InvoiceStandIn,
    Sink,
    eventually,
    new_invoice_id,
    notifications_of,
    number_of,
    paid_event,
    running_worker,
)

pytestmark = pytest.mark.usefixtures("committed")


async def _entries(client: httpx.AsyncClient, admin: dict[str, str], **filters: Any) -> list[Any]:
    response = await client.get("/api/v1/audit", params=filters, headers=admin)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _sent(client: httpx.AsyncClient, admin: dict[str, str], invoice_id: int) -> Any:
    items = await notifications_of(client, admin, invoice_id)
    return items[0] if items and items[0]["status"] == "sent" else None


async def test_a_receipt_and_each_change_of_its_status_are_recorded(
    app: FastAPI,
    settings: NotificationSettings,
    committed: httpx.AsyncClient,
    admin: dict[str, str],
    smtp_sink: tuple[Sink, int],
    invoice_service: InvoiceStandIn,
) -> None:
    invoice_id = new_invoice_id()
    invoice_service.numbers[invoice_id] = number_of(invoice_id)

    async with running_worker(settings) as transport:
        await transport.publish(paid_event(invoice_id))
        sent = await eventually(lambda: _sent(committed, admin, invoice_id))

    entries = await _entries(committed, admin, entity="notifications", entity_id=str(sent["id"]))
    oldest_first = list(reversed(entries))
    created = oldest_first[0]
    assert created["action"] == "create"
    assert created["after"]["status"] == "pending"
    assert created["after"]["invoice_id"] == invoice_id
    statuses = [
        entry["after"]["status"]
        for entry in oldest_first
        if entry["action"] == "state_change" and "status" in entry["after"]
    ]
    assert statuses == ["sending", "sent"]
    assert {entry["actor_sub"] for entry in oldest_first[1:]} == {"system:notification-sender"}

    report = await verify_chain(app.state.database, AUDIT)
    assert report.ok, report
    assert report.intact >= len(entries)
