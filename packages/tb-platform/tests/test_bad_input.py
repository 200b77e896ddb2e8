"""Bad input is a 4xx naming the input, never a 5xx: bodies over the limit (413, read no further),
deep nesting, NUL characters, 1 MB strings, NaN/Infinity/1e400 as money, ids beyond 64 bits.

Every service gets these from create_service_app (tb_platform.limits); each service's own
test_bad_input.py sweeps its whole API with tb_platform.testing.bad_input.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, Depends, FastAPI, Query, UploadFile
from pydantic import ValidationError

from tb_platform.app import create_service_app
from tb_platform.errors import InvalidField, NotFound
from tb_platform.limits import BODY_CEILING, MAX_JSON_DEPTH, MAX_TEXT_LENGTH, MIB, check_input
from tb_platform.money import Money
from tb_platform.rbac import ALL, READ, WRITE, Grant, Policy
from tb_platform.schemas import InputModel
from tb_platform.settings import ServiceSettings
from tb_platform.testing import TokenFactory
from tb_platform.testing.bad_input import sweep_bad_input
from tb_platform.testing.harness import api_client
from tb_platform.types import Id, trimmed

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
TOKENS = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")
ADMIN = TOKENS.headers("admin", sub="bad-input-tests")
pytestmark = pytest.mark.asyncio(loop_scope="module")

POLICY = Policy({"admin": {"orders": {READ: ALL, WRITE: ALL}}})
ReadOrders = Annotated[Grant, Depends(POLICY.require("orders", READ))]
WriteOrders = Annotated[Grant, Depends(POLICY.require("orders", WRITE))]
CHUNK = 64 * 1024
SMALL_LIMIT = 4 * 1024


class Line(InputModel):
    description: str  # deliberately a plain ``str``: the platform's floor must still hold
    unit_price: Money


class Order(InputModel):
    name: str
    note: Annotated[str, trimmed(200)] | None = None
    amount: Money | None = None
    ratio: float | None = None
    quantity: int | None = None
    customer_id: Id | None = None
    lines: list[Line] = []
    tags: dict[str, str] = {}


def _router(*, broken: bool = False) -> APIRouter:
    router = APIRouter(prefix="/orders")

    @router.post("", status_code=201)
    async def create_order(body: Order, _: WriteOrders) -> dict[str, Any]:
        if broken and "\x00" in body.name:
            # What asyncpg does with a NUL character on its way to a text column.
            raise RuntimeError("invalid byte sequence for encoding UTF8: 0x00")
        return {"name": body.name, "lines": len(body.lines)}

    @router.get("")
    async def list_orders(
        _: ReadOrders,
        q: Annotated[str | None, Query()] = None,
        ids: Annotated[list[Id] | None, Query()] = None,
    ) -> dict[str, Any]:
        return {"q": q, "ids": ids or []}

    @router.get("/{order_id}")
    async def read_order(order_id: Id, _: ReadOrders) -> dict[str, int]:
        if order_id != 7:
            raise NotFound(f"No order {order_id}")
        return {"id": order_id}

    @router.get("/by-code/{code}")
    async def read_by_code(code: str, _: ReadOrders) -> dict[str, str]:
        return {"code": code}

    @router.post("/import", status_code=201)
    async def import_orders(file: UploadFile, _: WriteOrders) -> dict[str, int]:
        content = await file.read()
        if b"\x00" in content:  # as a CSV import refuses a file that is no text
            raise InvalidField("file", "The file holds a NUL byte: it is not a CSV text")
        return {"size": len(content)}

    # A route that needs less than the default declares it, with FastAPI's own parameter.
    @router.post("/notes", status_code=201, max_body_size=SMALL_LIMIT)
    async def add_note(body: Line, _: WriteOrders) -> dict[str, str]:
        return {"description": body.description}

    return router


def _app(database_url: str, *, broken: bool = False) -> FastAPI:
    settings = ServiceSettings(
        service_name="order-service",
        environment="test",
        jwt_secret=SECRET,
        database_url=database_url,
    )
    app = create_service_app(
        settings=settings, title="Orders", description="", routers=[_router(broken=broken)]
    )
    if broken:
        # The platform's floor removed, as if a service had bypassed it.
        app.dependency_overrides[check_input] = lambda: None
    return app


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def service(database_url: str) -> AsyncIterator[FastAPI]:
    app = _app(database_url)
    yield app
    await app.state.database.dispose()


@pytest_asyncio.fixture(loop_scope="module")
async def client(service: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(service) as http:
        yield http


def _named(response: httpx.Response, *loc: str | int) -> dict[str, Any]:
    """The 422's error about ``loc`` (the test fails when there is none)."""
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["code"] == "validation_error"
    for error in answer["detail"]:
        if error["loc"][: len(loc)] == list(loc):
            where = error["loc"][1:] or error["loc"]
            assert error["field"] == ".".join(str(part) for part in where)
            return dict(error)
    raise AssertionError(f"no error names {loc}: {answer}")


async def _post_json(client: httpx.AsyncClient, text: str | bytes, path: str = "/orders") -> Any:
    content = text.encode() if isinstance(text, str) else text
    return await client.post(
        f"/api/v1{path}",
        content=content,
        headers={**ADMIN, "Content-Type": "application/json"},
    )


class Stream:
    """A request body that streams ``total`` bytes and records how much of it was taken."""

    def __init__(self, total: int, *, head: bytes = b"", chunk: bytes = b" " * CHUNK) -> None:
        self.total = total
        self.head = head
        self.chunk = chunk
        self.consumed = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.head:
            self.consumed += len(self.head)
            yield self.head
        while self.consumed < self.total:
            self.consumed += len(self.chunk)
            yield self.chunk


# -- body size ------------------------------------------------------------------------------


async def test_a_content_length_over_the_limit_is_a_413_before_a_byte_is_read(
    client: httpx.AsyncClient,
) -> None:
    body = Stream(50 * MIB)
    response = await client.post(
        "/api/v1/orders",
        content=body,
        headers={**ADMIN, "Content-Type": "application/json", "Content-Length": str(50 * MIB)},
    )
    assert response.status_code == 413, response.text
    assert response.json() == {
        "detail": "The request body is larger than 1 MiB (1048576 bytes), the most this"
        " endpoint takes",
        "code": "payload_too_large",
    }
    assert body.consumed == 0
    assert response.headers["connection"] == "close"


async def test_a_stream_without_a_length_is_cut_at_the_limit_and_read_no_further(
    client: httpx.AsyncClient,
) -> None:
    body = Stream(50 * MIB)
    tracemalloc.start()
    try:
        response = await client.post(
            "/api/v1/orders", content=body, headers={**ADMIN, "Content-Type": "application/json"}
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "payload_too_large"
    # At most a chunk past the limit was taken from the stream; 49 MB never left the client.
    assert MIB < body.consumed <= MIB + 2 * CHUNK
    # What was held is the limit's worth, not the 50 MB sent.
    assert peak < 8 * MIB, peak


async def test_a_body_at_the_limit_is_read(client: httpx.AsyncClient) -> None:
    padding = " " * (MIB - len('{"name": "x"}'))
    response = await _post_json(client, '{"name": "x"}' + padding)
    assert response.status_code == 201, response.text


async def test_an_upload_route_takes_more_and_still_stops_at_its_limit(
    client: httpx.AsyncClient,
) -> None:
    files = {"file": ("orders.csv", b"x" * (2 * MIB))}
    response = await client.post("/api/v1/orders/import", files=files, headers=ADMIN)
    assert response.status_code == 201, response.text
    assert response.json() == {"size": 2 * MIB}

    files = {"file": ("orders.csv", b"x" * BODY_CEILING)}
    response = await client.post("/api/v1/orders/import", files=files, headers=ADMIN)
    assert response.status_code == 413, response.text
    assert "10 MiB" in response.json()["detail"]

    # A well-formed upload whose file never ends: the parser would take it all.
    head = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    body = Stream(50 * MIB, head=head, chunk=b"x" * CHUNK)
    response = await client.post(
        "/api/v1/orders/import",
        content=body,
        headers={**ADMIN, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 413, response.text
    assert BODY_CEILING < body.consumed <= BODY_CEILING + 2 * CHUNK


async def test_a_route_declares_a_lower_limit_with_fastapis_max_body_size(
    client: httpx.AsyncClient,
) -> None:
    small = json.dumps({"description": "x" * 100, "unit_price": "1.00"})
    response = await _post_json(client, small, "/orders/notes")
    assert response.status_code == 201, response.text
    large = json.dumps({"description": "x" * SMALL_LIMIT, "unit_price": "1.00"})
    response = await _post_json(client, large, "/orders/notes")
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "payload_too_large"
    assert "4 KiB (4096 bytes)" in response.json()["detail"]


async def test_multipart_parsing_is_limited_too(client: httpx.AsyncClient) -> None:
    files = [("file", (f"{n}.csv", b"a")) for n in range(20)]
    response = await client.post("/api/v1/orders/import", files=files, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["type"] == "form_invalid"
    assert "Too many files" in response.json()["detail"][0]["msg"]


@pytest.mark.filterwarnings("ignore:The test <Function")
def test_the_limits_come_from_the_settings_and_never_pass_10_mib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_BODY_BYTES", "65536")
    assert ServiceSettings(environment="test").max_body_bytes == 65536
    monkeypatch.setenv("MAX_BODY_BYTES", str(BODY_CEILING + 1))
    with pytest.raises(ValidationError):
        ServiceSettings(environment="test")


# -- nesting, NUL, long text ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000],
    ids=["lists", "objects"],
)
async def test_100_000_levels_of_nesting_are_a_422(client: httpx.AsyncClient, body: bytes) -> None:
    error = _named(await _post_json(client, body), "body")
    assert error["type"] == "json_invalid"
    assert "nested too deeply" in error["msg"]


async def test_nesting_the_parser_reads_is_still_refused_past_the_depth_limit(
    client: httpx.AsyncClient,
) -> None:
    deep = "[" * 200 + "]" * 200
    error = _named(await _post_json(client, '{"name": "x", "tags": ' + deep + "}"), "body", "tags")
    assert error["type"] == "json_too_deep"
    assert len(error["loc"]) == MAX_JSON_DEPTH + 2


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "a\x00b"}, ("body", "name")),
        ({"name": "x", "note": "\x00"}, ("body", "note")),
        (
            {"name": "x", "lines": [{"description": "a\x00", "unit_price": "1"}]},
            ("body", "lines", 0, "description"),
        ),
        ({"name": "x", "tags": {"colour\x00": "red"}}, ("body", "tags", "colour\x00")),
        ({"name": "x", "tags": {"colour": "r\x00ed"}}, ("body", "tags", "colour")),
    ],
    ids=["plain-str", "bounded-str", "nested", "object-key", "object-value"],
)
async def test_a_nul_character_anywhere_in_a_body_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], loc: tuple[str | int, ...]
) -> None:
    error = _named(await _post_json(client, json.dumps(body)), *loc)
    assert error["type"] == "string_nul"


async def test_a_nul_character_in_a_query_or_path_value_is_a_422_naming_it(
    client: httpx.AsyncClient,
) -> None:
    error = _named(await client.get("/api/v1/orders?q=a%00b", headers=ADMIN), "query", "q")
    assert error["type"] == "string_nul"
    response = await client.get("/api/v1/orders/by-code/a%00b", headers=ADMIN)
    assert _named(response, "path", "code")["type"] == "string_nul"


async def test_a_1_mb_string_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    long = "x" * 1_000_000
    # A field with no bound of its own: the platform's ceiling.
    error = _named(await _post_json(client, json.dumps({"name": long})), "body", "name")
    assert error["type"] == "string_too_long"
    assert str(MAX_TEXT_LENGTH) in error["msg"]
    # A bounded field: its own bound.
    body = json.dumps({"name": "x", "note": long})
    assert _named(await _post_json(client, body), "body", "note")["type"] == "string_too_long"
    # The answer does not echo the megabyte back.
    response = await _post_json(client, body)
    assert len(response.content) < 2000


async def test_text_at_the_ceiling_is_accepted(client: httpx.AsyncClient) -> None:
    body = json.dumps({"name": "x" * MAX_TEXT_LENGTH})
    assert (await _post_json(client, body)).status_code == 201


# -- money and numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "literal",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        '"1e400"',
        "1e-400",
        "9" * 400,
        "9" * 400 + ".5",
        '"NaN"',
        '"Infinity"',
        "-1",
        "0.001",
        '"1e3"',
    ],
)
async def test_money_that_is_no_amount_is_a_422_naming_the_field(
    client: httpx.AsyncClient, literal: str
) -> None:
    _named(await _post_json(client, '{"name": "x", "amount": ' + literal + "}"), "body", "amount")
    nested = '{"name": "x", "lines": [{"description": "x", "unit_price": ' + literal + "}]}"
    _named(await _post_json(client, nested), "body", "lines", 0, "unit_price")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400"])
async def test_a_float_field_refuses_what_is_not_a_finite_number(
    client: httpx.AsyncClient, literal: str
) -> None:
    error = _named(
        await _post_json(client, '{"name": "x", "ratio": ' + literal + "}"), "body", "ratio"
    )
    assert error["type"] == "finite_number"


async def test_sane_numbers_still_pass(client: httpx.AsyncClient) -> None:
    body = '{"name": "x", "amount": 0.1, "ratio": 1e-300, "quantity": -5, "lines": [{"description": "x", "unit_price": "0"}]}'
    assert (await _post_json(client, body)).status_code == 201


# -- ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["99999999999999999999999", str(2**63), str(2**63 - 1), str(2**31), "0", "-1", "1.5"]
)
async def test_a_path_id_out_of_range_is_a_422_naming_it(
    client: httpx.AsyncClient, raw: str
) -> None:
    _named(await client.get(f"/api/v1/orders/{raw}", headers=ADMIN), "path", "order_id")


async def test_a_well_formed_absent_id_is_a_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/v1/orders/{2**31 - 1}", headers=ADMIN)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("raw", [str(2**70), "0", "-1", "x"])
async def test_an_id_list_in_the_query_names_the_bad_id(
    client: httpx.AsyncClient, raw: str
) -> None:
    response = await client.get(f"/api/v1/orders?ids=3&ids={raw}", headers=ADMIN)
    _named(response, "query", "ids", 1)


@pytest.mark.parametrize("value", [2**70, 2**63, 0, -1])
async def test_an_id_in_a_body_out_of_range_is_a_422_naming_it(
    client: httpx.AsyncClient, value: int
) -> None:
    body = json.dumps({"name": "x", "customer_id": value})
    _named(await _post_json(client, body), "body", "customer_id")


async def test_any_integer_beyond_64_bits_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    body = json.dumps({"name": "x", "quantity": 2**70})
    assert _named(await _post_json(client, body), "body", "quantity")["type"] == (
        "int_out_of_range"
    )


# -- the sweep every service runs -----------------------------------------------------------


async def test_the_sweep_passes_an_api_held_to_the_limits(service: FastAPI) -> None:
    run = await sweep_bad_input(service, TOKENS)
    for kind in (
        "path.id 2**70",
        "path.nul",
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
    assert run.operations >= 6
    assert not run.failures


async def test_the_sweep_names_each_answer_that_breaks_the_rules(database_url: str) -> None:
    broken = _app(database_url, broken=True)
    try:
        with pytest.raises(AssertionError) as failed:
            await sweep_bad_input(broken, TOKENS)
    finally:
        await broken.state.database.dispose()
    report = str(failed.value)
    assert "POST /api/v1/orders [body.nul at name] expected a 4xx: 500" in report
    # Without the floor, what a field's own type lets through gets through.
    assert "[body.long at name] expected a 4xx: 201" in report
    assert "[body.number 1e-400 at amount] expected a 4xx: 201" in report
    assert "[body.integer 2**70 at quantity] expected a 4xx: 201" in report
    assert "GET /api/v1/orders [query.nul q] expected a 4xx: 200" in report
    assert "GET /api/v1/orders/by-code/{code} [path.nul code] expected a 4xx: 200" in report
