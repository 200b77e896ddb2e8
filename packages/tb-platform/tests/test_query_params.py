"""A query parameter a route does not declare is a 422 naming it, never silently ignored."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import AliasChoices, BaseModel, ConfigDict

from tb_platform.errors import install_error_handlers
from tb_platform.paging import ListParams, ListParamsDep
from tb_platform.query_params import STRICT_QUERY
from tb_platform.testing.harness import api_client

pytestmark = pytest.mark.asyncio


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    colour: str | None = None
    size_: int | None = None


class OpenFilters(BaseModel):
    model_config = ConfigDict(extra="allow")

    colour: str | None = None


def _status(status: Annotated[str | None, Query()] = None) -> str | None:
    return status


def _page(params: ListParams) -> dict[str, Any]:
    return {"limit": params.limit, "sort": params.sort}


def _things() -> APIRouter:
    router = APIRouter(prefix="/things")

    @router.get("")
    async def list_things(
        params: ListParamsDep,
        status: Annotated[str | None, Query()] = None,
        ids: Annotated[list[int] | None, Query()] = None,
    ) -> dict[str, Any]:
        return {**_page(params), "status": status, "ids": ids}

    @router.get("/report")
    async def report(
        date_from: Annotated[dt.date | None, Query(alias="from")] = None,
        status: Annotated[str | None, Depends(_status)] = None,
        colour: Annotated[
            str | None, Query(validation_alias=AliasChoices("colour", "color"))
        ] = None,
    ) -> dict[str, Any]:
        return {"from": date_from, "status": status, "colour": colour}

    @router.get("/filtered")
    async def filtered(filters: Annotated[Filters, Query()]) -> dict[str, Any]:
        return filters.model_dump()

    @router.get("/open")
    async def open_filters(filters: Annotated[OpenFilters, Query()]) -> dict[str, Any]:
        return filters.model_dump()

    @router.get("/bare")
    async def bare() -> dict[str, str]:
        return {"ok": "yes"}

    @router.post("")
    async def create_thing() -> dict[str, str]:
        return {"ok": "created"}

    return router


def _loose() -> APIRouter:
    """A router without STRICT_QUERY: its lists are still strict through ListParamsDep."""
    router = APIRouter(prefix="/loose")

    @router.get("")
    async def list_loose(
        params: ListParamsDep, status: Annotated[str | None, Query()] = None
    ) -> dict[str, Any]:
        return {**_page(params), "status": status}

    @router.get("/report")
    async def loose_report(at: Annotated[dt.date | None, Query()] = None) -> dict[str, Any]:
        return {"at": at}

    return router


@pytest.fixture(scope="module")
def service() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    api = APIRouter(dependencies=[STRICT_QUERY])
    api.include_router(_things())
    app.include_router(api, prefix="/api/v1")
    app.include_router(_loose(), prefix="/api/v1")
    return app


@pytest_asyncio.fixture
async def client(service: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(service) as http:
        yield http


def unknown(response: httpx.Response) -> list[str]:
    """The query parameters a 422 names as unknown (and checks the shared error shape)."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_error", body
    names = []
    for error in body["detail"]:
        assert error["type"] == "extra_forbidden", error
        assert error["loc"] == ["query", error["field"]], error
        assert error["msg"].startswith(f"Unknown query parameter {error['field']!r}"), error
        names.append(error["field"])
    return names


async def test_a_typo_in_a_list_filter_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/things", params={"stauts": "disposed"})
    assert unknown(response) == ["stauts"]
    message = response.json()["detail"][0]["msg"]
    # The message tells what the endpoint does accept, paging parameters included.
    for name in ("status", "ids", "limit", "offset", "cursor", "sort"):
        assert name in message


async def test_every_unknown_parameter_is_listed_once(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/things?stauts=a&limt=5&stauts=b&status=ok&sort=name")
    assert unknown(response) == ["stauts", "limt"]


async def test_declared_parameters_pass_repeated_or_not(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/things?ids=1&ids=2&status=ok&limit=5&sort=name")
    assert response.status_code == 200, response.text
    assert response.json() == {"limit": 5, "sort": "name", "status": "ok", "ids": [1, 2]}
    assert (await client.get("/api/v1/things")).status_code == 200


async def test_an_alias_is_the_name_and_the_python_name_is_unknown(
    client: httpx.AsyncClient,
) -> None:
    ok = await client.get("/api/v1/things/report?from=2024-01-31&status=x&color=red")
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"from": "2024-01-31", "status": "x", "colour": "red"}
    assert (await client.get("/api/v1/things/report?colour=red")).status_code == 200
    # ``date_from`` is only the function's argument: a client sending it would filter nothing.
    assert unknown(await client.get("/api/v1/things/report?date_from=2024-01-31")) == ["date_from"]


async def test_a_route_without_query_parameters_refuses_any(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/things/bare?verbose=1")
    assert unknown(response) == ["verbose"]
    assert "takes no query parameters" in response.json()["detail"][0]["msg"]
    assert unknown(await client.post("/api/v1/things?dry_run=1")) == ["dry_run"]
    assert (await client.get("/api/v1/things/bare")).status_code == 200


async def test_query_models_accept_their_fields_and_keep_their_own_extra_rule(
    client: httpx.AsyncClient,
) -> None:
    ok = await client.get("/api/v1/things/filtered?colour=red&size_=2")
    assert ok.status_code == 200, ok.text
    assert unknown(await client.get("/api/v1/things/filtered?shape=round")) == ["shape"]
    anything = await client.get("/api/v1/things/open?colour=red&shape=round")
    assert anything.status_code == 200, anything.text


async def test_list_params_refuse_unknown_parameters_on_any_router(
    client: httpx.AsyncClient,
) -> None:
    assert unknown(await client.get("/api/v1/loose?stauts=x")) == ["stauts"]
    ok = await client.get("/api/v1/loose?status=x&limit=3")
    assert ok.status_code == 200, ok.text
    # Routes of that router without ListParamsDep are not covered: STRICT_QUERY is what does it.
    assert (await client.get("/api/v1/loose/report?att=2024-01-01")).status_code == 200


async def test_a_bad_value_of_a_declared_parameter_is_still_its_own_422(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/things?limit=0")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["limit"]
