"""Every operation, as every role and without a token, answers within the documented contract:
no 5xx, only the statuses, content types and bodies its OpenAPI entry lists (schemathesis)."""

import httpx
from fastapi import FastAPI

from tb_platform.testing import TokenFactory
from tb_platform.testing.fuzz import FuzzSeed, fuzz_api

from .conftest import Factory


async def invoices_in_every_state(client: httpx.AsyncClient, admin: dict[str, str]) -> FuzzSeed:
    """A customer with a draft, an issued, a paid, a credited and a void invoice."""
    make = Factory(client, admin)
    customer = await make.customer(email="billing@customer.test")
    draft = await make.draft(customer)
    issued = await make.issued(customer)
    paid = await make.issued(customer)
    await make.pay(paid["id"], "100.00")
    credited = await make.issued(customer)
    await make.credit(credited["id"], amount="10.00")
    voided = await make.issued(customer)
    await make.void(voided["id"])
    return FuzzSeed(
        path_values={
            "customer_id": [customer["id"]],
            "invoice_id": [i["id"] for i in (draft, issued, paid, credited, voided)],
        },
        # The fake employee service knows every id: the tokens' employee is responsible for none.
        employee_id=501,
    )


async def test_every_answer_keeps_the_api_contract(app: FastAPI, tokens: TokenFactory) -> None:
    run = await fuzz_api(app, tokens, seed=invoices_in_every_state)
    assert run.requests > 0
