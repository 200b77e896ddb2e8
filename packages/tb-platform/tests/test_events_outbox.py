"""The event tables a service's migration creates, and the wake-up a commit sends the relay."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from conftest import EventEnv, migrate_event_tables
from sqlalchemy import create_engine, inspect, text

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
