"""The seed-demo command against a fresh, migrated database: every status, and no duplicates."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from invoice_service.cli import main
from invoice_service.core.config import InvoiceSettings, get_settings
from invoice_service.main import create_app
from tb_platform.testing import TokenFactory, api_client, temporary_database

from .conftest import CUSTOMERS, INVOICES, TEST_SECRET, money


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with temporary_database("tb_cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("ENVIRONMENT", "test")
        get_settings.cache_clear()
        assert main(["migrate"]) == 0
        yield url
        get_settings.cache_clear()


async def _everything(url: str) -> dict[str, Any]:
    """Every customer and invoice (with its payments and credit notes), read through the API."""
    settings = InvoiceSettings(database_url=url, environment="test", jwt_secret=TEST_SECRET)
    app = create_app(settings)
    tokens = TokenFactory(
        secret=TEST_SECRET, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    admin = tokens.headers("admin", sub="cli-tests")
    try:
        async with api_client(app) as client:

            async def all_of(path: str) -> list[dict[str, Any]]:
                rows: list[dict[str, Any]] = []
                params: dict[str, Any] = {"limit": 200, "sort": "id"}
                while True:
                    response = await client.get(path, params=params, headers=admin)
                    assert response.status_code == 200, response.text
                    rows += response.json()["items"]
                    if not response.json()["next_cursor"]:
                        return rows
                    params = {**params, "cursor": response.json()["next_cursor"]}

            customers = await all_of(CUSTOMERS)
            invoices = [
                await _detail(client, admin, invoice["id"]) for invoice in await all_of(INVOICES)
            ]
    finally:
        await app.state.database.dispose()
    return {"customers": customers, "invoices": invoices}


async def _detail(client: httpx.AsyncClient, admin: dict[str, str], invoice_id: int) -> Any:
    response = await client.get(f"{INVOICES}/{invoice_id}", headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def _fingerprint(data: dict[str, Any]) -> tuple[Any, ...]:
    return (
        sorted(c["name"] for c in data["customers"]),
        sorted(
            (i["number"] or "", i["status"], i["total"], len(i["payments"]), len(i["credit_notes"]))
            for i in data["invoices"]
        ),
    )


def test_seed_demo_leaves_invoices_in_every_status_and_does_not_duplicate(
    migrated: str,
) -> None:
    assert main(["seed-demo"]) == 0
    first = asyncio.run(_everything(migrated))
    assert main(["seed-demo"]) == 0
    again = asyncio.run(_everything(migrated))

    assert _fingerprint(again) == _fingerprint(first)
    statuses = Counter(i["status"] for i in first["invoices"])
    assert set(statuses) >= {"draft", "issued", "partially_paid", "paid", "void"}, statuses
    assert any(i["is_overdue"] for i in first["invoices"])
    assert any(i["credit_notes"] for i in first["invoices"])
    assert len(first["customers"]) >= 2
    for invoice in first["invoices"]:
        # The demo data obeys the same arithmetic as everything else.
        assert money(invoice["total"]) == sum(money(r["total"]) for r in invoice["lines"])
        assert money(invoice["balance_due"]) == (
            money(invoice["total"])
            - money(invoice["credited_total"])
            - money(invoice["amount_paid"])
        )
    numbers = [i["number"] for i in first["invoices"] if i["number"]]
    assert len(numbers) == len(set(numbers))
