"""What every service gets from create_service_app: its front page, offline docs, one error shape
for bodies that cannot be parsed, strict token claims and an OpenAPI document of every error."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import jwt
import pytest
import pytest_asyncio
from fastapi import APIRouter, Depends, FastAPI

from tb_platform.app import create_service_app
from tb_platform.errors import AppError
from tb_platform.rbac import ALL, READ, WRITE, Grant, Policy
from tb_platform.schemas import InputModel
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import api_client
from tb_platform.types import BusinessDate, Id, UtcDatetime

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
pytestmark = pytest.mark.asyncio

POLICY = Policy({"admin": {"things": {READ: ALL, WRITE: ALL}}})
ReadThings = Annotated[Grant, Depends(POLICY.require("things", READ))]
WriteThings = Annotated[Grant, Depends(POLICY.require("things", WRITE))]


class Thing(InputModel):
    name: str
    made_on: BusinessDate | None = None
    seen_at: UtcDatetime | None = None


def _router() -> APIRouter:
    router = APIRouter(prefix="/things")

    @router.get("/{thing_id}")
    async def read_thing(thing_id: Id, grant: ReadThings) -> dict[str, int | None]:
        return {"id": thing_id, "employee_id": grant.principal.employee_id}

    @router.post("", status_code=201)
    async def create_thing(body: Thing, _: WriteThings) -> dict[str, str]:
        return {"name": body.name, "made_on": str(body.made_on)}

    @router.post("/broken")
    async def broken(_: WriteThings) -> None:
        raise _Unprocessable("The file is empty")

    return router


class _Unprocessable(AppError):
    """A 422 raised with a plain message, as a service's rule across fields might."""

    status_code = 422
    code = "empty_file"


@pytest.fixture(scope="module")
def service() -> FastAPI:
    settings = ServiceSettings(
        service_name="thing-service",
        environment="test",
        jwt_secret=SECRET,
        # Never connected: these routes do not touch the database.
        database_url="postgresql://nobody@127.0.0.1:1/nothing",
    )
    return create_service_app(
        settings=settings, title="Things", description="Things to test with.", routers=[_router()]
    )


@pytest_asyncio.fixture
async def client(service: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(service) as http:
        yield http


def _token(**overrides: object) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, object] = {
        "sub": "1",
        "employee_id": 1,
        "email": "a@b.test",
        "roles": ["admin"],
        "iss": "tb-erp",
        "aud": "tb-erp-services",
        "iat": int(now.timestamp()),
        "exp": int((now + dt.timedelta(minutes=5)).timestamp()),
    }
    claims.update(overrides)
    return {"Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"}


async def test_the_root_says_what_the_service_is_and_where_its_docs_are(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "thing-service"
    assert body["title"] == "Things"
    assert body["docs"] == "http://testserver/docs"
    assert (await client.get("/docs")).status_code == 200


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_load_every_asset_from_the_service_itself(
    client: httpx.AsyncClient, page: str
) -> None:
    html = (await client.get(page)).text
    assert "cdn" not in html.lower()
    assert "fonts.googleapis" not in html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 1000, asset


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"name": "caf\xe9"}', "not valid UTF-8"),
        (b"[" * 1000 + b"]" * 1000, "nested too deeply"),
        (b'{"name": "trunc', "JSON decode error"),
    ],
    ids=["invalid-utf8", "deep-nesting", "truncated"],
)
async def test_every_unparsable_body_is_a_422_in_the_common_shape(
    client: httpx.AsyncClient, body: bytes, reason: str
) -> None:
    response = await client.post(
        "/api/v1/things", content=body, headers={**_token(), "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["code"] == "validation_error"
    assert isinstance(answer["detail"], list)
    assert answer["detail"][0]["loc"][0] == "body"
    assert answer["detail"][0]["type"] == "json_invalid"
    assert reason in answer["detail"][0]["msg"]


async def test_a_422_with_a_message_still_lists_the_failing_input(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v1/things/broken", headers=_token())
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "empty_file"
    assert answer["detail"] == [
        {"loc": ["body"], "field": "body", "msg": "The file is empty", "type": "empty_file"}
    ]


@pytest.mark.parametrize(
    "claims",
    [
        {"employee_id": True},
        {"employee_id": "1"},
        {"employee_id": 2**40},
        {"employee_id": 0},
        {"sub": 1},
        {"sub": ""},
        {"roles": "admin"},
        {"roles": [1]},
        {"roles": ["admin", None]},
        {"email": 5},
    ],
    ids=str,
)
async def test_a_signed_token_with_a_malformed_claim_is_401(
    client: httpx.AsyncClient, claims: dict[str, object]
) -> None:
    response = await client.get("/api/v1/things/1", headers=_token(**claims))
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_token"


async def test_a_well_formed_token_still_passes(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/things/1", headers=_token(employee_id=None))
    assert response.status_code == 200
    assert response.json() == {"id": 1, "employee_id": None}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("made_on", 0),
        ("made_on", "0001-01-01"),
        ("made_on", "9999-12-31"),
        ("made_on", "1899-12-31"),
        ("made_on", "2026-07-03T10:00:00Z"),
        ("made_on", "03.07.2026"),
        ("seen_at", 0),
        ("seen_at", "0001-01-01T00:00:00Z"),
    ],
)
async def test_dates_are_iso_text_within_1900_to_2200(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    response = await client.post(
        "/api/v1/things", json={"name": "x", field: value}, headers=_token()
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == field


async def test_a_sane_date_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/things",
        json={"name": "x", "made_on": "2200-12-31", "seen_at": "1900-01-01T00:00:00+00:00"},
        headers=_token(),
    )
    assert response.status_code == 201, response.text
    assert response.json()["made_on"] == "2200-12-31"


async def test_openapi_documents_every_error_status_in_the_common_shape(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    read = spec["paths"]["/api/v1/things/{thing_id}"]["get"]["responses"]
    create = spec["paths"]["/api/v1/things"]["post"]["responses"]
    assert set(read) == {"200", "401", "403", "404", "422", "503"}
    assert set(create) == {"201", "401", "403", "409", "422", "503"}
    assert create["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorResponse"
    }
    assert read["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["ValidationErrorResponse"]["properties"]["detail"]["type"] == "array"
    root = spec["paths"]["/"]["get"]["responses"]
    assert set(root) == {"200"}
