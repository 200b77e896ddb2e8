"""A filter on every column of the invoice list: currency, number, total and due date ranges."""

from typing import Any

import httpx
import pytest

from .conftest import INVOICES, Factory, fields_of, line


@pytest.fixture
async def invoices(make: Factory) -> dict[str, dict[str, Any]]:
    customer = await make.customer(currency="EUR")
    return {
        "small": await make.issued(
            customer,
            issue_date="2025-01-10",
            due_date="2025-02-09",
            lines=[line("1", "99.99")],
        ),
        "large": await make.issued(
            customer,
            issue_date="2025-01-20",
            due_date="2025-02-19",
            lines=[line("1", "1000.00", tax_rate="20")],
        ),
        "yen": await make.issued(
            customer,
            issue_date="2025-01-25",
            due_date="2025-03-01",
            currency="JPY",
            lines=[line("2", "50000")],
        ),
        "draft": await make.draft(
            customer,
            issue_date="2025-01-30",
            due_date="2025-02-09",
            lines=[line("1", "1200.00")],
        ),
    }


async def _listed(
    client: httpx.AsyncClient, headers: dict[str, str], customer_id: int, params: dict[str, Any]
) -> set[int]:
    response = await client.get(
        INVOICES, params={"customer_id": customer_id, **params}, headers=headers
    )
    assert response.status_code == 200, (params, response.text)
    return {invoice["id"] for invoice in response.json()["items"]}


async def test_the_list_filters_on_currency_number_total_and_due_date(
    client: httpx.AsyncClient, admin: dict[str, str], invoices: dict[str, dict[str, Any]]
) -> None:
    customer_id = invoices["small"]["customer_id"]

    async def names(**params: Any) -> set[str]:
        found = await _listed(client, admin, customer_id, params)
        return {name for name, invoice in invoices.items() if invoice["id"] in found}

    assert await names(currency="JPY") == {"yen"}
    assert await names(currency="eur") == {"small", "large", "draft"}
    number = invoices["large"]["number"]
    assert await names(number=number) == {"large"}
    assert await names(number=number.lower()[-8:]) == {"large"}  # contains, any case
    assert await names(number="INV-") == {"small", "large", "yen"}  # a draft has no number
    assert await names(total_min="1200.00") == {"large", "yen", "draft"}  # inclusive
    assert await names(total_max="1200") == {"small", "large", "draft"}  # inclusive
    assert await names(total_max="1199.99") == {"small"}
    assert await names(total_min="99.99", total_max="99.99") == {"small"}
    assert await names(due_from="2025-02-19") == {"large", "yen"}  # inclusive
    assert await names(due_to="2025-02-09") == {"small", "draft"}  # inclusive
    assert await names(due_from="2025-02-10", due_to="2025-02-28") == {"large"}
    assert await names(currency="EUR", total_min="100", due_to="2025-02-19") == {"large", "draft"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "BHD"}, "currency"),
        ({"number": "x" * 201}, "number"),
        ({"number": "a\x00"}, "number"),
        ({"total_min": "ten"}, "total_min"),
        ({"total_min": "-1"}, "total_min"),
        ({"total_max": "1.001"}, "total_max"),
        ({"total_max": "1e9"}, "total_max"),
        ({"total_min": "5", "total_max": "4.99"}, "total_min"),
        ({"due_from": "2025-02-30"}, "due_from"),
        ({"due_to": "0001-01-01"}, "due_to"),
        ({"due_from": "2025-03-01", "due_to": "2025-02-01"}, "due_from"),
    ],
)
async def test_a_bad_filter_value_is_a_422_naming_the_parameter(
    client: httpx.AsyncClient, admin: dict[str, str], params: dict[str, Any], field: str
) -> None:
    assert fields_of(await client.get(INVOICES, params=params, headers=admin)) == [field]
