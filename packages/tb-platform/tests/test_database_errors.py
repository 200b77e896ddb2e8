"""What the API answers when the database, not the request, is the problem: a real PostgreSQL made
to deadlock, to run out of pooled connections and to lose a connection. Always a 503 in the one
error shape (never a 500), and the next request is served as usual."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Integer, bindparam, literal, select, text

from tb_platform.app import create_service_app
from tb_platform.db import SessionDep, fetch_rows
from tb_platform.rbac import ALL, READ, WRITE, Grant, Policy
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import TokenFactory, api_client

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
pytestmark = pytest.mark.asyncio

POLICY = Policy({"admin": {"rows": {READ: ALL, WRITE: ALL}}})
WriteRows = Annotated[Grant, Depends(POLICY.require("rows", WRITE))]
ReadRows = Annotated[Grant, Depends(POLICY.require("rows", READ))]


def _router(both_locked: asyncio.Barrier, held: asyncio.Event) -> APIRouter:
    router = APIRouter(prefix="/rows")

    @router.post("/swap/{first}/{second}")
    async def swap(first: int, second: int, session: SessionDep, _: WriteRows) -> dict[str, str]:
        # Each request locks its first row, waits until the other holds its own, then asks for
        # the other's: PostgreSQL finds the cycle and rolls one of them back.
        await session.execute(
            text("UPDATE deadlock_rows SET n = n + 1 WHERE id = :id"), {"id": first}
        )
        await both_locked.wait()
        await session.execute(
            text("UPDATE deadlock_rows SET n = n + 1 WHERE id = :id"), {"id": second}
        )
        return {"status": "done"}

    @router.get("/hold")
    async def hold(session: SessionDep, _: ReadRows) -> dict[str, str]:
        await session.execute(text("SELECT 1"))
        await held.wait()
        return {"status": "released"}

    @router.get("/one")
    async def one(session: SessionDep, _: ReadRows) -> dict[str, int]:
        return {"one": int((await session.execute(text("SELECT 1"))).scalar_one())}

    @router.get("/terminate-me")
    async def terminate_me(session: SessionDep, _: ReadRows) -> dict[str, str]:
        # The server ends this very connection, as pg_terminate_backend does to a service's.
        await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return {"status": "unreachable"}

    @router.get("/driver-terminate-me")
    async def driver_terminate_me(session: SessionDep, _: ReadRows) -> dict[str, str]:
        # The same, through the driver path of list pages (tb_platform.db.fetch_rows).
        await fetch_rows(
            await session.connection(), text("SELECT pg_terminate_backend(pg_backend_pid())")
        )
        return {"status": "unreachable"}

    @router.get("/driver-divide/{by}")
    async def driver_divide(by: int, session: SessionDep, _: ReadRows) -> dict[str, int]:
        statement = select((literal(1) / bindparam("by", by, type_=Integer)).label("q"))
        [row] = await fetch_rows(await session.connection(), statement)
        return {"q": int(row["q"])}

    return router


@dataclass
class Rig:
    app: FastAPI
    admin: dict[str, str]
    held: asyncio.Event  # set: the /hold requests give their connections back


@pytest_asyncio.fixture
async def rig(database_url: str) -> AsyncIterator[Rig]:
    both_locked = asyncio.Barrier(2)
    held = asyncio.Event()
    settings = ServiceSettings(
        service_name="db-errors",
        database_url=database_url,
        environment="test",
        jwt_secret=SECRET,
        db_pool_size=2,
        db_max_overflow=0,
        db_pool_timeout_seconds=0.5,
    )
    app = create_service_app(
        settings=settings,
        title="db errors",
        description="Answers when the database is the problem.",
        routers=[_router(both_locked, held)],
    )
    async with app.state.database.engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE IF NOT EXISTS deadlock_rows (id int PRIMARY KEY, n int NOT NULL)")
        )
        await connection.execute(
            text("INSERT INTO deadlock_rows VALUES (1, 0), (2, 0) ON CONFLICT DO NOTHING")
        )
    tokens = TokenFactory(secret=SECRET, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    rig = Rig(app, tokens.headers("admin", sub="db-errors"), held)
    try:
        yield rig
    finally:
        held.set()
        async with app.state.database.engine.begin() as connection:
            await connection.execute(text("DROP TABLE deadlock_rows"))
        await app.state.database.dispose()


async def _served_again(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    answer = await client.get("/api/v1/rows/one", headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"one": 1}


async def test_a_deadlock_is_a_503_to_send_again_not_a_500(rig: Rig) -> None:
    async with api_client(rig.app) as client:
        answers = await asyncio.gather(
            client.post("/api/v1/rows/swap/1/2", headers=rig.admin),
            client.post("/api/v1/rows/swap/2/1", headers=rig.admin),
        )
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200, 503], [a.text for a in answers]
        [refused] = [answer for answer in answers if answer.status_code == 503]
        assert refused.json()["code"] == "database_conflict"
        assert refused.headers["retry-after"] == "1"
        await _served_again(client, rig.admin)
    async with rig.app.state.database.engine.connect() as connection:
        counts = (await connection.execute(text("SELECT n FROM deadlock_rows ORDER BY id"))).all()
    # Only the request that was answered 200 changed anything.
    assert [row.n for row in counts] == [1, 1]


async def test_no_free_connection_within_the_pool_timeout_is_a_503_busy(rig: Rig) -> None:
    async with api_client(rig.app) as client:
        holders = [
            asyncio.create_task(client.get("/api/v1/rows/hold", headers=rig.admin))
            for _ in range(2)
        ]
        pool = rig.app.state.database.engine.pool
        for _ in range(200):  # both pooled connections taken by the holders
            if pool.checkedout() == 2:
                break
            await asyncio.sleep(0.01)
        assert pool.checkedout() == 2

        waiting = await client.get("/api/v1/rows/one", headers=rig.admin)
        assert waiting.status_code == 503, waiting.text
        assert waiting.json()["code"] == "database_busy"
        assert "retry-after" in waiting.headers

        rig.held.set()
        assert [(await holder).status_code for holder in holders] == [200, 200]
        await _served_again(client, rig.admin)


async def test_a_connection_the_server_ends_is_a_503_and_the_next_request_is_served(
    rig: Rig,
) -> None:
    async with api_client(rig.app) as client:
        lost = await client.get("/api/v1/rows/terminate-me", headers=rig.admin)
        assert lost.status_code == 503, lost.text
        assert lost.json()["code"] == "database_unavailable"
        # The dead connection went nowhere near the pool again: each next request is served.
        for _ in range(3):
            await _served_again(client, rig.admin)


async def test_the_driver_path_answers_a_lost_connection_and_a_bad_value_as_the_orm_does(
    rig: Rig,
) -> None:
    async with api_client(rig.app) as client:
        lost = await client.get("/api/v1/rows/driver-terminate-me", headers=rig.admin)
        assert lost.status_code == 503, lost.text
        assert lost.json()["code"] == "database_unavailable"
        for _ in range(3):
            await _served_again(client, rig.admin)
        fine = await client.get("/api/v1/rows/driver-divide/1", headers=rig.admin)
        assert fine.json() == {"q": 1}
        # division_by_zero is SQLSTATE 22012, a data exception: the caller's value, a 422.
        zero = await client.get("/api/v1/rows/driver-divide/0", headers=rig.admin)
        assert zero.status_code == 422, zero.text
        assert zero.json()["code"] == "invalid_value"
        await _served_again(client, rig.admin)
