"""Every operation, as every role and without a token, answers within the documented contract:
no 5xx, only the statuses, content types and bodies its OpenAPI entry lists (schemathesis)."""

import httpx
from fastapi import FastAPI

from tb_platform.testing import TokenFactory
from tb_platform.testing.fuzz import FuzzSeed, fuzz_api

from .conftest import Factory, Staff


async def test_every_answer_keeps_the_api_contract(
    app: FastAPI, tokens: TokenFactory, staff: Staff
) -> None:
    async def assets_in_every_state(client: httpx.AsyncClient, admin: dict[str, str]) -> FuzzSeed:
        make = Factory(client, admin)
        category = await make.category()
        in_stock = await make.asset(category)
        assigned = await make.asset(category)
        await make.assign(assigned, staff.alice)
        repaired = await make.asset(category)
        repair = await make.open_maintenance(repaired)
        disposed = await make.asset(category)
        await make.dispose(disposed)
        return FuzzSeed(
            path_values={
                "asset_id": [a["id"] for a in (in_stock, assigned, repaired, disposed)],
                "category_id": [category["id"]],
                "log_id": [repair["id"]],
            },
            employee_id=staff.alice["id"],
        )

    run = await fuzz_api(app, tokens, seed=assets_in_every_state)
    assert run.requests > 0
