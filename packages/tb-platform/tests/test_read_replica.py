"""DATABASE_REPLICA_URL: lists, summaries and reports (endpoints marked ``replica_read``) read
from the replica; every write, every read made while writing, and a record's own page use the
primary. The "replica" here is a second PostgreSQL database holding different rows, so where an
answer came from shows in the answer, and each engine records the statements it ran."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from fastapi import APIRouter, FastAPI
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from tb_platform.app import create_service_app
from tb_platform.db import SessionDep, replica_read, sync_url
from tb_platform.settings import ServiceSettings
from tb_platform.testing import temporary_database
from tb_platform.testing.harness import api_client

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
metadata = MetaData()
notes = Table(
    "replica_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", String(50), nullable=False),
)


def _create(url: str, text: str) -> None:
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        metadata.drop_all(connection)  # the test server's database is shared by this module
        metadata.create_all(connection)
        connection.execute(insert(notes).values(text=text))
    engine.dispose()


@pytest.fixture
def replica_url(database_url: str) -> Iterator[str]:
    _create(database_url, "kept on the primary")
    with temporary_database("tb_replica") as url:
        _create(url, "copied to the replica")
        yield url


def _router() -> APIRouter:
    router = APIRouter(prefix="/notes")

    @router.get("")
    @replica_read
    async def list_notes(session: SessionDep) -> list[str]:
        return list(await session.scalars(select(notes.c.text).order_by(notes.c.id)))

    @router.get("/{note_id}")
    async def read_note(note_id: int, session: SessionDep) -> str | None:
        return await session.scalar(select(notes.c.text).where(notes.c.id == note_id))

    @router.post("")
    async def add_note(body: dict[str, str], session: SessionDep) -> list[str]:
        await session.execute(insert(notes).values(text=body["text"]))
        # A read made while writing must see the write: the primary's.
        return list(await session.scalars(select(notes.c.text).order_by(notes.c.id)))

    return router


def _app(database_url: str, replica: str | None) -> FastAPI:
    settings = ServiceSettings(
        database_url=database_url,
        database_replica_url=replica,
        environment="test",
        jwt_secret=SECRET,
        service_name="test",
    )
    return create_service_app(
        settings=settings, title="Test", description="read replica", routers=[_router()]
    )


class Statements:
    """The SELECT/INSERT statements each engine ran on our table."""

    def __init__(self, engines: dict[str, AsyncEngine]) -> None:
        self.seen: dict[str, list[str]] = {name: [] for name in engines}
        for name, engine in engines.items():
            event.listen(engine.sync_engine, "before_cursor_execute", self._recorder(name))

    def _recorder(self, name: str) -> Any:
        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if "replica_notes" in statement:
                self.seen[name].append(statement.split()[0])

        return record

    def clear(self) -> None:
        for statements in self.seen.values():
            statements.clear()


@pytest_asyncio.fixture
async def app(database_url: str, replica_url: str) -> AsyncIterator[FastAPI]:
    application = _app(database_url, replica_url)
    yield application
    await application.state.database.dispose()


@pytest.mark.asyncio
async def test_a_list_reads_from_the_replica_and_a_write_with_its_reads_goes_to_the_primary(
    app: FastAPI,
) -> None:
    database = app.state.database
    statements = Statements({"primary": database.engine, "replica": database.replica_engine})
    async with api_client(app) as client:
        listed = await client.get("/api/v1/notes")
        assert listed.status_code == 200, listed.text
        assert listed.json() == ["copied to the replica"]
        assert statements.seen == {"primary": [], "replica": ["SELECT"]}

        statements.clear()
        added = await client.post("/api/v1/notes", json={"text": "new"})
        assert added.status_code == 200, added.text
        assert added.json() == ["kept on the primary", "new"]
        assert statements.seen == {"primary": ["INSERT", "SELECT"], "replica": []}

        # A record's own page (opened right after creating it) reads the primary: no lag.
        statements.clear()
        own = await client.get("/api/v1/notes/2")
        assert own.json() == "new"
        assert statements.seen == {"primary": ["SELECT"], "replica": []}

        # The replica was never written to.
        assert (await client.get("/api/v1/notes")).json() == ["copied to the replica"]


@pytest.mark.asyncio
async def test_without_a_replica_every_read_uses_the_primary(database_url: str) -> None:
    _create(database_url, "kept on the primary")
    application = _app(database_url, None)
    try:
        assert application.state.database.replica_engine is None
        async with api_client(application) as client:
            listed = await client.get("/api/v1/notes")
        assert listed.json() == ["kept on the primary"]
    finally:
        await application.state.database.dispose()


@pytest.mark.asyncio
async def test_the_service_is_not_ready_while_its_replica_is_unreachable(
    database_url: str,
) -> None:
    application = _app(database_url, "postgresql://postgres@127.0.0.1:9/nowhere")
    try:
        async with api_client(application) as client:
            answer = await client.get("/ready")
        assert answer.status_code == 503
        assert answer.json()["code"] == "not_ready"
    finally:
        await application.state.database.dispose()


def test_the_replica_is_configured_by_database_replica_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgresql://reader@replica:5432/erp")
    assert ServiceSettings().database_replica_url == "postgresql://reader@replica:5432/erp"
