"""The unit of work: a change and its events commit together or not at all, in a request as in a
command, with the caller, the request id and the clock the operation should see."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

import pytest
import pytest_asyncio
from conftest import EventEnv
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import func, insert, select

from tb_platform.app import create_service_app
from tb_platform.db import SessionDep
from tb_platform.errors import Conflict
from tb_platform.events.catalog import EmployeeDeleted
from tb_platform.security import Principal
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import TokenFactory, api_client
from tb_platform.uow import (
    Actor,
    Clock,
    FrozenClock,
    UnitOfWork,
    unit_of_work,
    unit_of_work_dependency,
)

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
AT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def _deleted(employee_id: int) -> EmployeeDeleted:
    return EmployeeDeleted(
        id=employee_id,
        first_name="Grace",
        last_name="Hopper",
        email="grace@tb-erp.test",
        status="terminated",
        department_id=3,
    )


@pytest.mark.asyncio
async def test_the_business_row_and_its_event_commit_together(env: EventEnv) -> None:
    envelope = await env.hire(1)

    assert await env.scalars(select(env.accounts.c.id)) == [1]
    rows = await env.rows(select(env.tables.outbox))
    assert len(rows) == 1
    row = rows[0]
    assert row.event_id == envelope.id
    assert (row.type, row.subject) == ("employee.created", "1")
    assert row.published_at is None
    assert row.attempts == 0
    assert row.payload["source"] == "test-service"
    assert row.payload["data"]["email"] == "e1@tb-erp.test"


@pytest.mark.asyncio
async def test_an_error_in_the_unit_leaves_neither_the_row_nor_the_event(env: EventEnv) -> None:
    with pytest.raises(RuntimeError, match="failed after writing"):
        await env.hire(2, fail=True)

    assert await env.scalars(select(env.accounts.c.id)) == []
    assert await env.scalars(select(func.count()).select_from(env.tables.outbox)) == [0]


@pytest.mark.asyncio
async def test_a_unit_carries_who_acts_when_and_under_which_request(env: EventEnv) -> None:
    clock = FrozenClock(AT)
    trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    async with unit_of_work(
        env.database,
        actor=Actor.system("import"),
        clock=clock,
        outbox=env.tables,
        request_id="req-42",
        traceparent=trace,
    ) as uow:
        envelope = await uow.publish(_deleted(7))
        assert uow.events == [envelope]
        assert uow.actor.is_system
        assert uow.actor.sub == "system:import"
        assert uow.trace_id == "0af7651916cd43dd8448eb211c80319c"

    assert envelope.time == AT
    assert envelope.traceparent == trace
    assert (envelope.source, envelope.subject, envelope.type) == (
        "test-service",
        "7",
        "employee.deleted",
    )


@pytest.mark.asyncio
async def test_publishing_needs_an_outbox(env: EventEnv) -> None:
    with pytest.raises(RuntimeError, match="no outbox"):
        async with unit_of_work(env.database, actor=Actor.system("tests")) as uow:
            await uow.publish(_deleted(1))


def test_a_frozen_clock_stands_still_until_moved() -> None:
    clock = FrozenClock(
        dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-2)))
    )
    assert clock.now() == dt.datetime(2027, 1, 1, 1, 0, tzinfo=dt.UTC)
    assert clock.today() == dt.date(2027, 1, 1)
    clock.advance(dt.timedelta(days=1))
    assert clock.today() == dt.date(2027, 1, 2)
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(dt.datetime(2026, 1, 1))  # noqa: DTZ001 - the naive time being refused
    assert Clock().now().tzinfo is dt.UTC


def test_an_actor_comes_from_the_token_or_names_the_system() -> None:
    principal = Principal(
        user_id="17",
        employee_id=17,
        email="a@tb-erp.test",
        roles=frozenset({"hr_manager"}),
        token="t",
    )
    actor = Actor.from_principal(principal)
    assert (actor.sub, actor.employee_id, actor.has_role("hr_manager")) == ("17", 17, True)
    assert not actor.is_system
    assert Actor.system("relay") == Actor(sub="system:relay", roles=frozenset({"system"}))


# --- in a request ---------------------------------------------------------------------------


@pytest_asyncio.fixture
async def app(env: EventEnv, database_url: str) -> AsyncIterator[FastAPI]:
    # Without postponed annotations (no ``from __future__ import annotations`` in this module),
    # so FastAPI sees this local alias.
    UnitOfWorkDep = Annotated[
        UnitOfWork, Depends(unit_of_work_dependency(env.tables), scope="function")
    ]
    router = APIRouter(prefix="/employees")

    @router.delete("/{employee_id}")
    async def terminate(
        employee_id: int, uow: UnitOfWorkDep, session: SessionDep
    ) -> dict[str, object]:
        # One transaction per request, whichever dependency an endpoint asks for.
        assert session is uow.session
        await uow.session.execute(insert(env.accounts).values(id=employee_id, name="gone"))
        envelope = await uow.publish(_deleted(employee_id))
        if employee_id == 13:
            raise Conflict("unlucky number", code="unlucky")
        return {
            "actor": uow.actor.sub,
            "employee_id": uow.actor.employee_id,
            "request_id": uow.request_id,
            "event_time": envelope.time.isoformat(),
        }

    settings = ServiceSettings(
        database_url=database_url, environment="test", jwt_secret=SECRET, service_name="test"
    )
    application = create_service_app(
        settings=settings, title="Test", description="unit of work", routers=[router]
    )
    application.state.clock = FrozenClock(AT)
    yield application
    await application.state.database.dispose()


@pytest.mark.asyncio
async def test_a_request_commits_its_change_and_event_once_before_answering(
    app: FastAPI, env: EventEnv
) -> None:
    tokens = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")
    async with api_client(app) as client:
        answer = await client.delete(
            "/api/v1/employees/5",
            headers={**tokens.headers("hr_manager", employee_id=9), "X-Request-ID": "abc-123"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["X-Request-ID"] == "abc-123"
        assert answer.json() == {
            "actor": "9",
            "employee_id": 9,
            "request_id": "abc-123",
            "event_time": AT.isoformat(),
        }
        # Committed before the answer was sent.
        assert await env.scalars(select(env.accounts.c.id)) == [5]
        assert await env.scalars(select(env.tables.outbox.c.subject)) == ["5"]

        failed = await client.delete("/api/v1/employees/13")
        assert failed.status_code == 409
        assert await env.scalars(select(env.accounts.c.id)) == [5]
        assert await env.scalars(select(env.tables.outbox.c.subject)) == ["5"]


@pytest.mark.asyncio
async def test_a_request_without_a_usable_id_or_token_gets_a_fresh_id_and_no_identity(
    app: FastAPI,
) -> None:
    async with api_client(app) as client:
        answer = await client.delete(
            "/api/v1/employees/6",
            headers={"X-Request-ID": "not a usable id", "Authorization": "Bearer forged"},
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["actor"] == "anonymous"
    assert uuid.UUID(body["request_id"]).version == 4
    assert answer.headers["X-Request-ID"] == body["request_id"]


@pytest.mark.asyncio
async def test_after_commit_steps_run_once_committed_and_never_after_a_rollback(
    env: EventEnv,
) -> None:
    seen: list[str] = []

    def step(name: str, *, fails: bool = False) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if fails:
                raise RuntimeError("a cache that is down")
            # Committed already: another connection sees the row.
            async with env.database.engine.connect() as connection:
                count = await connection.scalar(select(func.count()).select_from(env.accounts))
            seen.append(f"{name}:{count}")

        return run

    async with unit_of_work(env.database, actor=Actor.system("tests")) as uow:
        await uow.session.execute(insert(env.accounts).values(id=1, name="kept"))
        uow.after_commit(step("failing", fails=True))  # logged; the change stands
        uow.after_commit(step("first"))
    assert seen == ["first:1"]

    async def failing_operation() -> None:
        async with unit_of_work(env.database, actor=Actor.system("tests")) as uow:
            await uow.session.execute(insert(env.accounts).values(id=2, name="rolled back"))
            uow.after_commit(step("never"))
            raise RuntimeError("the operation failed")

    with pytest.raises(RuntimeError, match="the operation failed"):
        await failing_operation()
    assert seen == ["first:1"]


@pytest.mark.asyncio
async def test_publish_many_writes_every_event_in_order_as_publish_would(env: EventEnv) -> None:
    async with unit_of_work(
        env.database, actor=Actor.system("tests"), outbox=env.tables, clock=FrozenClock(AT)
    ) as uow:
        envelopes = await uow.publish_many([_deleted(n) for n in (3, 1, 2)])
    assert uow.events == envelopes
    rows = await env.rows(select(env.tables.outbox).order_by(env.tables.outbox.c.id))
    assert [row.event_id for row in rows] == [e.id for e in envelopes]
    assert [row.subject for row in rows] == ["3", "1", "2"]
    assert {row.payload["time"] for row in rows} == {"2026-03-01T09:30:00Z"}
