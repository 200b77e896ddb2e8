"""Bad input is never a 5xx: every operation, sent ids beyond 64 bits, NUL characters, long
text in its parameters and bodies over the limit, answers a 4xx in the one error shape; a
parameter's 422 names it (tb_platform.testing.bad_input)."""

import httpx
from fastapi import FastAPI

from notification_service.services.receipts import record_receipt
from tb_platform.testing import TokenFactory
from tb_platform.testing.bad_input import sweep_bad_input
from tb_platform.testing.fuzz import FuzzSeed
from tb_platform.uow import Actor, unit_of_work

from .conftest import new_invoice_id, paid_event


async def test_bad_input_is_a_4xx_naming_the_field_never_a_5xx(
    app: FastAPI, tokens: TokenFactory
) -> None:
    async def a_receipt(client: httpx.AsyncClient, admin: dict[str, str]) -> FuzzSeed:
        async with unit_of_work(app.state.database, actor=Actor.system("tests")) as uow:
            notification = await record_receipt(uow, event=paid_event(new_invoice_id()))
        return FuzzSeed(path_values={"notification_id": [notification]})

    run = await sweep_bad_input(app, tokens, seed=a_receipt)
    print(run)
    for kind in ("path.id 2**70", "query.id 2**70", "query.nul", "query.long"):
        assert run.sent[kind] > 0, kind
