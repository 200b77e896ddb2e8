"""A mistyped query parameter is a 422 naming it, not a filter silently dropped."""

import httpx

from .conftest import Factory

API = "/api/v1"


def unknown(response: httpx.Response) -> list[str]:
    """The query parameters a 422 names as unknown (in the shared error shape)."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_error", body
    for error in body["detail"]:
        assert error["type"] == "extra_forbidden", error
        assert error["loc"] == ["query", error["field"]], error
        assert error["msg"].startswith(f"Unknown query parameter {error['field']!r}"), error
    return [error["field"] for error in body["detail"]]


async def test_a_typo_in_a_list_filter_is_refused_instead_of_listing_every_invoice(
    client: httpx.AsyncClient, accountant: dict[str, str], make: Factory
) -> None:
    customer = await make.customer()
    mine = await make.draft(customer)
    await make.draft()

    typo = await client.get(
        f"{API}/invoices", params={"customerid": customer["id"]}, headers=accountant
    )

    assert unknown(typo) == ["customerid"]
    right = await client.get(
        f"{API}/invoices", params={"customer_id": customer["id"]}, headers=accountant
    )
    assert right.status_code == 200, right.text
    assert [invoice["id"] for invoice in right.json()["items"]] == [mine["id"]]
    assert unknown(await client.get(f"{API}/customers?query=x", headers=accountant)) == ["query"]


async def test_reports_refuse_unknown_parameters(
    client: httpx.AsyncClient, accountant: dict[str, str]
) -> None:
    aging = await client.get(f"{API}/invoices/aging?asof=2025-01-31", headers=accountant)
    assert unknown(aging) == ["asof"]
    assert (
        await client.get(f"{API}/invoices/aging?as_of=2025-01-31", headers=accountant)
    ).status_code == 200
    # ``date_from`` is only the Python name of ``from``.
    taxes = await client.get(
        f"{API}/tax-records?date_from=2025-01-01&to=2025-01-31", headers=accountant
    )
    assert unknown(taxes) == ["date_from"]
    ok = await client.get(f"{API}/tax-records?from=2025-01-01&to=2025-01-31", headers=accountant)
    assert ok.status_code == 200, ok.text
    summary = await client.get(f"{API}/invoices/summary?form=2025-01-01", headers=accountant)
    assert unknown(summary) == ["form"]
