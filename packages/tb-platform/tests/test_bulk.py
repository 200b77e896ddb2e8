"""Bulk actions (tb_platform.bulk): every row through the single-row domain function, in one unit
of work that commits once when every row succeeded and keeps nothing — outbox included — when any
row failed; a failing row never breaks the rows after it."""

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import httpx
import pytest
import pytest_asyncio
from conftest import EventEnv
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import func, insert, select, update

from tb_platform.app import create_service_app
from tb_platform.bulk import BULK_RESPONSES, MAX_BULK_IDS, BulkRequest, BulkResult, run_bulk
from tb_platform.errors import Conflict, InvalidField, NotFound, ServiceUnavailable
from tb_platform.events.catalog import EmployeeUpdated
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import TokenFactory, api_client
from tb_platform.uow import UnitOfWork, unit_of_work_dependency

pytestmark = pytest.mark.asyncio

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
BULK = "/api/v1/accounts/bulk"


class AccountPublic(BaseModel):
    id: int
    name: str


class AccountBulk(BulkRequest):
    action_fields = {"rename": {"name": True}, "copy": {"copy_to": True}, "touch": {}}

    action: Literal["rename", "copy", "touch"]
    name: str | None = None
    copy_to: int | None = None


@pytest_asyncio.fixture
async def client(env: EventEnv, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    # No postponed annotations in this module, so FastAPI sees this local alias.
    UnitOfWorkDep = Annotated[
        UnitOfWork, Depends(unit_of_work_dependency(env.tables), scope="function")
    ]
    accounts = env.accounts

    async def rename(uow: UnitOfWork, *, account_id: int, name: str) -> AccountPublic:
        """The single-row domain function: 404, 409 and 422 as a single-row endpoint would."""
        current = await uow.session.scalar(
            select(accounts.c.name).where(accounts.c.id == account_id)
        )
        if current is None:
            raise NotFound(f"Account {account_id} not found", code="account_not_found")
        if current == "locked":
            raise Conflict(f"Account {account_id} is locked", code="account_locked")
        if name == "x" * 5:
            raise InvalidField("name", "five x is not a name")
        if current == "backend down":
            raise ServiceUnavailable("The directory is down")
        await uow.session.execute(
            update(accounts).where(accounts.c.id == account_id).values(name=name)
        )
        await uow.publish(
            EmployeeUpdated(
                id=account_id,
                first_name=name,
                last_name="Account",
                email=f"a{account_id}@tb-erp.test",
                status="active",
            )
        )
        return AccountPublic(id=account_id, name=name)

    async def copy(uow: UnitOfWork, *, account_id: int, copy_to: int) -> AccountPublic:
        """Writes first, then hits the primary key of an existing row (an IntegrityError)."""
        await uow.session.execute(
            update(accounts).where(accounts.c.id == account_id).values(name="copied")
        )
        await uow.session.execute(insert(accounts).values(id=copy_to + account_id, name="copy"))
        return AccountPublic(id=account_id, name="copied")

    router = APIRouter(prefix="/accounts")

    @router.post("/bulk", response_model=BulkResult[AccountPublic], responses=BULK_RESPONSES)
    async def bulk_accounts(body: AccountBulk, uow: UnitOfWorkDep) -> BulkResult[AccountPublic]:
        body.check_action_fields()

        async def apply(account_id: int) -> AccountPublic:
            if body.action == "copy":
                assert body.copy_to is not None
                return await copy(uow, account_id=account_id, copy_to=body.copy_to)
            assert body.name is not None
            return await rename(uow, account_id=account_id, name=body.name)

        async def present(rows: list[AccountPublic]) -> list[AccountPublic]:
            return rows

        return await run_bulk(
            uow, action=body.action, ids=body.ids, apply=apply, present=present, done="renamed"
        )

    settings = ServiceSettings(
        database_url=database_url, environment="test", jwt_secret=SECRET, service_name="test"
    )
    app = create_service_app(settings=settings, title="Test", description="bulk", routers=[router])
    tokens = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")
    async with api_client(app) as http:
        http.headers.update(tokens.headers("admin", employee_id=1))
        yield http
    await app.state.database.dispose()


async def _accounts(env: EventEnv, *rows: tuple[int, str]) -> None:
    async with env.database.engine.begin() as connection:
        await connection.execute(
            insert(env.accounts), [{"id": i, "name": name} for i, name in rows]
        )


async def _names(env: EventEnv) -> dict[int, str]:
    return dict(
        (r.id, r.name) for r in await env.rows(select(env.accounts).order_by(env.accounts.c.id))
    )


async def _outbox_count(env: EventEnv) -> int:
    return (await env.scalars(select(func.count()).select_from(env.tables.outbox)))[0]


async def test_when_every_row_succeeds_each_is_answered_in_request_order_and_committed_once(
    client: httpx.AsyncClient, env: EventEnv
) -> None:
    await _accounts(env, (1, "a"), (2, "b"), (3, "c"))

    answer = await client.post(BULK, json={"action": "rename", "ids": [3, 1, 2], "name": "new"})

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "action": "rename",
        "succeeded": 3,
        "failed": 0,
        "results": [
            {"id": 3, "ok": True, "item": {"id": 3, "name": "new"}},
            {"id": 1, "ok": True, "item": {"id": 1, "name": "new"}},
            {"id": 2, "ok": True, "item": {"id": 2, "name": "new"}},
        ],
    }
    assert await _names(env) == {1: "new", 2: "new", 3: "new"}
    subjects = await env.scalars(
        select(env.tables.outbox.c.subject).order_by(env.tables.outbox.c.id)
    )
    # Applied in id order (so that two bulk requests lock rows alike), answered in request order.
    assert subjects == ["1", "2", "3"]


async def test_when_any_row_fails_nothing_is_written_and_every_failing_row_says_why(
    client: httpx.AsyncClient, env: EventEnv
) -> None:
    await _accounts(env, (1, "a"), (2, "locked"), (4, "d"))

    answer = await client.post(
        BULK, json={"action": "rename", "ids": [1, 2, 3, 4, 5], "name": "new"}
    )

    assert answer.status_code == 409, answer.text
    assert answer.json() == {
        "detail": "3 of 5 rows cannot be renamed; nothing was changed",
        "code": "bulk_rejected",
        "action": "rename",
        "succeeded": 0,
        "failed": 3,
        "results": [
            {"id": 1, "ok": True, "item": None},
            {
                "id": 2,
                "ok": False,
                "status": 409,
                "code": "account_locked",
                "detail": "Account 2 is locked",
                "field": None,
            },
            {
                "id": 3,
                "ok": False,
                "status": 404,
                "code": "account_not_found",
                "detail": "Account 3 not found",
                "field": None,
            },
            {"id": 4, "ok": True, "item": None},
            {
                "id": 5,
                "ok": False,
                "status": 404,
                "code": "account_not_found",
                "detail": "Account 5 not found",
                "field": None,
            },
        ],
    }
    assert await _names(env) == {1: "a", 2: "locked", 4: "d"}
    assert await _outbox_count(env) == 0


async def test_a_row_refused_as_bad_input_names_the_field(
    client: httpx.AsyncClient, env: EventEnv
) -> None:
    await _accounts(env, (1, "a"))

    answer = await client.post(BULK, json={"action": "rename", "ids": [1], "name": "xxxxx"})

    assert answer.status_code == 409, answer.text
    [row] = answer.json()["results"]
    assert row == {
        "id": 1,
        "ok": False,
        "status": 422,
        "code": "validation_error",
        "detail": "name: five x is not a name",
        "field": "name",
    }
    assert await _names(env) == {1: "a"}


async def test_a_row_that_breaks_a_database_rule_leaves_the_session_usable_for_the_next(
    client: httpx.AsyncClient, env: EventEnv
) -> None:
    # Row 2 writes, then inserts id 12, which exists: without a savepoint per row the
    # transaction would be aborted and row 3 would fail too.
    await _accounts(env, (1, "a"), (2, "b"), (3, "c"), (12, "taken"))

    answer = await client.post(BULK, json={"action": "copy", "ids": [1, 2, 3], "copy_to": 10})

    assert answer.status_code == 409, answer.text
    assert [(r["id"], r["ok"], r.get("code")) for r in answer.json()["results"]] == [
        (1, True, None),
        (2, False, "conflict"),
        (3, True, None),
    ]
    assert await _names(env) == {1: "a", 2: "b", 3: "c", 12: "taken"}


async def test_an_unavailable_backend_fails_the_whole_request_as_it_is(
    client: httpx.AsyncClient, env: EventEnv
) -> None:
    await _accounts(env, (1, "a"), (2, "backend down"))

    answer = await client.post(BULK, json={"action": "rename", "ids": [1, 2], "name": "new"})

    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "service_unavailable"
    assert await _names(env) == {1: "a", 2: "backend down"}
    assert await _outbox_count(env) == 0


@pytest.mark.parametrize(
    ("ids", "field"),
    [
        ([], "ids"),
        (list(range(1, MAX_BULK_IDS + 2)), "ids"),
        ([1, 2, 1], "ids"),
        ([1, 0], "ids.1"),
        ([1, -3], "ids.1"),
        ([1, 2_147_483_648], "ids.1"),
        (["one"], "ids.0"),
        (None, "ids"),
    ],
)
async def test_ids_must_be_1_to_200_unique_positive_ids(
    client: httpx.AsyncClient, env: EventEnv, ids: Any, field: str
) -> None:
    body: dict[str, Any] = {"action": "rename", "name": "new"}
    if ids is not None:
        body["ids"] = ids

    answer = await client.post(BULK, json=body)

    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "validation_error"
    assert field in [error["field"] for error in answer.json()["detail"]]


async def test_200_ids_are_accepted(client: httpx.AsyncClient, env: EventEnv) -> None:
    await _accounts(env, *((i, "a") for i in range(1, MAX_BULK_IDS + 1)))
    ids = list(range(1, MAX_BULK_IDS + 1))

    answer = await client.post(BULK, json={"action": "rename", "ids": ids, "name": "b"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["succeeded"] == MAX_BULK_IDS


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "rename"}, "name"),
        ({"action": "copy"}, "copy_to"),
        ({"action": "copy", "copy_to": 10, "name": "new"}, "name"),
        ({"action": "touch", "copy_to": 10}, "copy_to"),
    ],
)
async def test_a_field_the_action_needs_is_required_and_one_it_does_not_use_is_refused(
    client: httpx.AsyncClient, env: EventEnv, body: dict[str, Any], field: str
) -> None:
    await _accounts(env, (1, "a"))

    answer = await client.post(BULK, json={"ids": [1], **body})

    assert answer.status_code == 422, answer.text
    assert [error["field"] for error in answer.json()["detail"]] == [field]
    assert await _names(env) == {1: "a"}


async def test_the_openapi_document_describes_the_200_the_409_and_the_422(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    responses = schema["paths"][BULK]["post"]["responses"]

    def ref(status: str) -> str:
        return str(responses[status]["content"]["application/json"]["schema"]["$ref"])

    assert ref("200").endswith("/BulkResult_AccountPublic_")
    assert ref("409").endswith("/BulkRejectedBody")
    assert ref("422").endswith("/ValidationErrorResponse")
    rejected = schema["components"]["schemas"]["BulkRejectedBody"]
    assert set(rejected["required"]) >= {"detail", "action", "failed", "results"}
    ids = schema["components"]["schemas"]["AccountBulk"]["properties"]["ids"]
    assert (ids["minItems"], ids["maxItems"], ids["uniqueItems"]) == (1, MAX_BULK_IDS, True)
