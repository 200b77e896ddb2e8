"""The notifications over HTTP: who may read them, the filters, one by id, and dead letters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from notification_service.models import Notification
from notification_service.services.receipts import record_receipt
from tb_platform.testing import TokenFactory
from tb_platform.uow import Actor, unit_of_work

from .conftest import NOTIFICATIONS, new_invoice_id, number_of, paid_event

pytestmark = pytest.mark.usefixtures("client")


async def _receipt(app: FastAPI, invoice_id: int, **event: Any) -> int | None:
    async with unit_of_work(app.state.database, actor=Actor.system("tests")) as uow:
        return await record_receipt(uow, event=paid_event(invoice_id, **event))


async def _mark(app: FastAPI, notification_id: int, status: str) -> None:
    async with app.state.database.sessionmaker() as session, session.begin():
        await session.execute(
            update(Notification).where(Notification.id == notification_id).values(status=status)  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("role", ["admin", "accountant"])
async def test_admins_and_accountants_read_the_notifications(
    client: httpx.AsyncClient, app: FastAPI, tokens: TokenFactory, role: str
) -> None:
    invoice_id = new_invoice_id()
    notification_id = await _receipt(app, invoice_id)
    headers = tokens.headers(role, employee_id=9, sub="9")

    listed = await client.get(NOTIFICATIONS, params={"invoice_id": invoice_id}, headers=headers)
    one = await client.get(f"{NOTIFICATIONS}/{notification_id}", headers=headers)

    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [notification_id]
    assert listed.json()["total"] == 1
    assert one.status_code == 200, one.text
    body = one.json()
    assert (body["kind"], body["status"], body["attempts"], body["invoice_id"]) == (
        "receipt",
        "pending",
        0,
        invoice_id,
    )
    assert body["recipient"] == f"billing+{invoice_id}@acme.test"
    assert number_of(invoice_id) in body["subject"]
    assert "Amount paid:  1234.50 EUR" in body["body"]


@pytest.mark.parametrize("role", ["hr_manager", "employee", "asset_manager"])
async def test_other_roles_may_not_read_notifications(
    client: httpx.AsyncClient, app: FastAPI, tokens: TokenFactory, role: str
) -> None:
    notification_id = await _receipt(app, new_invoice_id())
    headers = tokens.headers(role, employee_id=9, sub="9")

    for path in (NOTIFICATIONS, f"{NOTIFICATIONS}/{notification_id}"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "forbidden"


async def test_without_a_valid_token_the_answer_is_401(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    bad = {"Authorization": f"Bearer {tokens.token(roles=['admin'], secret='x' * 40)}"}
    for headers in ({}, bad):
        response = await client.get(NOTIFICATIONS, headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["code"] in ("unauthorized", "invalid_token")


async def test_the_list_filters_by_status_and_invoice(
    client: httpx.AsyncClient, app: FastAPI, accountant: dict[str, str]
) -> None:
    first, second, third = new_invoice_id(), new_invoice_id(), new_invoice_id()
    ids = [await _receipt(app, invoice_id) for invoice_id in (first, second, third)]
    await _mark(app, ids[1], "sent")  # type: ignore[arg-type]
    await _mark(app, ids[2], "failed")  # type: ignore[arg-type]

    async def listed(**params: Any) -> list[int]:
        response = await client.get(NOTIFICATIONS, params=params, headers=accountant)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    everything = await listed()
    assert set(ids) <= set(everything)
    assert everything == sorted(everything, reverse=True)  # newest first
    assert ids[0] in await listed(status="pending")
    assert set(await listed(status="pending")).isdisjoint(ids[1:])
    assert ids[1] in await listed(status="sent")
    assert ids[2] in await listed(status="failed")
    assert await listed(invoice_id=second) == [ids[1]]
    assert await listed(invoice_id=second, status="pending") == []
    assert await listed(invoice_id=first, status="pending") == [ids[0]]
    page = await client.get(NOTIFICATIONS, params={"limit": 1, "sort": "id"}, headers=accountant)
    assert page.json()["limit"] == 1
    assert page.json()["next_cursor"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "delivered"}, "status"),
        ({"invoice_id": "0"}, "invoice_id"),
        ({"invoice_id": "abc"}, "invoice_id"),
        ({"stauts": "sent"}, "stauts"),
        ({"sort": "recipient"}, "sort"),
    ],
)
async def test_bad_filters_are_422_naming_the_parameter(
    client: httpx.AsyncClient, admin: dict[str, str], params: dict[str, str], field: str
) -> None:
    response = await client.get(NOTIFICATIONS, params=params, headers=admin)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["detail"]]


async def test_an_unknown_notification_is_404(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(f"{NOTIFICATIONS}/2147483647", headers=admin)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_an_invoice_gets_one_receipt_however_many_paid_events(app: FastAPI) -> None:
    invoice_id = new_invoice_id()
    assert await _receipt(app, invoice_id) is not None
    assert await _receipt(app, invoice_id, amount="99.00") is None


async def test_dead_letters_are_for_admins(
    client: httpx.AsyncClient, admin: dict[str, str], accountant: dict[str, str]
) -> None:
    assert (await client.get("/api/v1/events/dead", headers=admin)).status_code == 200
    assert (await client.get("/api/v1/events/dead", headers=accountant)).status_code == 403
