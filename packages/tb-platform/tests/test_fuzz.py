"""The API probe every service's test_api_fuzz.py runs: it passes a sound API and names each
answer that breaks the contract (a 5xx, a status or a content type the operation does not list)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, FastAPI
from fastapi.responses import PlainTextResponse

from tb_platform.app import create_service_app
from tb_platform.errors import AppError
from tb_platform.security import CurrentPrincipal
from tb_platform.settings import ServiceSettings
from tb_platform.testing import TokenFactory
from tb_platform.testing.fuzz import FuzzSeed, fuzz_api
from tb_platform.types import Id

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
pytestmark = pytest.mark.asyncio(loop_scope="module")


class _Teapot(AppError):
    status_code = 418
    code = "teapot"


def _router(*, broken: bool) -> APIRouter:
    router = APIRouter(prefix="/gadgets", tags=["gadgets"])

    @router.get("/{gadget_id}")
    async def read_gadget(gadget_id: Id, principal: CurrentPrincipal) -> dict[str, int]:
        if broken and principal.has_role("admin"):
            raise RuntimeError("a bug")
        return {"id": gadget_id}

    @router.get("/{gadget_id}/manual", response_class=PlainTextResponse)
    async def manual(gadget_id: Id, principal: CurrentPrincipal) -> str:
        if broken and principal.has_role("accountant"):
            raise _Teapot("I am a teapot")
        return f"Gadget {gadget_id}"

    return router


def _app(database_url: str, *, broken: bool) -> FastAPI:
    settings = ServiceSettings(
        service_name="gadget-service",
        environment="test",
        jwt_secret=SECRET,
        database_url=database_url,
    )
    return create_service_app(
        settings=settings, title="Gadgets", description="", routers=[_router(broken=broken)]
    )


@pytest_asyncio.fixture(loop_scope="module")
async def apps(database_url: str) -> AsyncIterator[dict[str, FastAPI]]:
    built = {"sound": _app(database_url, broken=False), "broken": _app(database_url, broken=True)}
    yield built
    for app in built.values():
        await app.state.database.dispose()


TOKENS = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")


async def test_a_sound_api_passes_and_every_operation_is_reached(
    apps: dict[str, FastAPI],
) -> None:
    seeded: list[int] = []

    async def seed(client: httpx.AsyncClient, admin: dict[str, str]) -> FuzzSeed:
        answer = await client.get("/api/v1/gadgets/7", headers=admin)
        seeded.append(answer.status_code)
        return FuzzSeed(path_values={"gadget_id": [7]}, employee_id=3)

    run = await fuzz_api(apps["sound"], TOKENS, max_examples=3, seed=seed)

    assert seeded == [200]
    assert run.failures == []
    for operation in ("GET /api/v1/gadgets/{gadget_id}", "GET /api/v1/gadgets/{gadget_id}/manual"):
        assert 200 in run.statuses[operation], run
        assert 401 in run.statuses[operation], run  # also asked without a token


async def test_a_server_error_and_an_undocumented_status_fail_the_probe(
    apps: dict[str, FastAPI],
) -> None:
    with pytest.raises(AssertionError) as failed:
        await fuzz_api(apps["broken"], TOKENS, max_examples=3)

    report = str(failed.value)
    assert "2 operation(s) broke the API contract" in report
    assert "GET /api/v1/gadgets/{gadget_id}:" in report
    assert "Server error" in report
    assert "GET /api/v1/gadgets/{gadget_id}/manual:" in report
    assert "Undocumented status code" in report
    assert "Received: 418" in report
