"""Bad input is a 422 naming the field (or a 409 for a state conflict), never a 500."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from .conftest import CUSTOMERS, INVOICES, Factory, fields_of, line

TOO_BIG = 2**31


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "-1"}, "lines.0.quantity"),
        ({"quantity": "0"}, "lines.0.quantity"),
        ({"quantity": "1.2345"}, "lines.0.quantity"),
        ({"quantity": "abc"}, "lines.0.quantity"),
        ({"quantity": "NaN"}, "lines.0.quantity"),
        ({"quantity": "Infinity"}, "lines.0.quantity"),
        ({"quantity": True}, "lines.0.quantity"),
        ({"unit_price": "-0.01"}, "lines.0.unit_price"),
        ({"unit_price": "0.335"}, "lines.0.unit_price"),
        ({"unit_price": "1e20"}, "lines.0.unit_price"),
        # Decimal text is plain digits and one point: what Decimal() would also read is refused.
        ({"unit_price": "1_000"}, "lines.0.unit_price"),
        ({"unit_price": " 12 "}, "lines.0.unit_price"),
        ({"unit_price": "1e3"}, "lines.0.unit_price"),
        ({"unit_price": "+5"}, "lines.0.unit_price"),
        ({"quantity": "1_0"}, "lines.0.quantity"),
        ({"quantity": "2 "}, "lines.0.quantity"),
        ({"discount_percent": "1e1"}, "lines.0.discount_percent"),
        ({"tax_rate": " 19"}, "lines.0.tax_rate"),
        ({"discount_percent": "-1"}, "lines.0.discount_percent"),
        ({"discount_percent": "100.01"}, "lines.0.discount_percent"),
        ({"tax_rate": "100.5"}, "lines.0.tax_rate"),
        ({"tax_rate": 101}, "lines.0.tax_rate"),
        ({"tax_rate": "-5"}, "lines.0.tax_rate"),
        ({"description": ""}, "lines.0.description"),
        ({"description": "x" * 501}, "lines.0.description"),
        ({"description": "bad\x00byte"}, "lines.0.description"),
    ],
)
async def test_bad_lines_name_the_field(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    change: dict[str, Any],
    field: str,
) -> None:
    customer = await make.customer()
    body = {"customer_id": customer["id"], "lines": [{**line("1", "10.00"), **change}]}
    assert fields_of(await client.post(INVOICES, json=body, headers=admin)) == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "XXX"}, "currency"),
        ({"currency": "KWD"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"issue_date": "2025-02-30"}, "issue_date"),
        ({"notes": "nul\x00"}, "notes"),
        ({"employee_id": TOO_BIG}, "employee_id"),
        ({"customer_id": TOO_BIG}, "customer_id"),
        ({"customer_id": 0}, "customer_id"),
        ({"customer_id": 2_147_483_647}, "customer_id"),  # in range but no such customer
    ],
)
async def test_bad_invoice_fields_name_the_field(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    change: dict[str, Any],
    field: str,
) -> None:
    customer = await make.customer()
    body = {"customer_id": customer["id"], "lines": [line()], **change}
    assert fields_of(await client.post(INVOICES, json=body, headers=admin)) == [field]


async def test_due_date_before_issue_date_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer()
    body = {
        "customer_id": customer["id"],
        "issue_date": "2025-05-10",
        "due_date": "2025-05-09",
        "lines": [line()],
    }
    assert fields_of(await client.post(INVOICES, json=body, headers=admin)) == ["due_date"]
    same_day = await client.post(INVOICES, json={**body, "due_date": "2025-05-10"}, headers=admin)
    assert same_day.status_code == 201, same_day.text


async def test_a_missing_customer_or_lines_field_is_422(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(INVOICES, json={"lines": [line()]}, headers=admin)
    assert "customer_id" in fields_of(response)
    not_a_list = await client.post(
        INVOICES, json={"customer_id": 1, "lines": "many"}, headers=admin
    )
    assert not_a_list.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        f"{INVOICES}/{TOO_BIG}",
        f"{INVOICES}/{TOO_BIG}/payments",
        f"{INVOICES}/{TOO_BIG}/credit-notes",
        f"{INVOICES}/{TOO_BIG}/pdf",
        f"{INVOICES}/0",
        f"{INVOICES}/-1",
        f"{CUSTOMERS}/{TOO_BIG}",
        f"{INVOICES}?customer_id={TOO_BIG}",
        f"{INVOICES}?employee_id={TOO_BIG}",
        f"{INVOICES}?limit=0",
        f"{INVOICES}?limit=201",
        f"{INVOICES}?offset=-1",
        f"{INVOICES}?sort=customer_name",
        f"{INVOICES}?sort=-password",
        f"{INVOICES}?status=overdone",
        f"{INVOICES}?issued_from=yesterday",
        f"{INVOICES}?cursor=not-a-cursor",
        f"{CUSTOMERS}?limit=0",
        f"{CUSTOMERS}?sort=nonsense",
        "/api/v1/tax-records?from=2025-13-01",
        "/api/v1/invoices/summary?to=someday",
        "/api/v1/invoices/aging?as_of=2025-02-30",
    ],
)
async def test_bad_paths_and_queries_are_422_not_500(
    client: httpx.AsyncClient, admin: dict[str, str], path: str
) -> None:
    response = await client.get(path, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


async def test_a_nul_in_a_search_is_not_a_500(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    for path in (INVOICES, CUSTOMERS):
        response = await client.get(path, params={"q": "nul\x00"}, headers=admin)
        assert response.status_code in (200, 422), response.text
        if response.status_code == 200:
            assert response.json()["items"] == []


async def test_bad_sort_and_limit_name_the_query_parameter(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert fields_of(await client.get(INVOICES, params={"sort": "secret"}, headers=admin)) == [
        "sort"
    ]
    assert fields_of(await client.get(INVOICES, params={"limit": 0}, headers=admin)) == ["limit"]


async def test_huge_ids_in_actions_are_422(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    for method, suffix, body in [
        ("PATCH", "", {"notes": "x"}),
        ("DELETE", "", None),
        ("POST", "/issue", None),
        ("POST", "/void", {"reason": "x"}),
        ("POST", "/payments", {"amount": "1.00", "method": "cash"}),
        ("POST", "/credit-notes", {"reason": "x", "amount": "1.00", "tax_rate": "0"}),
    ]:
        response = await client.request(
            method, f"{INVOICES}/{TOO_BIG}{suffix}", json=body, headers=admin
        )
        assert response.status_code == 422, (method, suffix, response.text)

    invoice = await make.issued()
    credit = await client.post(
        f"{INVOICES}/{invoice['id']}/credit-notes",
        json={"reason": "x", "lines": [{"line_id": TOO_BIG}]},
        headers=admin,
    )
    assert credit.status_code == 422, credit.text
    patch = await client.patch(
        f"{INVOICES}/{(await make.draft())['id']}",
        json={"customer_id": TOO_BIG},
        headers=admin,
    )
    assert fields_of(patch) == ["customer_id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "1_0"}, "amount"),
        ({"amount": " 10 "}, "amount"),
        ({"amount": "1e1"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"method": "cheque"}, "method"),
        ({"paid_at": "2025-01-01T10:00:00"}, "paid_at"),  # naive
        ({"reference": "nul\x00"}, "reference"),
    ],
)
async def test_bad_payments_name_the_field(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    change: dict[str, Any],
    field: str,
) -> None:
    invoice = await make.issued()
    body = {"amount": "10.00", "method": "cash", **change}
    response = await client.post(f"{INVOICES}/{invoice['id']}/payments", json=body, headers=admin)
    assert fields_of(response) == [field]
    assert (await make.get(invoice["id"]))["payments"] == []


async def test_a_payment_in_the_future_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "10.00", "method": "cash", "paid_at": tomorrow},
        headers=admin,
    )
    assert fields_of(response) == ["paid_at"]


async def test_a_payment_above_the_balance_names_amount(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("1", "100.00")])
    await make.pay(invoice["id"], "60.00")
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "40.01", "method": "card"},
        headers=admin,
    )
    assert fields_of(response) == ["amount"]
    exact = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "40.00", "method": "card"},
        headers=admin,
    )
    assert exact.status_code == 201, exact.text


async def test_an_idempotency_key_longer_than_200_characters_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "10.00", "method": "cash"},
        headers={**admin, "Idempotency-Key": "k" * 201},
    )
    assert response.status_code == 422, response.text
    assert (await make.get(invoice["id"]))["payments"] == []


async def test_a_malformed_json_body_is_422(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        INVOICES,
        content=b'{"customer_id": 1, "lines": [',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
