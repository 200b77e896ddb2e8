"""Keyset pages over a column that is NULL for some rows: an invoice's number while it is a draft."""

import httpx
import pytest

from .conftest import Factory

INVOICES = "/api/v1/invoices"


@pytest.mark.parametrize("sort", ["number", "-number"])
async def test_cursor_pages_sorted_by_number_visit_drafts_and_issued_invoices_once(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, sort: str
) -> None:
    customer = await make.customer()
    drafts = [await make.draft(customer) for _ in range(3)]
    issued = [await make.issued(customer) for _ in range(4)]
    expected = {invoice["id"] for invoice in drafts + issued}

    seen: list[dict[str, object]] = []
    params: dict[str, object] = {"sort": sort, "limit": 2, "customer_id": customer["id"]}
    for _ in range(10):
        response = await client.get(INVOICES, params=params, headers=admin)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        params = {
            "sort": sort,
            "limit": 2,
            "customer_id": customer["id"],
            "cursor": page["next_cursor"],
        }

    ids = [invoice["id"] for invoice in seen]
    assert len(ids) == len(set(ids)), "an invoice was repeated"
    assert set(ids) == expected, "an invoice was skipped"
    numbers = [invoice["number"] for invoice in seen]
    numbered = [n for n in numbers if n is not None]
    # PostgreSQL's order: NULLs last when ascending, first when descending.
    if sort == "number":
        assert numbers == [*sorted(numbered), *([None] * len(drafts))]
    else:
        assert numbers == [*([None] * len(drafts)), *sorted(numbered, reverse=True)]
