"""Customers: creating, defaults, searching, changing and deleting them."""

from typing import Any

import httpx
import pytest

from .conftest import CUSTOMERS, Factory, fields_of


async def test_an_accountant_creates_a_customer_with_every_field(
    client: httpx.AsyncClient, accountant: dict[str, str]
) -> None:
    body = {
        "name": "Acme Trading GmbH",
        "email": "billing@acme.test",
        "billing_address": "Hauptstrasse 1\n10115 Berlin",
        "tax_id": "DE123456789",
        "currency": "USD",
        "payment_terms_days": 14,
    }
    created = await client.post(CUSTOMERS, json=body, headers=accountant)

    assert created.status_code == 201, created.text
    customer = created.json()
    assert {k: customer[k] for k in body} == body
    assert isinstance(customer["id"], int)
    assert customer["created_at"]
    assert customer["updated_at"]
    fetched = await client.get(f"{CUSTOMERS}/{customer['id']}", headers=accountant)
    assert fetched.status_code == 200
    assert fetched.json() == customer


async def test_a_customer_defaults_to_euro_and_thirty_days(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post(CUSTOMERS, json={"name": "Plain"}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["currency"] == "EUR"
    assert created.json()["payment_terms_days"] == 30
    assert created.json()["email"] is None


async def test_a_lower_case_currency_is_upper_cased(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post(CUSTOMERS, json={"name": "Low", "currency": "gbp"}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["currency"] == "GBP"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "nul\x00byte"}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"billing_address": "x" * 1001}, "billing_address"),
        ({"tax_id": "x" * 51}, "tax_id"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": "KWD"}, "currency"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"payment_terms_days": 366}, "payment_terms_days"),
    ],
)
async def test_bad_customer_input_names_the_field(
    client: httpx.AsyncClient, admin: dict[str, str], change: dict[str, Any], field: str
) -> None:
    body = {"name": "Valid Name", **change}
    assert fields_of(await client.post(CUSTOMERS, json=body, headers=admin)) == [field]


async def test_patch_changes_only_what_is_sent(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(email="a@b.test", payment_terms_days=10)
    updated = await client.patch(
        f"{CUSTOMERS}/{customer['id']}",
        json={"name": "Renamed Ltd", "email": None},
        headers=admin,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Renamed Ltd"
    assert updated.json()["email"] is None
    assert updated.json()["payment_terms_days"] == 10
    assert fields_of(
        await client.patch(f"{CUSTOMERS}/{customer['id']}", json={"name": None}, headers=admin)
    ) == ["name"]
    assert fields_of(
        await client.patch(
            f"{CUSTOMERS}/{customer['id']}", json={"payment_terms_days": 400}, headers=admin
        )
    ) == ["payment_terms_days"]


async def test_search_and_sort(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    await make.customer(name="Zeta Widgets QX7", email="orders@zeta-qx7.test")
    await make.customer(name="Alpha Gadgets QX7", tax_id="QX7-TAX-1")
    await make.customer(name="Unrelated Company", email="hello@elsewhere.test")

    by_name = await client.get(CUSTOMERS, params={"q": "qx7"}, headers=admin)
    assert by_name.status_code == 200, by_name.text
    assert [c["name"] for c in by_name.json()["items"]] == ["Alpha Gadgets QX7", "Zeta Widgets QX7"]
    assert by_name.json()["total"] == 2
    by_email = await client.get(CUSTOMERS, params={"q": "ZETA-QX7.TEST"}, headers=admin)
    assert [c["name"] for c in by_email.json()["items"]] == ["Zeta Widgets QX7"]
    by_tax_id = await client.get(CUSTOMERS, params={"q": "qx7-tax"}, headers=admin)
    assert [c["name"] for c in by_tax_id.json()["items"]] == ["Alpha Gadgets QX7"]
    descending = await client.get(CUSTOMERS, params={"q": "qx7", "sort": "-name"}, headers=admin)
    assert [c["name"] for c in descending.json()["items"]] == [
        "Zeta Widgets QX7",
        "Alpha Gadgets QX7",
    ]
    by_id = await client.get(CUSTOMERS, params={"q": "qx7", "sort": "-id"}, headers=admin)
    ids = [c["id"] for c in by_id.json()["items"]]
    assert ids == sorted(ids, reverse=True)

    assert fields_of(await client.get(CUSTOMERS, params={"sort": "email"}, headers=admin)) == [
        "sort"
    ]


async def test_list_paging_shape(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    for n in range(3):
        await make.customer(name=f"Paged PG9 {n}")
    page = await client.get(CUSTOMERS, params={"q": "pg9", "limit": 2}, headers=admin)
    assert page.status_code == 200, page.text
    body = page.json()
    assert set(body) >= {"items", "total", "limit", "offset", "next_cursor"}
    assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (3, 2, 0, 2)
    assert body["next_cursor"]
    rest = await client.get(
        CUSTOMERS, params={"q": "pg9", "limit": 2, "cursor": body["next_cursor"]}, headers=admin
    )
    assert [c["name"] for c in rest.json()["items"]] == ["Paged PG9 2"]


async def test_a_customer_with_invoices_cannot_be_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    busy = await make.customer()
    await make.draft(busy)
    refused = await client.delete(f"{CUSTOMERS}/{busy['id']}", headers=admin)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "customer_has_invoices"
    assert (await client.get(f"{CUSTOMERS}/{busy['id']}", headers=admin)).status_code == 200

    idle = await make.customer()
    assert (await client.delete(f"{CUSTOMERS}/{idle['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{CUSTOMERS}/{idle['id']}", headers=admin)).status_code == 404


async def test_unknown_and_impossible_customer_ids(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert (await client.get(f"{CUSTOMERS}/2147483647", headers=admin)).status_code == 404
    for bad in ("2147483648", "0", "abc"):
        response = await client.get(f"{CUSTOMERS}/{bad}", headers=admin)
        assert response.status_code == 422, (bad, response.text)
    patch = await client.patch(f"{CUSTOMERS}/2147483648", json={"name": "x"}, headers=admin)
    assert patch.status_code == 422
    assert (await client.delete(f"{CUSTOMERS}/2147483647", headers=admin)).status_code == 404


def _refused_as_duplicate(response: httpx.Response, existing: dict[str, Any]) -> None:
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "duplicate_tax_id"
    assert existing["name"] in body["detail"]
    assert str(existing["id"]) in body["detail"]
    assert body["existing_customer"] == {"id": existing["id"], "name": existing["name"]}


async def test_a_second_customer_with_the_same_tax_id_is_refused_naming_the_first(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    first = await make.customer(name="Tax Twin One GmbH", tax_id="DE 811 907 980")
    for spelling in ("DE811907980", " de811907980 ", "de 811 907980", "DE\t811 907 980"):
        response = await client.post(
            CUSTOMERS, json={"name": "Tax Twin Two", "tax_id": spelling}, headers=admin
        )
        _refused_as_duplicate(response, first)
    listed = await client.get(CUSTOMERS, params={"q": "Tax Twin"}, headers=admin)
    assert [c["id"] for c in listed.json()["items"]] == [first["id"]]

    # Another tax id, or none at all, is fine; so is the same email (one buyer, two companies).
    other = await make.customer(name="Tax Twin Three", tax_id="DE811907981", email="buyer@x.test")
    same_email = await make.customer(name="Tax Twin Four", email="buyer@x.test")
    assert same_email["email"] == other["email"]
    await make.customer(name="No Tax Id A")
    await make.customer(name="No Tax Id B")


async def test_patching_a_customer_to_a_tax_id_in_use_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    first = await make.customer(name="Patch Twin One", tax_id="FR40303265045")
    second = await make.customer(name="Patch Twin Two", tax_id="FR11111111111")

    response = await client.patch(
        f"{CUSTOMERS}/{second['id']}", json={"tax_id": "fr 40303265045"}, headers=admin
    )
    _refused_as_duplicate(response, first)
    unchanged = await client.get(f"{CUSTOMERS}/{second['id']}", headers=admin)
    assert unchanged.json()["tax_id"] == "FR11111111111"

    # A customer may keep, or respell, its own tax id.
    for spelling in ("FR40303265045", "FR 403 032 650 45"):
        own = await client.patch(
            f"{CUSTOMERS}/{first['id']}", json={"tax_id": spelling}, headers=admin
        )
        assert own.status_code == 200, own.text
        assert own.json()["tax_id"] == spelling
    renamed = await client.patch(f"{CUSTOMERS}/{first['id']}", json={"name": "X"}, headers=admin)
    assert renamed.status_code == 200, renamed.text
