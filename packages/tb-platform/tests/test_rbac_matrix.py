"""The RBAC matrix (tb_platform.testing.rbac) on a tiny app with a permission table: it passes an
app that keeps its table, and names a route without a rule, a route without a probe and every
answer that differs from the table (an endpoint that forgets its check, one that is too strict)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
import pytest_asyncio
from fastapi import APIRouter, Depends, FastAPI, Request, Response, status

from tb_platform.app import create_service_app
from tb_platform.errors import NotFound
from tb_platform.rbac import (
    ALL,
    AUTHENTICATED,
    OWN,
    PUBLIC,
    READ,
    WRITE,
    Access,
    AnyAuthenticated,
    Grant,
    Policy,
    Rule,
    rule_of,
)
from tb_platform.security import CurrentPrincipal
from tb_platform.settings import ServiceSettings
from tb_platform.testing import TokenFactory
from tb_platform.testing.rbac import (
    Call,
    Cell,
    Probe,
    Target,
    platform_probes,
    route_rules,
    run_matrix,
)
from tb_platform.types import Id

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
TOKENS = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")
ROLES = ("admin", "viewer", "employee")
pytestmark = pytest.mark.asyncio(loop_scope="module")

POLICY = Policy(
    {
        "admin": {"gadgets": {READ: ALL, WRITE: ALL}},
        "viewer": {"gadgets": {READ: ALL}},
        # Their own gadgets; writing (recalling) one needs all of them.
        "employee": {"gadgets": {READ: OWN, WRITE: OWN}},
    }
)
ReadGadgets = Annotated[Grant, Depends(POLICY.require("gadgets", READ))]
WriteGadgets = Annotated[Grant, Depends(POLICY.require("gadgets", WRITE))]
RecallGadgets = Annotated[Grant, Depends(POLICY.require("gadgets", WRITE, scope=ALL))]


def _routers(*, flaw: str | None) -> list[APIRouter]:
    """The gadgets API; ``flaw`` breaks one thing the matrix must notice."""
    router = APIRouter(prefix="/gadgets", tags=["gadgets"])

    def owners(request: Request) -> dict[int, int]:
        # The rows live in memory: what the matrix checks is who may reach them.
        gadgets: dict[int, int] = request.app.state.gadgets
        return gadgets

    @router.get("")
    async def list_gadgets(grant: ReadGadgets, request: Request) -> dict[str, Any]:
        rows = [
            {"id": gadget, "owner_id": owner}
            for gadget, owner in owners(request).items()
            if flaw == "list shows all" or grant.covers(owner)
        ]
        return {"items": rows, "total": len(rows)}

    @router.get("/{gadget_id}")
    async def read_gadget(gadget_id: Id, grant: ReadGadgets, request: Request) -> dict[str, int]:
        owner = owners(request).get(gadget_id)
        if owner is None or (flaw != "forgets the owner" and not grant.covers(owner)):
            raise NotFound(f"Gadget {gadget_id} not found")
        return {"id": gadget_id, "owner_id": owner}

    @router.post("/{gadget_id}/fix")
    async def fix_gadget(gadget_id: Id, grant: WriteGadgets, request: Request) -> dict[str, int]:
        owner = owners(request).get(gadget_id)
        if owner is None or not grant.covers(owner):
            raise NotFound(f"Gadget {gadget_id} not found")
        return {"id": gadget_id, "owner_id": owner}

    @router.delete("/{gadget_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def recall_gadget(gadget_id: Id, _: RecallGadgets, request: Request) -> Response:
        owners(request).pop(gadget_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    if flaw == "unruled":

        @router.post("/{gadget_id}/paint")
        async def paint_gadget(gadget_id: Id, principal: CurrentPrincipal) -> dict[str, int]:
            return {"id": gadget_id}

    if flaw == "too strict":

        @router.get("/{gadget_id}/manual")
        async def manual(gadget_id: Id, grant: ReadGadgets) -> dict[str, int]:
            if not grant.sees_all:  # a rule hidden in code, not in the table
                raise NotFound(f"Gadget {gadget_id} not found")
            return {"id": gadget_id}

    me = APIRouter(prefix="/me", tags=["me"])

    @me.get("")
    async def who_am_i(principal: AnyAuthenticated) -> dict[str, int | None]:
        return {"employee_id": principal.employee_id}

    @me.get("/ping", dependencies=[PUBLIC])
    async def ping() -> dict[str, str]:
        return {"ping": "pong"}

    if flaw == "no token asked":

        @me.get("/badge", dependencies=[AUTHENTICATED])
        async def badge() -> dict[str, str]:
            return {"badge": "anyone's"}  # declared authenticated, but checks no token

    return [router, me]


async def _gadget(cell: Cell, owner: int) -> int:
    gadgets: dict[int, int] = cell.app.state.gadgets
    gadget = max(gadgets, default=0) + 1
    gadgets[gadget] = owner
    return gadget


async def _list(cell: Cell) -> Call | None:
    if cell.target is Target.OTHER:
        return None  # no way to ask for someone else's list
    await _gadget(cell, cell.me)
    await _gadget(cell, cell.other)
    return Call(owner="owner_id")


async def _one(cell: Cell) -> Call:
    return Call(path={"gadget_id": await _gadget(cell, cell.owner)})


async def _plain(cell: Cell) -> Call:
    return Call()


PROBES: dict[str, Probe] = {
    **platform_probes(audit=False),
    "GET /api/v1/gadgets": _list,
    "GET /api/v1/gadgets/{gadget_id}": _one,
    "POST /api/v1/gadgets/{gadget_id}/fix": _one,
    "DELETE /api/v1/gadgets/{gadget_id}": _one,
    "GET /api/v1/me": _plain,
    "GET /api/v1/me/ping": _plain,
}


def _app(database_url: str, flaw: str | None = None) -> FastAPI:
    settings = ServiceSettings(
        service_name="gadget-service",
        environment="test",
        jwt_secret=SECRET,
        database_url=database_url,
    )
    app = create_service_app(
        settings=settings, title="Gadgets", description="", routers=_routers(flaw=flaw)
    )
    app.state.gadgets = {}
    return app


@pytest_asyncio.fixture(loop_scope="module")
async def build(database_url: str) -> AsyncIterator[Any]:
    built: list[FastAPI] = []

    def make(flaw: str | None = None) -> FastAPI:
        app = _app(database_url, flaw)
        built.append(app)
        return app

    yield make
    for app in built:
        await app.state.database.dispose()


async def test_each_route_lists_the_rules_its_dependencies_carry(database_url: str) -> None:
    routes = {route.key: route for route in route_rules(_app(database_url, "unruled"))}

    fix = routes["POST /api/v1/gadgets/{gadget_id}/fix"]
    assert fix.rules == (Rule(POLICY, "gadgets", WRITE),)
    assert routes["DELETE /api/v1/gadgets/{gadget_id}"].rules == (
        Rule(POLICY, "gadgets", WRITE, ALL),
    )
    assert routes["DELETE /api/v1/gadgets/{gadget_id}"].success == 204
    assert routes["GET /api/v1/me"].access is Access.AUTHENTICATED
    for public in ("GET /health", "GET /ready", "GET /", "GET /docs", "GET /api/v1/me/ping"):
        assert routes[public].public, public
    assert [key for key, route in routes.items() if route.missing] == [
        "POST /api/v1/gadgets/{gadget_id}/paint"
    ]
    assert isinstance(rule_of(POLICY.require("gadgets", READ)), Rule)


async def test_an_app_that_keeps_its_table_passes(build: Any) -> None:
    result = await run_matrix(build(), policy=POLICY, tokens=TOKENS, probes=PROBES, roles=ROLES)

    assert result.ok, result.report()
    assert result.cells == 12 * 3
    seen = {(o.route, o.caller, o.target, o.got) for o in result.outcomes}
    one = "GET /api/v1/gadgets/{gadget_id}"
    assert (one, "employee", Target.OWN, "200") in seen
    assert (one, "employee", Target.OTHER, "404") in seen
    assert (one, "viewer", Target.ANY, "200") in seen
    assert (one, "no token", Target.ANY, "401") in seen
    recall = "DELETE /api/v1/gadgets/{gadget_id}"
    assert (recall, "employee", Target.ANY, "403") in seen
    assert (recall, "viewer", Target.ANY, "403") in seen
    assert ("GET /health", "no token", Target.ANY, "200") in seen


async def test_a_route_without_a_rule_is_reported(build: Any) -> None:
    probes = {**PROBES, "POST /api/v1/gadgets/{gadget_id}/paint": _one}
    result = await run_matrix(build("unruled"), tokens=TOKENS, probes=probes, roles=ROLES)

    assert not result.ok
    assert result.missing_rules == ["POST /api/v1/gadgets/{gadget_id}/paint"]
    assert "Routes without a rule" in result.report()
    assert "POST /api/v1/gadgets/{gadget_id}/paint" in result.report()
    assert result.mismatches == []


async def test_a_route_without_a_probe_is_reported(build: Any) -> None:
    probes = dict(PROBES)
    del probes["POST /api/v1/gadgets/{gadget_id}/fix"]
    probes["GET /api/v1/gadgets/{gadget_id}/gone"] = _one
    result = await run_matrix(build(), tokens=TOKENS, probes=probes, roles=ROLES)

    assert not result.ok
    assert result.missing_probes == ["POST /api/v1/gadgets/{gadget_id}/fix"]
    assert result.unknown_probes == ["GET /api/v1/gadgets/{gadget_id}/gone"]
    report = result.report()
    assert "Routes without a probe" in report
    assert "Probes of no route of the app" in report


async def test_every_wrong_answer_is_reported_in_one_table(build: Any) -> None:
    result = await run_matrix(
        build("forgets the owner"), policy=POLICY, tokens=TOKENS, probes=PROBES, roles=ROLES
    )

    assert not result.ok
    wrong = [(o.route, o.caller, o.target, o.expected, o.got) for o in result.mismatches]
    assert wrong == [("GET /api/v1/gadgets/{gadget_id}", "employee", Target.OTHER, 404, "200")]
    report = result.report()
    assert "1 answer(s) differ from the permission table" in report
    assert "GET /api/v1/gadgets/{gadget_id}  employee  other  404" in report


async def test_a_list_that_shows_others_rows_to_an_own_grant_is_wrong(build: Any) -> None:
    result = await run_matrix(build("list shows all"), tokens=TOKENS, probes=PROBES, roles=ROLES)

    wrong = [(o.route, o.caller, o.got) for o in result.mismatches]
    assert len(wrong) == 1
    assert wrong[0][:2] == ("GET /api/v1/gadgets", "employee")
    assert wrong[0][2].startswith("200 (rows of ")


async def test_an_endpoint_stricter_than_its_table_is_wrong(build: Any) -> None:
    probes = {**PROBES, "GET /api/v1/gadgets/{gadget_id}/manual": _one}
    result = await run_matrix(build("too strict"), tokens=TOKENS, probes=probes, roles=ROLES)

    wrong = {(o.route, o.caller, o.target, o.got) for o in result.mismatches}
    assert wrong == {("GET /api/v1/gadgets/{gadget_id}/manual", "employee", Target.OWN, "404")}


async def test_a_role_of_the_table_the_matrix_skips_is_reported(build: Any) -> None:
    result = await run_matrix(
        build(), policy=POLICY, tokens=TOKENS, probes=PROBES, roles=("admin", "employee")
    )

    assert result.table_problems == ["roles of the table the matrix does not call as: ['viewer']"]
    assert not result.ok


async def test_a_probe_that_cannot_seed_is_reported_not_raised(build: Any) -> None:
    async def broken(cell: Cell) -> Call:
        raise RuntimeError("no such fixture")

    probes = {**PROBES, "GET /api/v1/gadgets/{gadget_id}": broken}
    result = await run_matrix(build(), tokens=TOKENS, probes=probes, roles=ROLES)

    failed = {o.got for o in result.mismatches}
    assert failed == {"probe failed"}
    assert "no such fixture" in result.report()


async def test_a_route_that_asks_no_token_must_be_declared_public(build: Any) -> None:
    probes = {**PROBES, "GET /api/v1/me/badge": _plain}
    result = await run_matrix(build("no token asked"), tokens=TOKENS, probes=probes, roles=ROLES)

    wrong = [(o.route, o.caller, o.expected, o.got) for o in result.mismatches]
    assert wrong == [("GET /api/v1/me/badge", "no token", 401, "200")]
