"""The event tables a service's migration creates, and the wake-up a commit sends the relay."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from conftest import EventEnv, migrate_event_tables
from sqlalchemy import create_engine, event, inspect, select, text

from tb_platform.db import Database, make_metadata, sync_url
from tb_platform.events import drop_event_tables, event_tables


def test_the_migration_builds_exactly_the_declared_tables(database_url: str) -> None:
    schema = f"ev_{secrets.token_hex(5)}"
    engine = create_engine(sync_url(database_url))
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            migrate_event_tables(connection, schema)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_schemas": True,
                    "include_name": lambda name, type_, _: type_ != "schema" or name == schema,
                    "compare_type": True,
                },
            )
            metadata = make_metadata(schema)
            event_tables(metadata, source="test-service")
            assert compare_metadata(context, metadata) == []
            assert set(inspect(connection).get_table_names(schema=schema)) == {
                "outbox", "inbox", "dead_letters",
            }  # fmt: skip
        with engine.begin() as connection:
            drop_event_tables(Operations(MigrationContext.configure(connection)), schema)
        with engine.connect() as connection:
            assert inspect(connection).get_table_names(schema=schema) == []
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@pytest.mark.asyncio
async def test_a_commit_that_wrote_events_wakes_the_relay_and_a_rollback_does_not(
    env: EventEnv, database: Database
) -> None:
    received: asyncio.Queue[str] = asyncio.Queue()
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        listener = raw.driver_connection
        assert listener is not None
        await listener.add_listener(env.tables.channel, lambda *args: received.put_nowait(args[2]))
        try:
            with pytest.raises(RuntimeError):
                await env.hire(1, fail=True)
            await asyncio.sleep(0.1)
            assert received.empty()

            await env.hire(2)
            channel = await asyncio.wait_for(received.get(), timeout=2)
            assert channel == f"{env.schema}_outbox"
        finally:
            await connection.invalidate()  # a connection that LISTENed is not for the pool


@pytest.mark.asyncio
async def test_many_events_are_written_in_one_insert_in_their_order(env: EventEnv) -> None:
    from tb_platform.events.catalog import EmployeeCreated
    from tb_platform.events.envelope import Envelope
    from tb_platform.uow import Actor, unit_of_work

    envelopes = [
        Envelope.create(
            source="test-service",
            data=EmployeeCreated(
                id=n,
                first_name="Ada",
                last_name=f"N{n}",
                email=f"e{n}@tb-erp.test",
                status="active",
            ),
        )
        for n in range(1, 1201)
    ]
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    async with unit_of_work(env.database, actor=Actor.system("tests"), outbox=env.tables) as uow:
        sync_engine = env.database.engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", record)
        try:
            await env.tables.add_many(uow.session, envelopes)
            await env.tables.add_many(uow.session, [])
        finally:
            event.remove(sync_engine, "before_cursor_execute", record)

    assert len([s for s in statements if "INSERT" in s]) == 1
    rows = await env.rows(
        select(env.tables.outbox.c.event_id, env.tables.outbox.c.payload).order_by(
            env.tables.outbox.c.id
        )
    )
    assert [row.event_id for row in rows] == [e.id for e in envelopes]
    assert [Envelope.model_validate(row.payload) for row in rows] == envelopes
