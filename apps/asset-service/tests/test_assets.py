"""Assets: entering them, the category's defaults, tags, changes, deletion, search and paging."""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from .conftest import API, Factory, Staff, cents, fields_of, money, today
from .expected import straight_line

ASSETS = f"{API}/assets"


async def test_a_new_asset_takes_the_category_defaults(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category(
        default_useful_life_months=48,
        default_depreciation_method="double_declining_balance",
        default_salvage_percent="10",
    )
    cost = Decimal("1234.56")

    created = await client.post(
        ASSETS,
        json={
            "name": "ThinkPad X1",
            "category_id": category["id"],
            "purchase_date": "2024-02-10",
            "purchase_cost": str(cost),
        },
        headers=manager,
    )

    assert created.status_code == 201, created.text
    asset = created.json()
    assert asset["name"] == "ThinkPad X1"
    assert asset["category_id"] == category["id"]
    assert asset["purchase_date"] == "2024-02-10"
    assert money(asset["purchase_cost"]) == cost
    assert asset["currency"] == "EUR"
    assert asset["useful_life_months"] == 48
    assert asset["depreciation_method"] == "double_declining_balance"
    assert asset["declining_rate"] is None
    assert money(asset["salvage_value"]) == cents(cost * Decimal("10") / 100)
    assert asset["status"] == "in_stock"
    assert asset["assigned_employee_id"] is None
    assert re.fullmatch(r"AST-\d{6}", asset["asset_tag"]), asset["asset_tag"]
    for absent in ("disposal_date", "disposal_proceeds", "disposal_reason", "gain_loss"):
        assert asset[absent] is None, absent
    assert asset["book_value_at_disposal"] is None
    assert asset["created_by"] == "asset-manager-tests"
    assert asset["created_at"]
    assert asset["updated_at"]
    fetched = await client.get(f"{ASSETS}/{asset['id']}", headers=manager)
    assert fetched.status_code == 200
    assert fetched.json() == asset


async def test_explicit_values_override_the_defaults(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category(default_useful_life_months=12, default_salvage_percent="50")
    body = {
        "name": "Forklift",
        "category_id": category["id"],
        "purchase_date": "2023-06-30",
        "purchase_cost": 25000,
        "asset_tag": "FL-0001",
        "serial_number": "SN-778899",
        "location": "Warehouse 2",
        "currency": "usd",
        "salvage_value": "2000.00",
        "useful_life_months": 96,
        "depreciation_method": "declining_balance",
        "declining_rate": "20",
        "notes": "Bought second hand",
    }

    created = await client.post(ASSETS, json=body, headers=manager)

    assert created.status_code == 201, created.text
    asset = created.json()
    assert asset["asset_tag"] == "FL-0001"
    assert asset["serial_number"] == "SN-778899"
    assert asset["location"] == "Warehouse 2"
    assert asset["currency"] == "USD"
    assert money(asset["purchase_cost"]) == Decimal("25000")
    assert money(asset["salvage_value"]) == Decimal("2000")
    assert asset["useful_life_months"] == 96
    assert asset["depreciation_method"] == "declining_balance"
    assert Decimal(asset["declining_rate"]) == 20
    assert asset["notes"] == "Bought second hand"


async def test_generated_tags_are_distinct_and_a_taken_tag_is_a_conflict(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()
    first = await make.asset(category)
    second = await make.asset(category)
    assert re.fullmatch(r"AST-\d{6}", second["asset_tag"])
    assert first["asset_tag"] != second["asset_tag"]

    await make.asset(category, asset_tag="DUP-1")
    again = await client.post(
        ASSETS,
        json={
            "name": "Copy",
            "category_id": category["id"],
            "purchase_date": "2024-01-01",
            "purchase_cost": 10,
            "asset_tag": "DUP-1",
        },
        headers=manager,
    )
    assert again.status_code == 409, again.text
    retagged = await client.patch(
        f"{ASSETS}/{first['id']}", json={"asset_tag": "DUP-1"}, headers=manager
    )
    assert retagged.status_code == 409


def _body(category_id: int, **change: Any) -> dict[str, Any]:
    return {
        "name": "Valid asset",
        "category_id": category_id,
        "purchase_date": "2024-03-01",
        "purchase_cost": "1000.00",
        **change,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purchase_cost": "-1.00"}, "purchase_cost"),
        ({"purchase_cost": "1.001"}, "purchase_cost"),
        ({"purchase_cost": "NaN"}, "purchase_cost"),
        ({"salvage_value": "1000.01"}, "salvage_value"),
        ({"salvage_value": -5}, "salvage_value"),
        ({"useful_life_months": 0}, "useful_life_months"),
        ({"useful_life_months": 601}, "useful_life_months"),
        ({"category_id": 999999}, "category_id"),
        ({"category_id": 2**31}, "category_id"),
        ({"depreciation_method": "declining_balance"}, "declining_rate"),
        ({"depreciation_method": "straight_line", "declining_rate": 20}, "declining_rate"),
        ({"declining_rate": 20}, "declining_rate"),  # the category's method is straight line
        ({"depreciation_method": "declining_balance", "declining_rate": 0}, "declining_rate"),
        ({"depreciation_method": "declining_balance", "declining_rate": 101}, "declining_rate"),
        ({"depreciation_method": "sum_of_digits"}, "depreciation_method"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "E"}, "currency"),
        ({"name": "bad\x00name"}, "name"),
        ({"name": ""}, "name"),
        ({"notes": "nul\x00"}, "notes"),
        ({"purchase_date": "2024-02-30"}, "purchase_date"),
    ],
)
async def test_bad_asset_input_is_422_naming_the_field(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make: Factory,
    change: dict[str, Any],
    field: str,
) -> None:
    category = await make.category()
    body = {**_body(category["id"]), **change}
    response = await client.post(ASSETS, json=body, headers=manager)
    assert fields_of(response) == [field]


async def test_a_purchase_date_in_the_future_is_refused(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = await client.post(
        ASSETS, json=_body(category["id"], purchase_date=tomorrow), headers=manager
    )
    assert fields_of(response) == ["purchase_date"]
    # Today is fine.
    ok = await client.post(
        ASSETS, json=_body(category["id"], purchase_date=today().isoformat()), headers=manager
    )
    assert ok.status_code == 201, ok.text


async def test_a_missing_required_field_is_named(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()
    for required in ("name", "category_id", "purchase_date", "purchase_cost"):
        body = _body(category["id"])
        del body[required]
        assert fields_of(await client.post(ASSETS, json=body, headers=manager)) == [required]


async def test_huge_and_bad_ids_are_422_never_500(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    for path in (
        f"{ASSETS}/2147483648",
        f"{ASSETS}/0",
        f"{ASSETS}/abc",
        f"{ASSETS}/2147483648/history",
        f"{ASSETS}/2147483648/depreciation",
        f"{ASSETS}/2147483648/book-value",
        f"{ASSETS}/2147483648/maintenance",
    ):
        response = await client.get(path, headers=manager)
        assert response.status_code == 422, (path, response.text)
    assert (await client.get(f"{ASSETS}/999999", headers=manager)).status_code == 404
    for params in ({"category_id": 2**31}, {"assigned_employee_id": 2**31}, {"status": "lost"}):
        response = await client.get(ASSETS, params=params, headers=manager)
        assert fields_of(response) == list(params), params
    assign = await client.post(
        f"{ASSETS}/{asset['id']}/assign", json={"employee_id": 2**31}, headers=manager
    )
    assert fields_of(assign) == ["employee_id"]
    patched = await client.patch(
        f"{ASSETS}/{asset['id']}", json={"category_id": 2**31}, headers=manager
    )
    assert fields_of(patched) == ["category_id"]


async def test_patch_changes_only_what_is_sent_and_records_who(
    client: httpx.AsyncClient, tokens: Any, make: Factory
) -> None:
    asset = await make.asset(location="Office 1", serial_number="S-1")
    other = tokens.headers("admin", sub="someone-else")

    updated = await client.patch(
        f"{ASSETS}/{asset['id']}", json={"location": "Office 2", "notes": "moved"}, headers=other
    )

    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["location"] == "Office 2"
    assert body["notes"] == "moved"
    assert body["serial_number"] == "S-1"
    assert body["name"] == asset["name"]
    assert body["created_by"] == asset["created_by"]
    assert body["updated_by"] == "someone-else"
    # Required fields cannot be cleared.
    cleared = await client.patch(f"{ASSETS}/{asset['id']}", json={"name": None}, headers=other)
    assert fields_of(cleared) == ["name"]
    salvage = await client.patch(
        f"{ASSETS}/{asset['id']}",
        json={"salvage_value": str(money(asset["purchase_cost"]) + 1)},
        headers=other,
    )
    assert fields_of(salvage) == ["salvage_value"]
    future = await client.patch(
        f"{ASSETS}/{asset['id']}",
        json={"purchase_date": (today() + timedelta(days=3)).isoformat()},
        headers=other,
    )
    assert fields_of(future) == ["purchase_date"]


async def test_a_change_of_cost_regenerates_the_schedule(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset(purchase_cost="1200.00", salvage_value="200.00", useful_life_months=10)
    before = (await client.get(f"{ASSETS}/{asset['id']}/depreciation", headers=manager)).json()
    assert sum(money(r["depreciation_amount"]) for r in before["items"]) == Decimal("1000.00")

    updated = await client.patch(
        f"{ASSETS}/{asset['id']}",
        json={"purchase_cost": "2500.00", "useful_life_months": 7},
        headers=manager,
    )
    assert updated.status_code == 200, updated.text

    after = (await client.get(f"{ASSETS}/{asset['id']}/depreciation", headers=manager)).json()
    expected = straight_line(
        Decimal("2500.00"), Decimal("200.00"), 7, date.fromisoformat(asset["purchase_date"])
    )
    assert [money(r["depreciation_amount"]) for r in after["items"]] == [
        row.amount for row in expected
    ]
    assert [money(r["book_value"]) for r in after["items"]] == [row.book_value for row in expected]
    # Bought in January 2024 with a 7-month life: fully written down today.
    assert money(updated.json()["book_value"]) == expected[-1].book_value == Decimal("200.00")


async def test_status_can_move_between_in_stock_and_retired_only(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    asset = await make.asset()
    retired = await client.patch(
        f"{ASSETS}/{asset['id']}", json={"status": "retired"}, headers=manager
    )
    assert retired.status_code == 200, retired.text
    assert retired.json()["status"] == "retired"
    back = await client.patch(
        f"{ASSETS}/{asset['id']}", json={"status": "in_stock"}, headers=manager
    )
    assert back.json()["status"] == "in_stock"

    for status in ("assigned", "in_maintenance", "disposed"):
        response = await client.patch(
            f"{ASSETS}/{asset['id']}", json={"status": status}, headers=manager
        )
        assert response.status_code in (409, 422), (status, response.text)
    assert (await make.get(asset))["status"] == "in_stock"

    # An assigned asset is not retired behind its holder's back.
    held = await make.assign(await make.asset(), staff.alice)
    refused = await client.patch(
        f"{ASSETS}/{held['id']}", json={"status": "retired"}, headers=manager
    )
    assert refused.status_code == 409, refused.text


async def test_only_an_asset_entered_by_mistake_can_be_deleted(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    category = await make.category()
    mistake = await make.asset(category)
    assert (await client.delete(f"{ASSETS}/{mistake['id']}", headers=manager)).status_code == 204
    assert (await client.get(f"{ASSETS}/{mistake['id']}", headers=manager)).status_code == 404
    assert (await client.delete(f"{ASSETS}/{mistake['id']}", headers=manager)).status_code == 404

    held = await make.assign(await make.asset(category), staff.alice)
    assert (await client.delete(f"{ASSETS}/{held['id']}", headers=manager)).status_code == 409

    returned = await make.assign(await make.asset(category), staff.alice)
    assert (
        await client.post(f"{ASSETS}/{returned['id']}/return", headers=manager)
    ).status_code == 200
    refused = await client.delete(f"{ASSETS}/{returned['id']}", headers=manager)
    assert refused.status_code == 409
    assert (await make.get(returned))["status"] == "in_stock"

    serviced = await make.asset(category)
    await make.open_maintenance(
        serviced, started_at="2024-05-01T08:00:00Z", completed_at="2024-05-01T10:00:00Z"
    )
    assert (await client.delete(f"{ASSETS}/{serviced['id']}", headers=manager)).status_code == 409

    retired = await make.asset(category)
    await client.patch(f"{ASSETS}/{retired['id']}", json={"status": "retired"}, headers=manager)
    assert (await client.delete(f"{ASSETS}/{retired['id']}", headers=manager)).status_code == 409


async def test_list_filters_by_status_category_holder_and_text(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory, staff: Staff
) -> None:
    laptops = await make.category(name="Laptops", code="LAP")
    cars = await make.category(name="Cars", code="CAR")
    dell = await make.asset(
        laptops, name="Dell Latitude", asset_tag="LAP-100", serial_number="DX-1"
    )
    mac = await make.asset(laptops, name="MacBook Pro", asset_tag="LAP-200", serial_number="C02XYZ")
    van = await make.asset(cars, name="Delivery Van", asset_tag="CAR-001", serial_number="VIN123")
    electric = await make.asset(cars, name="100% Electric", asset_tag="CAR-002")
    await make.assign(mac, staff.alice)
    await make.assign(van, staff.bob)

    async def ids(**params: Any) -> list[int]:
        response = await client.get(ASSETS, params=params, headers=manager)
        assert response.status_code == 200, (params, response.text)
        body = response.json()
        assert body["total"] == len(body["items"])
        return sorted(a["id"] for a in body["items"])

    assert await ids(status="assigned") == sorted([mac["id"], van["id"]])
    assert await ids(status="in_stock", category_id=laptops["id"]) == [dell["id"]]
    assert await ids(category_id=cars["id"]) == sorted([van["id"], electric["id"]])
    assert await ids(assigned_employee_id=staff.alice["id"]) == [mac["id"]]
    assert await ids(q="macbook") == [mac["id"]]  # name, any case
    assert await ids(q="lap-1") == [dell["id"]]  # tag
    assert await ids(q="c02x") == [mac["id"]]  # serial
    assert await ids(q="DEL") == sorted([dell["id"], van["id"]])
    assert await ids(q="%") == [electric["id"]]  # a literal percent sign, not a wildcard
    assert await ids(q="nothing like it") == []


async def test_list_sorts_by_each_allowed_field(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()
    specs = [
        ("T-3", "banana", "2023-05-01", "300.00"),
        ("T-1", "cherry", "2022-01-01", "100.00"),
        ("T-2", "apple", "2024-03-01", "300.00"),
        ("T-4", "date", "2021-07-01", "50.00"),
    ]
    made = [
        await make.asset(
            category, asset_tag=tag, name=name, purchase_date=bought, purchase_cost=cost
        )
        for tag, name, bought, cost in specs
    ]

    async def order(sort: str | None) -> list[int]:
        params = {"sort": sort} if sort else {}
        response = await client.get(ASSETS, params=params, headers=manager)
        assert response.status_code == 200, (sort, response.text)
        return [a["id"] for a in response.json()["items"]]

    def expected(key: str, reverse: bool = False) -> list[int]:
        ranked = sorted(made, key=lambda a: (key_of(a, key), a["id"]), reverse=reverse)
        return [a["id"] for a in ranked]

    def key_of(asset: dict[str, Any], key: str) -> Any:
        return money(asset[key]) if key == "purchase_cost" else asset[key]

    assert await order(None) == expected("asset_tag")
    assert await order("name") == expected("name")
    assert await order("-name") == expected("name", reverse=True)
    assert await order("purchase_date") == expected("purchase_date")
    assert await order("-purchase_cost") == expected("purchase_cost", reverse=True)
    assert await order("purchase_cost") == expected("purchase_cost")
    assert await order("id") == sorted(a["id"] for a in made)
    assert await order("-created_at") == [a["id"] for a in reversed(made)]
    assert fields_of(await client.get(ASSETS, params={"sort": "salvage"}, headers=manager)) == [
        "sort"
    ]
    assert fields_of(await client.get(ASSETS, params={"sort": "-notes"}, headers=manager)) == [
        "sort"
    ]


async def test_offset_and_cursor_paging_see_every_asset_once(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category()
    created = [
        await make.asset(category, name=f"Paged {n % 3}", purchase_cost=f"{100 + n % 4}.00")
        for n in range(11)
    ]
    expected = {a["id"] for a in created}

    first = (await client.get(ASSETS, params={"limit": 4}, headers=manager)).json()
    assert first["total"] == 11
    assert len(first["items"]) == 4
    assert first["limit"] == 4
    assert first["offset"] == 0
    assert first["next_cursor"]

    by_offset: list[int] = []
    for offset in range(0, 12, 4):
        page = (
            await client.get(ASSETS, params={"limit": 4, "offset": offset}, headers=manager)
        ).json()
        assert page["offset"] == offset
        by_offset += [a["id"] for a in page["items"]]
    assert sorted(by_offset) == sorted(expected)
    assert len(by_offset) == 11

    cursor = None
    for sort in ("asset_tag", "-name", "purchase_cost", "-purchase_date", "created_at", "-id"):
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 3, "sort": sort}
            if cursor:
                params["cursor"] = cursor
            raw = await client.get(ASSETS, params=params, headers=manager)
            assert raw.status_code == 200, (sort, raw.text)
            page = raw.json()
            seen += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 11, sort
        assert set(seen) == expected

    by_name = (
        await client.get(ASSETS, params={"limit": 3, "sort": "name"}, headers=manager)
    ).json()
    other_sort = await client.get(
        ASSETS, params={"cursor": by_name["next_cursor"], "sort": "-purchase_cost"}, headers=manager
    )
    assert fields_of(other_sort) == ["cursor"]
    both = await client.get(
        ASSETS, params={"cursor": by_name["next_cursor"], "offset": 3}, headers=manager
    )
    assert fields_of(both) == ["cursor"]
    for junk in ("!!junk", "eyJmb28iOiAxfQ", "e30"):
        response = await client.get(ASSETS, params={"cursor": junk}, headers=manager)
        assert fields_of(response) == ["cursor"], junk
    assert fields_of(await client.get(ASSETS, params={"limit": 0}, headers=manager)) == ["limit"]
    assert fields_of(await client.get(ASSETS, params={"offset": -1}, headers=manager)) == ["offset"]


async def test_junk_in_any_query_or_path_is_a_client_error_never_a_500(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    aid = asset["id"]
    wrong: list[str] = []

    async def expect(expected: str, method: str, path: str, **kw: Any) -> None:
        try:
            response = await client.request(method, path, headers=manager, **kw)
        except Exception as exc:  # raised through the test transport: a 500 in production
            wrong.append(f"{method} {path} {kw}: 500 ({type(exc).__name__})")
            return
        status = response.status_code
        if (
            (expected == "4xx" and not 400 <= status < 500)
            or (expected == "422" and status != 422)
            or status >= 500
        ):
            wrong.append(f"{method} {path} {kw}: {status} {response.text[:200]}")

    for path, params in (
        (ASSETS, {"q": "nul\x00"}),
        (ASSETS, {"status": "in_stock\x00"}),
        (ASSETS, {"category_id": "abc"}),
        (ASSETS, {"category_id": "-1"}),
        (ASSETS, {"limit": "99999999999999999999"}),
        (ASSETS, {"offset": "2147483648"}),
        (ASSETS, {"sort": "-"}),
        (ASSETS, {"sort": "name\x00"}),
        (ASSETS, {"cursor": "\x00"}),
        (f"{API}/assets/export", {"q": "nul\x00"}),
        (f"{API}/assets/export", {"status": "bogus"}),
        (f"{ASSETS}/{aid}/book-value", {"at": "0001-01-01"}),
        (f"{ASSETS}/{aid}/book-value", {"at": "2024-1-1"}),
        (f"{API}/maintenance/due", {"before": "not-a-date"}),
        (f"{API}/categories", {"limit": "-5"}),
        (f"{ASSETS}/99999999999999999999", {}),
        (f"{ASSETS}/-1/history", {}),
    ):
        await expect("4xx", "GET", path, params=params)
    await expect("any", "GET", ASSETS, params={"q": "x" * 5000})  # 200 or 422, never 500
    # Dates outside 1900-2200 are typos: 422 naming the parameter; the edges of the range work.
    for path, params in (
        (f"{ASSETS}/{aid}/book-value", {"at": "9999-12-31"}),
        (f"{API}/maintenance/due", {"before": "0001-01-01"}),
        (f"{API}/maintenance/due", {"before": "9999-12-31"}),
    ):
        await expect("422", "GET", path, params=params)
    for path, params in (
        (f"{ASSETS}/{aid}/book-value", {"at": "2200-12-31"}),
        (f"{API}/maintenance/due", {"before": "1900-01-01"}),
        (f"{API}/maintenance/due", {"before": "2200-12-31"}),
        (ASSETS, {"q": "'; DROP TABLE assets; --"}),
    ):
        response = await client.get(path, params=params, headers=manager)
        if response.status_code != 200:
            wrong.append(f"GET {path} {params}: {response.status_code} {response.text[:200]}")
    for body in (
        {"employee_id": "1; drop"},
        {"employee_id": -1},
        {"employee_id": 1.5},
        {"employee_id": 7, "notes": "nul\x00"},
    ):
        await expect("422", "POST", f"{ASSETS}/{aid}/assign", json=body)
    for body in (
        {"purchase_cost": "1e400"},
        {"purchase_cost": "1000000000000.00"},
        {"purchase_date": "0000-01-01"},
        {"useful_life_months": 2**31},
        {"location": "x" * 100_000},
        {"currency": "eur\x00"},
    ):
        await expect("422", "PATCH", f"{ASSETS}/{aid}", json=body)
    assert wrong == [], "\n".join(wrong)
    assert (await make.get(asset)) == asset


async def test_a_lower_cost_cannot_leave_the_salvage_above_it(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset(purchase_cost="1000.00", salvage_value="500.00")
    response = await client.patch(
        f"{ASSETS}/{asset['id']}", json={"purchase_cost": "400.00"}, headers=manager
    )
    assert response.status_code == 422, response.text
    assert fields_of(response)[0] in ("purchase_cost", "salvage_value")
    unknown = await client.patch(
        f"{ASSETS}/{asset['id']}", json={"category_id": 999999}, headers=manager
    )
    assert fields_of(unknown) == ["category_id"]
    assert (await make.get(asset)) == asset
