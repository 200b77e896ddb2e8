"""The statement counter catches an N+1: a list that queries once per row fails, one that
batches passes, and statements run through ``rolled_back``'s connection are counted."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import Depends, FastAPI
from sqlalchemy import Column, ForeignKey, Integer, String, Table, func, insert, select, text

from tb_platform.db import Database, SessionDep, make_metadata
from tb_platform.testing.harness import api_client, rolled_back
from tb_platform.testing.statements import assert_no_n_plus_one, counting, threadpool_dependencies

ROWS = 60


def _list_app(database: Database, schema: str) -> FastAPI:
    """A list of owners with their pets: ``/naive`` asks for each owner's pets, ``/batched``
    asks once for the pets of the whole page."""
    metadata = make_metadata(schema)
    owners = Table(
        "owners",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False),
    )
    pets = Table(
        "pets",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("owner_id", ForeignKey(owners.c.id), nullable=False),
        Column("name", String(50), nullable=False),
    )
    app = FastAPI()
    app.state.database = database
    app.state.metadata = metadata

    async def page(session: Any, limit: int) -> tuple[list[Any], int]:
        total = await session.scalar(select(func.count()).select_from(owners))
        rows = (await session.execute(select(owners).order_by(owners.c.id).limit(limit))).all()
        return list(rows), int(total)

    @app.get("/naive")
    async def naive(session: SessionDep, limit: int = 50) -> dict[str, Any]:
        rows, total = await page(session, limit)
        items = []
        for row in rows:
            names = (
                await session.scalars(select(pets.c.name).where(pets.c.owner_id == row.id))
            ).all()
            items.append({"id": row.id, "pets": list(names)})
        return {"items": items, "total": total}

    @app.get("/batched")
    async def batched(session: SessionDep, limit: int = 50) -> dict[str, Any]:
        rows, total = await page(session, limit)
        found: dict[int, list[str]] = {row.id: [] for row in rows}
        for owner_id, name in await session.execute(
            select(pets.c.owner_id, pets.c.name).where(pets.c.owner_id.in_(found))
        ):
            found[owner_id].append(name)
        return {"items": [{"id": k, "pets": v} for k, v in found.items()], "total": total}

    return app


@pytest_asyncio.fixture
async def listed(database_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    database = Database.connect(database_url, pool_size=2, max_overflow=2)
    schema = f"st_{secrets.token_hex(5)}"
    app = _list_app(database, schema)
    metadata = app.state.metadata
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            await connection.run_sync(metadata.create_all)
        # The rows live only in the test's transaction, as in a service's tests.
        async with rolled_back(app) as connection:
            owners, pets = metadata.tables[f"{schema}.owners"], metadata.tables[f"{schema}.pets"]
            await connection.execute(
                insert(owners), [{"id": n, "name": f"o{n}"} for n in range(1, ROWS + 1)]
            )
            await connection.execute(
                insert(pets),
                [
                    {"owner_id": n, "name": f"p{n}.{k}"}
                    for n in range(1, ROWS + 1)
                    for k in range(2)
                ],
            )
            async with api_client(app) as client:
                yield app, client
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await database.dispose()


@pytest.mark.asyncio
async def test_a_list_that_queries_once_per_row_fails(
    listed: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = listed
    with pytest.raises(AssertionError, match=r"N\+1 in GET /naive: 7 statements for 5 rows, 52"):
        await assert_no_n_plus_one(client, app, "/naive", headers={})


@pytest.mark.asyncio
async def test_a_list_that_batches_passes(listed: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = listed
    assert await assert_no_n_plus_one(client, app, "/batched", headers={}) == 3


@pytest.mark.asyncio
async def test_an_empty_or_short_list_cannot_pass(
    listed: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = listed
    with pytest.raises(AssertionError, match=r"limit=200 answered 60 rows"):
        await assert_no_n_plus_one(client, app, "/batched", headers={}, large=200)


@pytest.mark.asyncio
async def test_savepoints_and_other_tasks_are_not_counted(
    listed: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    """Inside ``rolled_back`` each request is a savepoint: only its statements count."""
    app, client = listed
    async with counting(app) as counter:
        response = await client.get("/batched", params={"limit": 3})
    assert response.status_code == 200
    assert counter.count == 3, counter.report()
    assert not any("SAVEPOINT" in s.upper() for s in counter.statements)
    # A task started outside the block (a worker, a relay) is not the request's doing.
    go = asyncio.Event()

    async def elsewhere() -> None:
        await go.wait()
        async with app.state.database.sessionmaker() as session:
            await session.execute(text("SELECT 1"))

    task = asyncio.create_task(elsewhere())
    async with counting(app) as idle:
        go.set()
        await task
    assert idle.count == 0, idle.report()


def test_threadpool_dependencies_names_each_sync_endpoint_and_dependency() -> None:
    def sync_dep() -> int:
        return 1

    async def async_dep(value: int = Depends(sync_dep)) -> int:
        return value

    async def async_gen_dep() -> AsyncIterator[int]:
        yield 2

    app = FastAPI()

    @app.get("/mixed")
    async def mixed(a: int = Depends(async_dep), b: int = Depends(async_gen_dep)) -> int:
        return a + b

    @app.get("/plain")
    def plain() -> int:
        return 0

    @app.get("/clean")
    async def clean(b: int = Depends(async_gen_dep)) -> int:
        return b

    found = threadpool_dependencies(app)
    assert found == [
        "/mixed: test_threadpool_dependencies_names_each_sync_endpoint_and_dependency.<locals>.sync_dep",
        "/plain: test_threadpool_dependencies_names_each_sync_endpoint_and_dependency.<locals>.plain",
    ]
