"""The RBAC matrix generated from the permission tables: every route by every role, each answer the
one the table gives (2xx or 403), and 401 without a token. A route added without a rule or
without a probe here fails it."""

from fastapi import FastAPI

from notification_service.core.permissions import POLICY
from notification_service.services.receipts import record_receipt
from notification_service.worker import WORKER
from tb_platform.testing import TokenFactory
from tb_platform.testing.rbac import Call, Cell, Probe, platform_probes, run_matrix
from tb_platform.uow import Actor, unit_of_work

from .conftest import new_invoice_id, paid_event


async def _receipt(cell: Cell) -> int:
    async with unit_of_work(cell.app.state.database, actor=Actor.system("tests")) as uow:
        notification_id = await record_receipt(uow, event=paid_event(new_invoice_id()))
    assert notification_id is not None
    return notification_id


async def notifications(cell: Cell) -> Call:
    await _receipt(cell)
    return Call()


async def notification(cell: Cell) -> Call:
    return Call(path={"notification_id": await _receipt(cell)})


PROBES: dict[str, Probe] = {
    **platform_probes(worker=WORKER),
    "GET /api/v1/notifications": notifications,
    "GET /api/v1/notifications/{notification_id}": notification,
}


async def test_every_route_answers_every_role_as_the_permission_table_says(
    app: FastAPI, tokens: TokenFactory
) -> None:
    result = await run_matrix(app, policy=POLICY, tokens=tokens, probes=PROBES)

    print(f"\nnotification-service RBAC matrix: {result.summary()}")
    assert result.ok, result.report()
    assert result.cells >= 11 * 5
