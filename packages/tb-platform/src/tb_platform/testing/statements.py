"""Counting the SQL statements a request runs, to catch N+1 queries in list endpoints.

``counting(app)`` listens to ``before_cursor_execute`` on the app's engine for the block. The
listener is on the engine, so it also sees the connection ``rolled_back(app)`` opened before the
block (SQLAlchemy checks the engine's listeners at every execution). Only statements run in the
block's own context are counted: a context variable marks them, and SQLAlchemy's greenlets carry
the caller's context, while a background worker or relay started elsewhere does not. Savepoints
(each request's unit of work inside a test's transaction) are not counted: production has none.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant, _is_async_gen_callable, _is_coroutine_callable
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..events.outbox import EventTables
from ..paging import Page

_SAVEPOINTS = re.compile(r"^\s*(SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK\s+TO\s+SAVEPOINT)\b", re.I)


@dataclass
class StatementCounter:
    """The statements run inside a ``counting`` block (savepoints left out)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        """The statements, numbered, one per paragraph (for an assertion message)."""
        return "\n".join(f"  {n}. {' '.join(s.split())}" for n, s in enumerate(self.statements, 1))


_current: ContextVar[StatementCounter | None] = ContextVar("tb_statement_counter", default=None)


@asynccontextmanager
async def counting(app: FastAPI) -> AsyncIterator[StatementCounter]:
    """Count the SQL statements the app runs during the block::

    async with counting(app) as counter:
        await client.get("/api/v1/things", headers=admin)
    assert counter.count == 2
    """
    engine = app.state.database.engine.sync_engine
    counter = StatementCounter()

    def before_cursor_execute(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if _current.get() is counter and not _SAVEPOINTS.match(statement):
            counter.statements.append(statement)

    token = _current.set(counter)
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
        _current.reset(token)


async def count_list(
    client: httpx.AsyncClient,
    app: FastAPI,
    url: str,
    *,
    headers: Mapping[str, str],
    params: Mapping[str, Any] | None = None,
    limit: int,
) -> tuple[StatementCounter, list[Any]]:
    """Request one page of ``limit`` rows; the statements it ran and the items it answered."""
    async with counting(app) as counter:
        response = await client.get(
            url, headers=dict(headers), params={**(params or {}), "limit": limit}
        )
    assert response.status_code == 200, f"GET {url}: {response.status_code} {response.text}"
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return counter, list(items)


async def assert_no_n_plus_one(
    client: httpx.AsyncClient,
    app: FastAPI,
    url: str,
    *,
    headers: Mapping[str, str],
    params: Mapping[str, Any] | None = None,
    small: int = 5,
    large: int = 50,
) -> int:
    """Fail when a list runs more statements for ``limit=large`` than for ``limit=small``.

    The list is requested once uncounted first (warming caches). Both pages must be full (``small`` and ``large`` rows), so a list that is empty, or shorter
    than the large page, cannot pass by accident. Returns the statement count of one page.
    """
    assert small < large, "the large page must be larger than the small one"
    # Once before counting, so that caches the first request fills (token versions, lookups)
    # are filled for both counted requests alike.
    await count_list(client, app, url, headers=headers, params=params, limit=small)
    few, few_items = await count_list(client, app, url, headers=headers, params=params, limit=small)
    many, many_items = await count_list(
        client, app, url, headers=headers, params=params, limit=large
    )
    assert len(few_items) == small, f"GET {url}?limit={small} answered {len(few_items)} rows"
    assert len(many_items) == large, f"GET {url}?limit={large} answered {len(many_items)} rows"
    assert few.count == many.count, (
        f"N+1 in GET {url}: {few.count} statements for {small} rows, "
        f"{many.count} for {large} rows\n"
        f"limit={small}:\n{few.report()}\nlimit={large}:\n{many.report()}"
    )
    assert few.count > 0, f"GET {url}: no statement counted (is the listener on the app's engine?)"
    return few.count


def page_routes(app: FastAPI) -> list[str]:
    """The path of every GET route of ``app`` that answers a :class:`~tb_platform.paging.Page`:
    the lists a service's N+1 test must cover (a new list without a case fails that test)."""
    found = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or "GET" not in (context.methods or ()):
            continue
        model = route.response_model
        if isinstance(model, type) and issubclass(model, Page) and context.path:
            found.add(context.path)
    return sorted(found)


def threadpool_dependencies(app: FastAPI) -> list[str]:
    """Every endpoint and dependency of ``app``'s routes that FastAPI would run in its thread pool
    (a plain ``def`` or a sync generator), as ``"<path>: <name>"``: each costs a thread hand-off on every
    request (a tenth of a list's time under load), and none of ours blocks, so all are ``async``.
    """
    found: set[str] = set()

    def walk(path: str, dependant: Dependant) -> None:
        call = dependant.call
        if call is not None and not (_is_coroutine_callable(call) or _is_async_gen_callable(call)):
            found.add(f"{path}: {getattr(call, '__qualname__', repr(call))}")
        for sub in dependant.dependencies:
            walk(path, sub)

    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            walk(context.path or route.path, route.dependant)
    return sorted(found)


async def seed_dead_letters(connection: AsyncConnection, tables: EventTables, count: int) -> None:
    """``count`` dead letters in the service's table, for its ``/events/dead`` list."""
    await connection.execute(
        insert(tables.dead_letters),
        [
            {
                "consumer": "tests.n-plus-one",
                "event_id": uuid.uuid4(),
                "type": "employee.created",
                "payload": {"n": n},
                "error": "RuntimeError: seeded",
                "attempts": 5,
            }
            for n in range(count)
        ],
    )
