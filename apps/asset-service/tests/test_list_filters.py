"""A filter on every column of the register: location, serial, currency, purchase dates and cost,
and a selection of ids; the list and the CSV export take the same filters alike."""

import csv
import io
from typing import Any

import httpx
import pytest

from .conftest import API, Factory, fields_of

ASSETS = f"{API}/assets"
EXPORT = f"{ASSETS}/export"


@pytest.fixture
async def register(make: Factory) -> dict[str, dict[str, Any]]:
    category = await make.category()
    return {
        "laptop": await make.asset(
            category,
            name="Laptop",
            location="Berlin Office, 2nd floor",
            serial_number="SN-ABC-001",
            purchase_date="2024-01-15",
            purchase_cost="1200.00",
        ),
        "phone": await make.asset(
            category,
            name="Phone",
            location="berlin warehouse",
            serial_number="sn-xyz-002",
            purchase_date="2024-03-31",
            purchase_cost="500.00",
        ),
        "camera": await make.asset(
            category,
            name="Camera",
            location="Paris",
            serial_number="CAM_9",
            purchase_date="2024-04-01",
            purchase_cost="150000",
            currency="JPY",
        ),
        "desk": await make.asset(
            category, name="Desk", purchase_date="2023-12-31", purchase_cost="1200.01"
        ),
    }


async def _listed(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, Any]
) -> set[int]:
    response = await client.get(ASSETS, params=params, headers=headers)
    assert response.status_code == 200, (params, response.text)
    body = response.json()
    assert body["total"] == len(body["items"])
    return {asset["id"] for asset in body["items"]}


async def _exported(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, Any]
) -> set[int]:
    response = await client.get(EXPORT, params=params, headers=headers)
    assert response.status_code == 200, (params, response.text)
    return {int(row["id"]) for row in csv.DictReader(io.StringIO(response.text))}


CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"location": "BERLIN"}, {"laptop", "phone"}),  # contains, any case
    ({"location": "office, 2nd"}, {"laptop"}),
    ({"location": "Rome"}, set()),
    ({"serial_number": "sn-"}, {"laptop", "phone"}),
    ({"serial_number": "_"}, {"camera"}),  # a literal underscore, not LIKE's wildcard
    ({"currency": "JPY"}, {"camera"}),
    ({"currency": "eur"}, {"laptop", "phone", "desk"}),  # upper-cased like every currency input
    ({"purchased_from": "2024-03-31"}, {"phone", "camera"}),  # inclusive
    ({"purchased_to": "2024-03-31"}, {"laptop", "phone", "desk"}),  # inclusive
    ({"purchased_from": "2024-01-15", "purchased_to": "2024-01-15"}, {"laptop"}),
    ({"cost_min": "1200.00"}, {"laptop", "desk", "camera"}),  # inclusive
    ({"cost_max": "1200"}, {"laptop", "phone"}),  # inclusive
    ({"cost_min": "500", "cost_max": "1200.00", "currency": "EUR"}, {"laptop", "phone"}),
    ({"location": "berlin", "cost_max": "600"}, {"phone"}),  # filters combine
]


@pytest.mark.parametrize(("params", "expected"), CASES)
async def test_the_list_and_the_export_filter_on_each_column_alike(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    register: dict[str, dict[str, Any]],
    params: dict[str, Any],
    expected: set[str],
) -> None:
    wanted = {register[name]["id"] for name in expected}
    assert await _listed(client, manager, params) == wanted
    assert await _exported(client, manager, params) == wanted


async def test_ids_list_and_export_exactly_the_selection(
    client: httpx.AsyncClient, manager: dict[str, str], register: dict[str, dict[str, Any]]
) -> None:
    laptop, camera = register["laptop"]["id"], register["camera"]["id"]
    selection = {"ids": f"{camera}, {laptop},{camera},999999"}

    assert await _listed(client, manager, selection) == {laptop, camera}
    assert await _exported(client, manager, selection) == {laptop, camera}
    assert await _listed(client, manager, {**selection, "currency": "JPY"}) == {camera}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"purchased_from": "2024-13-01"}, "purchased_from"),
        ({"purchased_to": "yesterday"}, "purchased_to"),
        ({"purchased_from": "2024-05-01", "purchased_to": "2024-04-01"}, "purchased_from"),
        ({"cost_min": "1e3"}, "cost_min"),
        ({"cost_min": "-5"}, "cost_min"),
        ({"cost_max": "12.345"}, "cost_max"),
        ({"cost_max": "NaN"}, "cost_max"),
        ({"cost_min": "10", "cost_max": "9.99"}, "cost_min"),
        ({"ids": ""}, "ids"),
        ({"ids": "1,,2"}, "ids"),
        ({"ids": "1,two"}, "ids"),
        ({"ids": "0"}, "ids"),
        ({"ids": "2147483648"}, "ids"),
        ({"ids": ",".join(str(i) for i in range(1, 502))}, "ids"),
        ({"location": "a\x00b"}, "location"),
        ({"serial_number": "x" * 201}, "serial_number"),
    ],
)
async def test_a_bad_filter_value_is_a_422_naming_the_parameter(
    client: httpx.AsyncClient, manager: dict[str, str], params: dict[str, Any], field: str
) -> None:
    for url in (ASSETS, EXPORT):
        response = await client.get(url, params=params, headers=manager)
        assert fields_of(response) == [field], (url, params)
