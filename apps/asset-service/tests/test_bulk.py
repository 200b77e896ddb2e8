"""Bulk actions on assets (POST /assets/bulk): each asset by the rules and with the event of its
single-row endpoint, all of them or none."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tb_platform.testing import TokenFactory

from .conftest import API, Factory, Staff, fields_of
from .test_events import published

ASSETS = f"{API}/assets"
BULK = f"{ASSETS}/bulk"


async def _bulk(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post(BULK, json=body, headers=headers)


async def test_assigning_several_assets_hands_each_to_the_employee_and_publishes_each(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    staff: Staff,
    connection: AsyncConnection,
) -> None:
    category = await make.category()
    a, b, c = [await make.asset(category) for _ in range(3)]
    before = len(await published(connection))

    response = await _bulk(
        client,
        manager,
        action="assign",
        ids=[c["id"], a["id"], b["id"]],
        employee_id=staff.alice["id"],
        note="Team kit",
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["action"], body["succeeded"], body["failed"]) == ("assign", 3, 0)
    assert [row["id"] for row in body["results"]] == [c["id"], a["id"], b["id"]]
    for row in body["results"]:
        assert row["ok"] is True
        assert row["item"]["id"] == row["id"]
        assert row["item"]["status"] == "assigned"
        assert row["item"]["assigned_employee_id"] == staff.alice["id"]
        assert row["item"]["book_value"] is not None  # the single-row endpoint's answer
    history = (await client.get(f"{ASSETS}/{a['id']}/history", headers=manager)).json()
    assert history["items"][0]["notes"] == "Team kit"
    assert history["items"][0]["assigned_by"] == "asset-manager-tests"
    events = (await published(connection))[before:]
    assert [(e.type, e.subject) for e in events] == [
        ("asset.assigned", str(asset["id"])) for asset in sorted((a, b, c), key=lambda x: x["id"])
    ]
    assert {e.data["assigned_employee_id"] for e in events} == {staff.alice["id"]}


async def test_when_one_asset_cannot_be_assigned_none_is_and_the_answer_says_which_and_why(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    staff: Staff,
    connection: AsyncConnection,
) -> None:
    category = await make.category()
    free = await make.asset(category)
    held = await make.assign(await make.asset(category), staff.bob)
    other_free = await make.asset(category)
    before = len(await published(connection))

    response = await _bulk(
        client,
        manager,
        action="assign",
        ids=[free["id"], held["id"], 999_999, other_free["id"]],
        employee_id=staff.alice["id"],
    )

    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "bulk_rejected"
    assert (
        body["detail"]
        == f"2 of 4 rows cannot be assigned to employee {staff.alice['id']}; nothing was changed"
    )
    assert (body["succeeded"], body["failed"]) == (0, 2)
    assert body["results"][0] == {"id": free["id"], "ok": True, "item": None}
    assert body["results"][1]["id"] == held["id"]
    assert body["results"][1]["ok"] is False
    assert (body["results"][1]["status"], body["results"][1]["code"]) == (
        409,
        "asset_not_available",
    )
    assert held["asset_tag"] in body["results"][1]["detail"]
    assert body["results"][2]["id"] == 999_999
    assert (body["results"][2]["status"], body["results"][2]["code"]) == (404, "not_found")
    assert body["results"][3] == {"id": other_free["id"], "ok": True, "item": None}
    # Nothing changed: no asset moved, no history row, no event.
    for asset in (free, other_free):
        after = await make.get(asset)
        assert (after["status"], after["assigned_employee_id"]) == ("in_stock", None)
        history = (await client.get(f"{ASSETS}/{asset['id']}/history", headers=manager)).json()
        assert history["total"] == 0
    assert (await make.get(held))["assigned_employee_id"] == staff.bob["id"]
    assert len(await published(connection)) == before


async def test_returning_several_assets_puts_them_back_with_the_reason(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    staff: Staff,
    connection: AsyncConnection,
) -> None:
    category = await make.category()
    first = await make.assign(await make.asset(category), staff.alice)
    second = await make.assign(await make.asset(category), staff.bob)
    before = len(await published(connection))

    response = await _bulk(
        client,
        manager,
        action="return",
        ids=[first["id"], second["id"]],
        reason="office closed",
        note="All back",
    )

    assert response.status_code == 200, response.text
    assert [
        (r["item"]["status"], r["item"]["assigned_employee_id"]) for r in response.json()["results"]
    ] == [
        ("in_stock", None),
        ("in_stock", None),
    ]
    history = (await client.get(f"{ASSETS}/{first['id']}/history", headers=manager)).json()
    assert history["items"][0]["return_reason"] == "office closed"
    assert history["items"][0]["notes"] == "All back"
    events = (await published(connection))[before:]
    assert [e.type for e in events] == ["asset.returned", "asset.returned"]
    assert {e.data["reason"] for e in events} == {"office closed"}


async def test_returning_an_asset_nobody_has_rejects_the_whole_batch(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    category = await make.category()
    held = await make.assign(await make.asset(category), staff.alice)
    in_stock = await make.asset(category)

    response = await _bulk(client, manager, action="return", ids=[held["id"], in_stock["id"]])

    assert response.status_code == 409, response.text
    failed = [r for r in response.json()["results"] if not r["ok"]]
    assert [(r["id"], r["code"]) for r in failed] == [(in_stock["id"], "asset_not_assigned")]
    assert (await make.get(held))["status"] == "assigned"


async def test_setting_a_status_retires_each_asset_as_patch_would(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    connection: AsyncConnection,
) -> None:
    category = await make.category()
    a, b = await make.asset(category), await make.asset(category)
    before = len(await published(connection))

    retired = await _bulk(
        client, manager, action="set_status", ids=[a["id"], b["id"]], status="retired"
    )
    assert retired.status_code == 200, retired.text
    assert {r["item"]["status"] for r in retired.json()["results"]} == {"retired"}
    assert (await make.get(a))["status"] == "retired"
    events = (await published(connection))[before:]
    assert [e.type for e in events] == ["asset.updated", "asset.updated"]

    back = await _bulk(client, manager, action="set_status", ids=[a["id"]], status="in_stock")
    assert back.status_code == 200, back.text
    assert (await make.get(a))["status"] == "in_stock"


async def test_a_status_patch_may_not_set_is_refused_and_a_disposed_asset_rejects_the_batch(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()
    asset = await make.asset(category)
    disposed = await make.dispose(await make.asset(category))

    for status in ("assigned", "disposed", "in_maintenance", "lost"):
        response = await _bulk(
            client, manager, action="set_status", ids=[asset["id"]], status=status
        )
        assert fields_of(response) == ["status"], status

    response = await _bulk(
        client, manager, action="set_status", ids=[asset["id"], disposed["id"]], status="retired"
    )
    assert response.status_code == 409, response.text
    assert [(r["id"], r["ok"], r.get("code")) for r in response.json()["results"]] == [
        (asset["id"], True, None),
        (disposed["id"], False, "asset_disposed"),
    ]
    assert (await make.get(asset))["status"] == "in_stock"


async def test_setting_a_category_moves_each_asset_and_an_unknown_category_is_a_422(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    old, new = await make.category(), await make.category()
    a, b = await make.asset(old), await make.asset(old)

    response = await _bulk(
        client, manager, action="set_category", ids=[a["id"], b["id"]], category_id=new["id"]
    )
    assert response.status_code == 200, response.text
    assert {r["item"]["category_id"] for r in response.json()["results"]} == {new["id"]}
    assert (await make.get(b))["category_id"] == new["id"]

    unknown = await _bulk(
        client, manager, action="set_category", ids=[a["id"]], category_id=999_999
    )
    assert fields_of(unknown) == ["category_id"]
    assert (await make.get(a))["category_id"] == new["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "assign"}, "employee_id"),
        ({"action": "set_status"}, "status"),
        ({"action": "set_category"}, "category_id"),
        ({"action": "return", "employee_id": 1}, "employee_id"),
        ({"action": "set_status", "status": "retired", "note": "why"}, "note"),
        ({"action": "sell"}, "action"),
        ({"action": "return", "ids": []}, "ids"),
        ({"action": "return", "ids": [5, 5]}, "ids"),
        ({"action": "return", "ids": [0]}, "ids.0"),
    ],
)
async def test_a_body_that_does_not_fit_its_action_is_a_422_naming_the_field(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    body: dict[str, Any],
    field: str,
) -> None:
    asset = await make.asset()
    response = await client.post(BULK, json={"ids": [asset["id"]], **body}, headers=manager)
    assert field in fields_of(response), response.text


async def test_assigning_to_a_terminated_or_unknown_employee_is_a_422_on_employee_id(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.asset()
    for employee_id in (staff.gone["id"], 2_000_000_000):
        response = await _bulk(
            client, manager, action="assign", ids=[asset["id"]], employee_id=employee_id
        )
        assert fields_of(response) == ["employee_id"]
    assert (await make.get(asset))["status"] == "in_stock"


async def test_only_those_who_manage_assets_may_act_in_bulk(
    client: httpx.AsyncClient, tokens: TokenFactory, admin: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    body = {"action": "set_status", "ids": [asset["id"]], "status": "retired"}
    for role in ("accountant", "hr_manager", "employee"):
        response = await client.post(BULK, json=body, headers=tokens.headers(role, employee_id=7))
        assert response.status_code == 403, (role, response.text)
    assert (await client.post(BULK, json=body)).status_code == 401
    assert (await make.get(asset))["status"] == "in_stock"
    assert (await client.post(BULK, json=body, headers=admin)).status_code == 200
