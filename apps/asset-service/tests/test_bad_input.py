"""Bad input is never a 5xx: every operation, sent ids beyond 64 bits, NUL characters, 1 MB
strings, NaN and 1e400 as amounts, 100 000 levels of nesting and bodies over the limit, answers
a 4xx in the one error shape; a field's 422 names the field (tb_platform.testing.bad_input)."""

import httpx
from fastapi import FastAPI

from tb_platform.testing import TokenFactory
from tb_platform.testing.bad_input import sweep_bad_input
from tb_platform.testing.fuzz import FuzzSeed

from .conftest import Factory, Staff


async def test_bad_input_is_a_4xx_naming_the_field_never_a_5xx(
    app: FastAPI, tokens: TokenFactory, staff: Staff
) -> None:
    async def an_asset_in_repair(client: httpx.AsyncClient, admin: dict[str, str]) -> FuzzSeed:
        make = Factory(client, admin)
        category = await make.category()
        asset = await make.asset(category)
        repair = await make.open_maintenance(asset)
        return FuzzSeed(
            path_values={
                "asset_id": [asset["id"]],
                "category_id": [category["id"]],
                "log_id": [repair["id"]],
                "employee_id": [staff.alice["id"]],
                "ids": [asset["id"]],
            },
            employee_id=staff.alice["id"],
        )

    run = await sweep_bad_input(app, tokens, seed=an_asset_in_repair)
    print(run)
    # Each kind of bad input reached the API (the import's upload among them).
    for kind in (
        "path.id 2**70",
        "query.id 2**70",
        "query.nul",
        "body.nul",
        "body.long",
        "body.number NaN",
        "body.number 1e-400",
        "body.integer 2**70",
        "body.deep",
        "body.too large",
        "body.stream",
        "upload.nul",
    ):
        assert run.sent[kind] > 0, kind
