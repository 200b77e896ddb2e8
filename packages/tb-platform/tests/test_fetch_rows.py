"""tb_platform.db.fetch_rows: list pages read through asyncpg, with SQLAlchemy's SQL.

The rows must be what SQLAlchemy's own execution returns (types, NULLs, bind processing of the
parameters: an Enum goes as its stored value), and the driver path must step aside whenever it
would be blind or wrong: a listener on the cursor events (tracing, statement counts), an
expanding IN, a statement with no cache key.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Enum,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from tb_platform.db import Database, driver_statement, fetch_rows

pytestmark = pytest.mark.asyncio


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


metadata = MetaData(schema="fetch_rows_test")
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50), nullable=False),
    Column(
        "colour", Enum(Colour, native_enum=False, values_callable=lambda e: [m.value for m in e])
    ),
    Column("price", Numeric(14, 2)),
    Column("bought", Date),
    Column("seen_at", DateTime(timezone=True)),
)
ROWS = [
    {
        "id": 1,
        "name": "lamp",
        "colour": Colour.RED,
        "price": Decimal("10.50"),
        "bought": dt.date(2026, 1, 2),
        "seen_at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    },
    {
        "id": 2,
        "name": "desk",
        "colour": Colour.BLUE,
        "price": None,
        "bought": None,
        "seen_at": None,
    },
    {
        "id": 3,
        "name": "chair",
        "colour": Colour.RED,
        "price": Decimal("0.00"),
        "bought": dt.date(2025, 12, 31),
        "seen_at": None,
    },
]


@pytest_asyncio.fixture
async def connection(database_url: str) -> AsyncIterator[AsyncConnection]:
    database = Database.connect(database_url, pool_size=1, max_overflow=0)
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS fetch_rows_test CASCADE"))
            await connection.execute(text("CREATE SCHEMA fetch_rows_test"))
            await connection.run_sync(metadata.create_all)
            await connection.execute(insert(things), ROWS)
            yield connection
            await connection.rollback()
    finally:
        await database.dispose()


def _by_colour(colour: Colour) -> object:
    return select(things).where(things.c.colour == colour).order_by(things.c.id)


async def _through_sqlalchemy(connection: AsyncConnection, statement: object) -> list[dict]:
    return [dict(row._mapping) for row in await connection.execute(statement)]  # type: ignore[call-overload]


async def test_rows_are_what_sqlalchemy_reads_and_parameters_are_bind_processed(
    connection: AsyncConnection,
) -> None:
    red = _by_colour(Colour.RED)
    found = driver_statement(connection, red)
    assert found is not None, "a plain SELECT takes the driver path"
    sql, arguments = found
    assert "$1" in sql
    assert arguments == ["red"]  # the Enum as its stored value

    rows = await fetch_rows(connection, red)
    assert [row["id"] for row in rows] == [1, 3]
    # Values as SQLAlchemy reads them (the Enum column aside: SQLAlchemy gives the member, the
    # driver the stored text, which the API models validate into the member alike).
    expected = await _through_sqlalchemy(connection, red)
    for got, want in zip(rows, expected, strict=True):
        assert got.keys() == want.keys()
        assert {k: v for k, v in got.items() if k != "colour"} == {
            k: v for k, v in want.items() if k != "colour"
        }
        assert got["colour"] == want["colour"].value
    assert rows[0]["price"] == Decimal("10.50")
    assert str(rows[0]["price"]) == "10.50"
    assert rows[0]["seen_at"].tzinfo is not None

    # The same shape with another value: the cached compilation takes this statement's values.
    blue = await fetch_rows(connection, _by_colour(Colour.BLUE))
    assert [(row["id"], row["price"], row["bought"]) for row in blue] == [(2, None, None)]


async def test_an_aggregate_and_a_bound_limit(connection: AsyncConnection) -> None:
    cheap = (
        select(func.count().label("n"))
        .select_from(things)
        .where(things.c.price < bindparam("most", Decimal("5"), type_=Numeric(14, 2)))
    )
    assert await fetch_rows(connection, cheap) == [{"n": 1}]
    first_two = select(things.c.name).order_by(things.c.id).limit(2).offset(1)
    assert await fetch_rows(connection, first_two) == [{"name": "desk"}, {"name": "chair"}]


async def test_an_expanding_in_goes_through_sqlalchemy(connection: AsyncConnection) -> None:
    chosen = select(things.c.id).where(things.c.id.in_([1, 3])).order_by(things.c.id)
    assert driver_statement(connection, chosen) is None
    assert await fetch_rows(connection, chosen) == [{"id": 1}, {"id": 3}]


async def test_a_cursor_listener_sees_every_statement(connection: AsyncConnection) -> None:
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = connection.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        statement = _by_colour(Colour.BLUE)
        assert driver_statement(connection, statement) is None
        assert [row["id"] for row in await fetch_rows(connection, statement)] == [2]
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(seen) == 1
    assert "fetch_rows_test.things" in seen[0]
    assert driver_statement(connection, statement) is not None  # listener gone: the driver again


async def test_the_driver_path_reads_in_the_units_transaction(database_url: str) -> None:
    database = Database.connect(database_url, pool_size=2, max_overflow=0)
    try:
        async with database.sessionmaker() as session:
            connection = await session.connection()
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            # A pure read begins the transaction, as SQLAlchemy's own first statement does: the
            # count and the page of a list see one snapshot.
            first = await fetch_rows(connection, select(text("txid_current() AS tx")))
            assert driver.is_in_transaction()
            second = await fetch_rows(connection, select(text("txid_current() AS tx")))
            assert first == second
            # The transaction is SQLAlchemy's to end: after the commit, none is left open.
            await session.commit()
            assert not driver.is_in_transaction()
    finally:
        await database.dispose()


async def test_every_pooled_connection_killed_costs_503s_then_heals(database_url: str) -> None:
    # pg_terminate_backend on all of a pool's connections: a read through the driver path on a
    # dead one must answer as SQLAlchemy's own path does (DBAPIError, connection_invalidated: a
    # 503), and the pool must be thrown away, so the next reads connect afresh (no 500 loop).
    database = Database.connect(database_url, pool_size=3, max_overflow=0)
    statement = select(text("1 AS one"))
    try:
        sessions = [database.sessionmaker() for _ in range(3)]
        for session in sessions:  # three pooled connections, each used once
            await fetch_rows(await session.connection(), statement)
        pids = []
        for session in sessions:
            raw = await (await session.connection()).get_raw_connection()
            pids.append(raw.driver_connection.get_server_pid())  # type: ignore[union-attr]
            await session.commit()
            await session.close()
        killer = Database.connect(database_url, pool_size=1, max_overflow=0)
        try:
            async with killer.engine.connect() as admin:
                await admin.execute(
                    text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) pid"),
                    {"pids": pids},
                )
        finally:
            await killer.dispose()
        outcomes: list[str] = []
        for _ in range(6):
            async with database.sessionmaker() as session:
                try:
                    rows = await fetch_rows(await session.connection(), statement)
                    outcomes.append("ok" if rows == [{"one": 1}] else "wrong")
                except DBAPIError as error:
                    outcomes.append("503" if error.connection_invalidated else f"500 {error}")
        assert all(outcome in ("ok", "503") for outcome in outcomes), outcomes
        assert outcomes[-3:] == ["ok", "ok", "ok"], outcomes
    finally:
        await database.dispose()
