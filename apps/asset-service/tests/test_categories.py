"""Categories: the defaults an asset inherits; unique names and codes; no deleting one in use."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from .conftest import API, Factory, fields_of

CATEGORIES = f"{API}/categories"


async def test_an_asset_manager_creates_a_category_with_every_field(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    body = {
        "name": "  Laptops ",
        "code": "lap-01",
        "default_useful_life_months": 36,
        "default_depreciation_method": "double_declining_balance",
        "default_salvage_percent": 12.5,
    }

    created = await client.post(CATEGORIES, json=body, headers=manager)

    assert created.status_code == 201, created.text
    category = created.json()
    assert category["name"] == "Laptops"
    assert category["code"] == "LAP-01"  # upper-cased
    assert category["default_useful_life_months"] == 36
    assert category["default_depreciation_method"] == "double_declining_balance"
    assert category["default_salvage_percent"] in ("12.5", "12.50")
    assert isinstance(category["id"], int)
    assert category["created_at"]
    assert category["updated_at"]
    fetched = await client.get(f"{CATEGORIES}/{category['id']}", headers=manager)
    assert fetched.status_code == 200
    assert fetched.json() == category


async def test_duplicate_name_or_code_is_a_conflict(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    first = await make.category(name="Vehicles", code="VEH")
    other = await make.category(name="Phones", code="PHN")

    same_name = await client.post(
        CATEGORIES,
        json={
            "name": "Vehicles",
            "code": "VEH2",
            "default_useful_life_months": 60,
            "default_depreciation_method": "straight_line",
            "default_salvage_percent": 0,
        },
        headers=manager,
    )
    assert same_name.status_code == 409, same_name.text
    same_code = await client.post(
        CATEGORIES,
        json={
            "name": "Cars",
            "code": "veh",  # upper-cased, so the same code
            "default_useful_life_months": 60,
            "default_depreciation_method": "straight_line",
            "default_salvage_percent": 0,
        },
        headers=manager,
    )
    assert same_code.status_code == 409, same_code.text

    renamed = await client.patch(
        f"{CATEGORIES}/{other['id']}", json={"name": "Vehicles"}, headers=manager
    )
    assert renamed.status_code == 409
    recoded = await client.patch(
        f"{CATEGORIES}/{other['id']}", json={"code": "VEH"}, headers=manager
    )
    assert recoded.status_code == 409
    # Saving a category under its own name is not a conflict.
    own = await client.patch(
        f"{CATEGORIES}/{first['id']}", json={"name": "Vehicles"}, headers=manager
    )
    assert own.status_code == 200


async def test_patch_changes_only_what_is_sent(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category(default_useful_life_months=24)

    updated = await client.patch(
        f"{CATEGORIES}/{category['id']}",
        json={"default_useful_life_months": 48, "default_salvage_percent": "5"},
        headers=manager,
    )

    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["default_useful_life_months"] == 48
    assert float(body["default_salvage_percent"]) == 5
    assert body["name"] == category["name"]
    assert body["code"] == category["code"]
    assert body["default_depreciation_method"] == category["default_depreciation_method"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "nul\x00byte"}, "name"),
        ({"code": ""}, "code"),
        ({"code": "A" * 21}, "code"),
        ({"code": "HAS SPACE"}, "code"),
        ({"code": "ÄÖ"}, "code"),
        ({"default_useful_life_months": 0}, "default_useful_life_months"),
        ({"default_useful_life_months": 601}, "default_useful_life_months"),
        ({"default_depreciation_method": "sum_of_years"}, "default_depreciation_method"),
        ({"default_salvage_percent": -1}, "default_salvage_percent"),
        ({"default_salvage_percent": "100.01"}, "default_salvage_percent"),
    ],
)
async def test_bad_category_input_names_the_field(
    client: httpx.AsyncClient, manager: dict[str, str], change: dict[str, Any], field: str
) -> None:
    body = {
        "name": "Valid",
        "code": "VALID",
        "default_useful_life_months": 12,
        "default_depreciation_method": "straight_line",
        "default_salvage_percent": 0,
        **change,
    }
    assert fields_of(await client.post(CATEGORIES, json=body, headers=manager)) == [field]


async def test_list_sorts_by_name_by_default_and_by_code_on_request(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.category(name="Bravo", code="ZZ1")
    await make.category(name="Alpha", code="ZZ3")
    await make.category(name="Charlie", code="ZZ2")

    default = await client.get(CATEGORIES, headers=manager)
    assert default.status_code == 200
    assert default.json()["total"] == 3
    assert [c["name"] for c in default.json()["items"]] == ["Alpha", "Bravo", "Charlie"]
    by_code = await client.get(CATEGORIES, params={"sort": "-code"}, headers=manager)
    assert [c["code"] for c in by_code.json()["items"]] == ["ZZ3", "ZZ2", "ZZ1"]
    assert fields_of(await client.get(CATEGORIES, params={"sort": "secret"}, headers=manager)) == [
        "sort"
    ]


async def test_a_category_in_use_cannot_be_deleted(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    used = await make.category()
    asset = await make.asset(used)
    unused = await make.category()

    refused = await client.delete(f"{CATEGORIES}/{used['id']}", headers=manager)
    assert refused.status_code == 409
    assert refused.json()["code"] == "category_in_use"
    assert (await client.get(f"{CATEGORIES}/{used['id']}", headers=manager)).status_code == 200

    assert (await client.delete(f"{CATEGORIES}/{unused['id']}", headers=manager)).status_code == 204
    assert (await client.get(f"{CATEGORIES}/{unused['id']}", headers=manager)).status_code == 404

    # Once the asset (entered by mistake) is gone, the category can go too.
    assert (await client.delete(f"{API}/assets/{asset['id']}", headers=manager)).status_code == 204
    assert (await client.delete(f"{CATEGORIES}/{used['id']}", headers=manager)).status_code == 204


async def test_unknown_and_out_of_range_category_ids(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    assert (await client.get(f"{CATEGORIES}/999999", headers=manager)).status_code == 404
    assert (await client.get(f"{CATEGORIES}/2147483648", headers=manager)).status_code == 422
    assert (await client.get(f"{CATEGORIES}/0", headers=manager)).status_code == 422
    patched = await client.patch(f"{CATEGORIES}/999999", json={"name": "X"}, headers=manager)
    assert patched.status_code == 404
    assert (await client.delete(f"{CATEGORIES}/999999", headers=manager)).status_code == 404


async def test_new_category_defaults_do_not_rewrite_existing_assets(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    category = await make.category(default_useful_life_months=24, default_salvage_percent="10")
    asset = await make.asset(category, purchase_cost="2400.00")

    changed = await client.patch(
        f"{CATEGORIES}/{category['id']}",
        json={"default_useful_life_months": 60, "default_salvage_percent": "50"},
        headers=manager,
    )
    assert changed.status_code == 200, changed.text

    after = await make.get(asset)
    assert after["useful_life_months"] == 24
    assert after["salvage_value"] == asset["salvage_value"]
    schedule = await client.get(f"{API}/assets/{asset['id']}/depreciation", headers=manager)
    assert len(schedule.json()["items"]) == 24
    # A new asset takes the new defaults.
    newer = await make.asset(category, purchase_cost="2400.00")
    assert newer["useful_life_months"] == 60
    assert Decimal(newer["salvage_value"]) == Decimal("1200.00")
