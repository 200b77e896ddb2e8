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
from fastapi import APIRouter, Depends, FastAPI, UploadFile

from tb_platform.app import create_service_app
from tb_platform.errors import AppError
from tb_platform.rbac import ALL, READ, WRITE, Grant, Policy
from tb_platform.schemas import InputModel
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import api_client
from tb_platform.types import BusinessDate, Email, Id, UtcDatetime

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

    @router.post("/upload", status_code=201)
    async def upload(file: UploadFile, _: WriteThings) -> dict[str, int]:
        return {"size": len(await file.read())}

    # The row is loaded by a dependency that takes the path parameter; the route has none.
    @router.get("/by-loader/{thing_id}")
    async def read_loaded(thing: Annotated[int, Depends(_valid_thing)]) -> dict[str, int]:
        return {"id": thing}

    @router.post("/links", status_code=201)
    async def link(body: ThingLink, _: WriteThings) -> dict[str, int]:
        return {"owner_id": body.owner_id}

    return router


async def _valid_thing(thing_id: Id, _: ReadThings) -> int:
    return thing_id


class ThingLink(InputModel):
    """A body that names another row."""

    name: str
    owner_id: Id
    contact: Email | None = None


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


async def test_openapi_documents_a_404_when_a_dependency_loads_the_row_of_the_path(
    client: httpx.AsyncClient,
) -> None:
    """Found by fuzzing: GET /employees/{id} answered an undocumented 404, because the path
    parameter is taken by the row's loader (a dependency), not by the route itself."""
    paths = (await client.get("/openapi.json")).json()["paths"]
    loaded = paths["/api/v1/things/by-loader/{thing_id}"]["get"]["responses"]
    assert set(loaded) == {"200", "401", "403", "404", "422", "503"}
    assert loaded["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    # No row in the path: no 404 (a route that answers one for an id in its body declares it).
    assert "404" not in paths["/api/v1/things/links"]["post"]["responses"]
    assert "404" not in paths["/api/v1/things/upload"]["post"]["responses"]


async def test_openapi_says_an_email_field_is_an_email(client: httpx.AsyncClient) -> None:
    """Without ``format: email`` a client (or a generated test) takes any text for valid."""
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    contact = schemas["ThingLink"]["properties"]["contact"]["anyOf"][0]
    assert contact == {"type": "string", "format": "email", "maxLength": 254}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\n-2.2e-311--xyz--\r\n"),
        ("multipart/form-data", b"no boundary at all"),
    ],
    ids=["truncated-part", "no-boundary"],
)
async def test_a_multipart_body_that_cannot_be_parsed_is_a_422_not_a_400(
    client: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    """Found by fuzzing the asset import: Starlette's 400 "Invalid multipart data." came through
    as an undocumented 400 with a plain-text detail."""
    response = await client.post(
        "/api/v1/things/upload",
        content=body,
        headers={**_token(), "Content-Type": content_type},
    )
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["code"] == "validation_error"
    assert answer["detail"][0]["loc"] == ["body"]
    assert answer["detail"][0]["type"] == "form_invalid"


async def test_a_well_formed_upload_still_passes(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/things/upload", files={"file": ("a.csv", b"a,b\n")}, headers=_token()
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"size": 4}
