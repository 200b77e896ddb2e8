"""The RBAC matrix generated from the permission tables: every route by every role, each answer the
one the table gives (2xx or 403), and 401 without a token. A route added without a rule or
without a probe here fails it."""

from fastapi import FastAPI

from dashboard_service.core.permissions import POLICY
from dashboard_service.worker import WORKER
from tb_platform.testing import TokenFactory
from tb_platform.testing.rbac import Call, Cell, Probe, platform_probes, run_matrix


async def plain(cell: Cell) -> Call:
    return Call()


PROBES: dict[str, Probe] = {
    **platform_probes(worker=WORKER),
    "GET /api/v1/dashboard/summary": plain,
}


async def test_every_route_answers_every_role_as_the_permission_table_says(
    app: FastAPI, tokens: TokenFactory
) -> None:
    result = await run_matrix(app, policy=POLICY, tokens=tokens, probes=PROBES)

    print(f"\ndashboard-service RBAC matrix: {result.summary()}")
    assert result.ok, result.report()
    assert result.cells >= 10 * 5
