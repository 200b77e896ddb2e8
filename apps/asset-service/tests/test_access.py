"""The role → permission table, checked from outside: every role against every endpoint."""

from typing import Any

import httpx
import pytest

from tb_platform.testing import TokenFactory

from .conftest import API, Factory, Staff

READ, WRITE = "read", "write"
CSV = b"name,category_code,purchase_date,purchase_cost\nSaw,{code},2024-01-01,10.00\n"

# (method, path, body, kind, resource, expected status when allowed). {mine} is an asset assigned
# to the caller's own employee record, {stock} an asset in stock, {repair} one in maintenance
# with the open log {log}, {cat} a category in use and {empty_cat} an unused one.
ENDPOINTS: list[tuple[str, str, Any, str, str, int]] = [
    ("GET", "/categories", None, READ, "categories", 200),
    ("GET", "/categories/{cat}", None, READ, "categories", 200),
    (
        "POST",
        "/categories",
        {
            "name": "New",
            "code": "NEW",
            "default_useful_life_months": 12,
            "default_depreciation_method": "straight_line",
            "default_salvage_percent": 0,
        },
        WRITE,
        "categories",
        201,
    ),
    ("PATCH", "/categories/{cat}", {"name": "Renamed"}, WRITE, "categories", 200),
    ("DELETE", "/categories/{empty_cat}", None, WRITE, "categories", 204),
    ("GET", "/assets", None, READ, "assets", 200),
    ("GET", "/assets/{mine}", None, READ, "assets", 200),
    ("GET", "/assets/{mine}/history", None, READ, "assets", 200),
    ("GET", "/assets/{mine}/maintenance", None, READ, "assets", 200),
    ("GET", "/assets/{mine}/depreciation", None, READ, "assets", 200),
    ("GET", "/assets/{mine}/book-value", None, READ, "assets", 200),
    (
        "POST",
        "/assets",
        {
            "name": "New",
            "category_id": "{cat}",
            "purchase_date": "2024-01-01",
            "purchase_cost": 10,
        },
        WRITE,
        "assets",
        201,
    ),
    ("PATCH", "/assets/{stock}", {"location": "Moved"}, WRITE, "assets", 200),
    ("DELETE", "/assets/{stock}", None, WRITE, "assets", 204),
    ("POST", "/assets/{stock}/assign", {"employee_id": "{other}"}, WRITE, "assets", 200),
    ("POST", "/assets/{mine}/return", {}, WRITE, "assets", 200),
    (
        "POST",
        "/assets/{stock}/maintenance",
        {"kind": "inspection", "description": "Check"},
        WRITE,
        "assets",
        201,
    ),
    ("POST", "/assets/{repair}/maintenance/{log}/complete", {}, WRITE, "assets", 200),
    (
        "POST",
        "/assets/{stock}/dispose",
        {"date": "2024-06-30", "proceeds": 5, "reason": "Sold"},
        WRITE,
        "assets",
        200,
    ),
    ("GET", "/assets/summary", None, READ, "reports", 200),
    ("GET", "/maintenance/due", None, READ, "reports", 200),
    ("GET", "/assets/export", None, READ, "reports", 200),
    ("POST", "/assets/import", CSV, WRITE, "reports", 201),
]

FULL = {"categories", "assets", "reports"}
CAN = {
    "admin": {READ: FULL, WRITE: FULL},
    "asset_manager": {READ: FULL, WRITE: FULL},
    "accountant": {READ: FULL, WRITE: set()},
    "hr_manager": {READ: FULL, WRITE: set()},
    # Assets: only the ones assigned to them, which is what {mine} is.
    "employee": {READ: {"categories", "assets"}, WRITE: set()},
}


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        for key, number in ids.items():
            if value == "{" + key + "}":
                return number
            value = value.replace("{" + key + "}", str(number))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def _world(make: Factory, staff: Staff) -> dict[str, Any]:
    cat = await make.category()
    empty = await make.category()
    mine = await make.assign(await make.asset(cat), staff.alice)
    stock = await make.asset(cat)
    repair = await make.asset(cat)
    log = await make.open_maintenance(repair)
    return {
        "cat": cat["id"],
        "empty_cat": empty["id"],
        "mine": mine["id"],
        "stock": stock["id"],
        "repair": repair["id"],
        "log": log["id"],
        "other": staff.bob["id"],
        "code": cat["code"],
    }


async def _call(
    client: httpx.AsyncClient, method: str, path: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    if isinstance(body, bytes):
        return await client.post(
            API + path, files={"file": ("a.csv", body, "text/csv")}, headers=headers
        )
    return await client.request(method, API + path, json=body, headers=headers)


@pytest.mark.parametrize("role", sorted(CAN))
@pytest.mark.parametrize(
    ("method", "path", "body", "kind", "resource", "ok"),
    ENDPOINTS,
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
async def test_role_matrix(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    make: Factory,
    staff: Staff,
    role: str,
    method: str,
    path: str,
    body: Any,
    kind: str,
    resource: str,
    ok: int,
) -> None:
    ids = await _world(make, staff)
    headers = tokens.headers(role, employee_id=staff.alice["id"], sub=f"{role}-matrix")
    if isinstance(body, bytes):
        body = body.replace(b"{code}", ids["code"].encode())

    response = await _call(client, method, _fill(path, ids), _fill(body, ids), headers)

    if resource in CAN[role][kind]:
        assert response.status_code == ok, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [(m, p, b) for m, p, b, *_ in ENDPOINTS],
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
async def test_no_token_or_a_bad_one_is_401(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    method: str,
    path: str,
    body: Any,
) -> None:
    ids = dict.fromkeys(("cat", "empty_cat", "mine", "stock", "repair", "log", "other"), 1)
    ids["code"] = "X"
    path = _fill(path, ids)
    body = body if isinstance(body, bytes) else _fill(body, ids)
    for headers in (
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": f"Bearer {tokens.token(roles=['admin'], secret='x' * 40)}"},
        tokens.headers("admin", sub="late", iat=1, exp=2),
    ):
        response = await _call(client, method, path, body, headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"].lower().startswith("bearer")


async def test_an_employee_sees_only_the_assets_they_hold(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, staff: Staff
) -> None:
    category = await make.category()
    mine = await make.assign(await make.asset(category, name="My laptop"), staff.alice)
    theirs = await make.assign(await make.asset(category, name="Their laptop"), staff.bob)
    stock = await make.asset(category, name="Spare laptop")
    # Held before, returned since: no longer theirs to see.
    before = await make.assign(await make.asset(category, name="Old phone"), staff.alice)
    assert (
        await client.post(f"{API}/assets/{before['id']}/return", headers=make.headers)
    ).status_code == 200
    headers = tokens.headers("employee", employee_id=staff.alice["id"])

    listed = await client.get(f"{API}/assets", headers=headers)
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["items"]] == [mine["id"]]
    assert listed.json()["total"] == 1
    for params in (
        {"assigned_employee_id": staff.bob["id"]},
        {"status": "in_stock"},
        {"q": "laptop"},
    ):
        filtered = await client.get(f"{API}/assets", params=params, headers=headers)
        assert filtered.status_code == 200, params
        assert {a["id"] for a in filtered.json()["items"]} <= {mine["id"]}, params

    for suffix in ("", "/history", "/maintenance", "/depreciation", "/book-value"):
        own = await client.get(f"{API}/assets/{mine['id']}{suffix}", headers=headers)
        assert own.status_code == 200, (suffix, own.text)
        for hidden in (theirs, stock, before):
            response = await client.get(f"{API}/assets/{hidden['id']}{suffix}", headers=headers)
            assert response.status_code == 404, (suffix, hidden["name"], response.text)
    assert (await client.get(f"{API}/categories", headers=headers)).status_code == 200

    # An employee token without an employee record sees nothing at all.
    nobody = tokens.headers("employee", sub="nobody")
    assert (await client.get(f"{API}/assets", headers=nobody)).json()["items"] == []
    assert (await client.get(f"{API}/assets/{mine['id']}", headers=nobody)).status_code == 404


async def test_a_read_only_role_cannot_change_anything(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, staff: Staff
) -> None:
    asset = await make.asset()
    accountant = tokens.headers("accountant", sub="acc")
    refused = await client.post(
        f"{API}/assets/{asset['id']}/dispose",
        json={"date": "2024-06-30", "proceeds": 5, "reason": "Sold"},
        headers=accountant,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert (await make.get(asset))["status"] == "in_stock"
