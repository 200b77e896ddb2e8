"""Issuing and voiding invoices in bulk (POST /invoices/bulk): each invoice by the rules, numbers
and events of its single-row endpoint, all of them or none."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tb_platform.testing import TokenFactory

from .conftest import INVOICES, Factory, fields_of, line, number_of
from .test_events import types_of

BULK = f"{INVOICES}/bulk"


async def test_issuing_several_drafts_numbers_each_in_id_order_and_publishes_each(
    client: httpx.AsyncClient,
    accountant: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    customer = await make.customer()
    drafts = [await make.draft(customer, issue_date="2026-02-01") for _ in range(3)]
    ids = [drafts[2]["id"], drafts[0]["id"], drafts[1]["id"]]

    response = await client.post(BULK, json={"action": "issue", "ids": ids}, headers=accountant)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["action"], body["succeeded"], body["failed"]) == ("issue", 3, 0)
    assert [row["id"] for row in body["results"]] == ids
    items = {row["id"]: row["item"] for row in body["results"]}
    assert {item["status"] for item in items.values()} == {"issued"}
    numbers = [number_of(items[draft["id"]]) for draft in drafts]
    # Consecutive numbers of the issue year, in ascending id order.
    assert [year for year, _ in numbers] == [2026, 2026, 2026]
    assert [n for _, n in numbers] == list(range(numbers[0][1], numbers[0][1] + 3))
    for draft in drafts:
        assert await types_of(connection, draft["id"]) == ["invoice.issued"]
        assert (await make.get(draft["id"]))["number"] == items[draft["id"]]["number"]


async def test_when_one_invoice_cannot_be_issued_none_is_and_no_number_is_used_up(
    client: httpx.AsyncClient,
    accountant: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    customer = await make.customer()
    draft = await make.draft(customer, issue_date="2026-02-01")
    issued = await make.issued(customer, issue_date="2026-02-01")
    empty = await make.draft(customer, lines=[], issue_date="2026-02-01")

    response = await client.post(
        BULK,
        json={"action": "issue", "ids": [draft["id"], issued["id"], empty["id"], 999_999]},
        headers=accountant,
    )

    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "bulk_rejected"
    assert body["detail"] == "3 of 4 rows cannot be issued; nothing was changed"
    assert (body["succeeded"], body["failed"]) == (0, 3)
    assert [(r["id"], r["ok"], r.get("status"), r.get("code")) for r in body["results"]] == [
        (draft["id"], True, None, None),
        (issued["id"], False, 409, "invoice_not_draft"),
        (empty["id"], False, 409, "invoice_has_no_lines"),
        (999_999, False, 404, "not_found"),
    ]
    assert body["results"][0]["item"] is None
    assert (await make.get(draft["id"]))["status"] == "draft"
    assert await types_of(connection, draft["id"]) == []
    # The number the draft would have had is still free: the next issue takes it.
    then = await make.issue(draft["id"])
    assert number_of(then)[1] == number_of(issued)[1] + 1


async def test_voiding_several_invoices_records_the_reason_and_publishes_for_issued_ones(
    client: httpx.AsyncClient,
    accountant: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    customer = await make.customer()
    draft = await make.draft(customer)
    issued = await make.issued(customer)

    response = await client.post(
        BULK,
        json={"action": "void", "ids": [issued["id"], draft["id"]], "reason": "Duplicate run"},
        headers=accountant,
    )

    assert response.status_code == 200, response.text
    items = [row["item"] for row in response.json()["results"]]
    assert [(i["id"], i["status"], i["void_reason"]) for i in items] == [
        (issued["id"], "void", "Duplicate run"),
        (draft["id"], "void", "Duplicate run"),
    ]
    # As the single-row void: an issued invoice announces it, a draft was never announced.
    assert await types_of(connection, issued["id"]) == ["invoice.issued", "invoice.voided"]
    assert await types_of(connection, draft["id"]) == []


async def test_an_invoice_with_a_payment_rejects_the_whole_void(
    client: httpx.AsyncClient,
    accountant: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    customer = await make.customer()
    issued = await make.issued(customer)
    paid = await make.issued(customer, lines=[line("1", "100.00")])
    await make.pay(paid["id"], "40.00")

    response = await client.post(
        BULK,
        json={"action": "void", "ids": [issued["id"], paid["id"]], "reason": "Wrong"},
        headers=accountant,
    )

    assert response.status_code == 409, response.text
    failed = [r for r in response.json()["results"] if not r["ok"]]
    assert [(r["id"], r["code"]) for r in failed] == [(paid["id"], "invoice_not_voidable")]
    assert (await make.get(issued["id"]))["status"] == "issued"
    assert await types_of(connection, issued["id"]) == ["invoice.issued"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "void"}, "reason"),
        ({"action": "void", "reason": "   "}, "reason"),
        ({"action": "issue", "reason": "Why not"}, "reason"),
        ({"action": "pay"}, "action"),
        ({"action": "issue", "ids": []}, "ids"),
        ({"action": "issue", "ids": [1, 1]}, "ids"),
        ({"action": "issue", "ids": list(range(1, 202))}, "ids"),
        ({"action": "issue", "ids": [-1]}, "ids.0"),
    ],
)
async def test_a_body_that_does_not_fit_its_action_is_a_422_naming_the_field(
    client: httpx.AsyncClient,
    accountant: dict[str, str],
    make: Factory,
    body: dict[str, Any],
    field: str,
) -> None:
    draft = await make.draft()
    response = await client.post(BULK, json={"ids": [draft["id"]], **body}, headers=accountant)
    assert field in fields_of(response)
    assert (await make.get(draft["id"]))["status"] == "draft"


async def test_only_admins_and_accountants_act_in_bulk(
    client: httpx.AsyncClient, tokens: TokenFactory, admin: dict[str, str], make: Factory
) -> None:
    draft = await make.draft()
    body = {"action": "issue", "ids": [draft["id"]]}
    for role in ("hr_manager", "asset_manager", "employee"):
        response = await client.post(BULK, json=body, headers=tokens.headers(role, employee_id=9))
        assert response.status_code == 403, (role, response.text)
    assert (await client.post(BULK, json=body)).status_code == 401
    assert (await make.get(draft["id"]))["status"] == "draft"
    assert (await client.post(BULK, json=body, headers=admin)).status_code == 200
