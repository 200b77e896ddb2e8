"""Every operation, as every role and without a token, answers within the documented contract:
no 5xx, only the statuses, content types and bodies its OpenAPI entry lists (schemathesis)."""

import httpx
from fastapi import FastAPI

from tb_platform.events.catalog import AssetCreated, EmployeeCreated, InvoiceIssued
from tb_platform.testing import TokenFactory
from tb_platform.testing.fuzz import FuzzSeed, fuzz_api

from .conftest import Feed, asset, at, employee, event, invoice


async def test_every_answer_keeps_the_api_contract(app: FastAPI, tokens: TokenFactory) -> None:
    async def some_figures(client: httpx.AsyncClient, admin: dict[str, str]) -> FuzzSeed:
        """A summary with something in every part (the events apply in the run's transaction)."""
        await Feed(app).apply(
            event(EmployeeCreated(**employee(1, department=(10, "Engineering"))), time=at(1)),
            event(AssetCreated(**asset(1, cost="1200.00", book_value="900.50")), time=at(2)),
            event(InvoiceIssued(**invoice(1, total="10000", currency="JPY")), time=at(3)),
        )
        return FuzzSeed()

    run = await fuzz_api(app, tokens, seed=some_figures)
    assert run.requests > 0
