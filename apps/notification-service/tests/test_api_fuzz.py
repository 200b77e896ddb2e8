"""Every operation, as every role and without a token, answers within the documented contract:
no 5xx, only the statuses, content types and bodies its OpenAPI entry lists (schemathesis)."""

import httpx
from fastapi import FastAPI

from notification_service.services.receipts import record_receipt
from tb_platform.testing import TokenFactory
from tb_platform.testing.fuzz import FuzzSeed, fuzz_api
from tb_platform.uow import Actor, unit_of_work

from .conftest import new_invoice_id, paid_event


async def test_every_answer_keeps_the_api_contract(app: FastAPI, tokens: TokenFactory) -> None:
    async def a_receipt(client: httpx.AsyncClient, admin: dict[str, str]) -> FuzzSeed:
        """One pending receipt (recorded in the run's transaction, as the worker would)."""
        async with unit_of_work(app.state.database, actor=Actor.system("tests")) as uow:
            notification = await record_receipt(uow, event=paid_event(new_invoice_id()))
        return FuzzSeed(path_values={"notification_id": [notification]})

    run = await fuzz_api(app, tokens, seed=a_receipt)
    assert run.requests > 0
