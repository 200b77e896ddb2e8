"""Traces: one trace id from the web app's request through the service, its SQL and its calls
to other services, and on through the events it publishes to the consumers that handle them.

Tracing is off unless the OTEL_* variables ask for it — and off, the SDK is not even imported.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from conftest import EventEnv, eventually, redis_transport, running
from fastapi import APIRouter, Depends, FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import select, text

from tb_platform.app import create_service_app
from tb_platform.db import SessionDep
from tb_platform.events.catalog import EmployeeCreated
from tb_platform.events.envelope import Envelope
from tb_platform.events.worker import WorkerSpec
from tb_platform.observability import logs
from tb_platform.observability.tracing import (
    disable_tracing,
    instrument_engine,
    setup_tracing,
    tracing_requested,
)
from tb_platform.rbac import PUBLIC
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import api_client
from tb_platform.uow import UnitOfWork, unit_of_work_dependency

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
# What the web app (the BFF) sends along with each call to a service.
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for one test, its spans kept in memory."""
    exporter = InMemorySpanExporter()
    setup_tracing("thing-service", exporter=exporter)
    try:
        yield exporter
    finally:
        disable_tracing()


def _app(database_url: str, env: EventEnv | None = None) -> FastAPI:
    router = APIRouter(prefix="/things", dependencies=[PUBLIC])

    @router.get("/{thing_id}")
    async def read_thing(thing_id: int, session: SessionDep) -> dict[str, int]:
        value = await session.scalar(select(text(":n + 1")).params(n=thing_id))
        logs_seen.append(logs.current_trace_ids())
        return {"id": thing_id, "next": int(value or 0)}

    if env is not None:
        uow_dependency = unit_of_work_dependency(env.tables)

        @router.post("/{thing_id}/hire", status_code=201)
        async def hire(
            thing_id: int, uow: UnitOfWork = Depends(uow_dependency, scope="function")
        ) -> dict[str, str]:
            await uow.session.execute(
                env.accounts.insert().values(id=thing_id, name=f"employee {thing_id}")
            )
            envelope = await uow.publish(
                EmployeeCreated(
                    id=thing_id,
                    first_name="Ada",
                    last_name="Lovelace",
                    email=f"e{thing_id}@tb-erp.test",
                    status="active",
                )
            )
            return {"event_id": str(envelope.id)}

    settings = ServiceSettings(
        service_name="thing-service", environment="test", database_url=database_url
    )
    return create_service_app(
        settings=settings,
        title="Things",
        description="Things to trace.",
        routers=[router],
        worker=WorkerSpec(tables=env.tables) if env is not None else None,
    )


logs_seen: list[Any] = []


@pytest_asyncio.fixture
async def traced_app(spans: InMemorySpanExporter, database_url: str) -> AsyncIterator[FastAPI]:
    app = _app(database_url)
    yield app
    await app.state.database.dispose()


def _of_trace(exporter: InMemorySpanExporter, trace_id: str) -> list[ReadableSpan]:
    return [
        span
        for span in exporter.get_finished_spans()
        if span.context is not None and f"{span.context.trace_id:032x}" == trace_id
    ]


@pytest.mark.asyncio
async def test_a_request_from_the_web_app_continues_its_trace_down_to_the_sql(
    traced_app: FastAPI, spans: InMemorySpanExporter
) -> None:
    logs_seen.clear()
    async with api_client(traced_app) as client:
        response = await client.get("/api/v1/things/41", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200, response.text
    assert response.json() == {"id": 41, "next": 42}

    trace = _of_trace(spans, TRACE_ID)
    servers = [span for span in trace if span.kind is SpanKind.SERVER]
    assert len(servers) == 1
    server = servers[0]
    assert server.name == "GET /api/v1/things/{thing_id}"
    # The web app's span is the parent of the service's.
    assert server.parent is not None
    assert server.parent.span_id == int("00f067aa0ba902b7", 16)

    statements = [span for span in trace if span.kind is SpanKind.CLIENT]
    assert statements, [span.name for span in spans.get_finished_spans()]
    assert any("SELECT" in str((span.attributes or {}).get("db.statement")) for span in statements)
    by_id = {span.context.span_id: span for span in trace if span.context is not None}
    for statement in statements:
        # Up the parents, within the trace, to the request's server span.
        current: ReadableSpan | None = statement
        while current is not None and current is not server:
            parent = current.parent
            current = by_id.get(parent.span_id) if parent is not None else None
        assert current is server, statement.name
    # And the log lines written meanwhile say which trace and span they belong to.
    assert logs_seen
    assert logs_seen[0] is not None
    assert logs_seen[0][0] == TRACE_ID
    assert logs_seen[0][1] is not None


@pytest.mark.asyncio
async def test_metrics_and_probes_are_not_traced(
    traced_app: FastAPI, spans: InMemorySpanExporter
) -> None:
    async with api_client(traced_app) as client:
        for path in ("/health", "/metrics"):
            assert (await client.get(path, headers={"traceparent": TRACEPARENT})).status_code == 200
        assert (await client.get("/", headers={"traceparent": TRACEPARENT})).status_code == 200
    names = {span.name for span in _of_trace(spans, TRACE_ID) if span.kind is SpanKind.SERVER}
    assert names == {"GET /"}


@pytest.mark.asyncio
async def test_an_event_written_in_a_traced_request_is_consumed_in_the_same_trace(
    spans: InMemorySpanExporter, env: EventEnv, database_url: str
) -> None:
    app = _app(database_url, env)
    instrument_engine(env.database.engine)  # as the worker does with its own
    try:
        async with redis_transport() as transport:
            consumer = env.consumer(transport)
            async with running(env.relay(transport), consumer):
                async with api_client(app) as client:
                    response = await client.post(
                        "/api/v1/things/7/hire", headers={"traceparent": TRACEPARENT}
                    )
                assert response.status_code == 201, response.text

                async def applied() -> bool:
                    return len(await env.effect_ids()) == 1

                await eventually(applied)
    finally:
        await app.state.database.dispose()

    trace = _of_trace(spans, TRACE_ID)
    server = next(span for span in trace if span.kind is SpanKind.SERVER)
    consumed = [span for span in trace if span.kind is SpanKind.CONSUMER]
    assert [span.name for span in consumed] == ["process employee.created"]
    published = [span for span in trace if span.kind is SpanKind.PRODUCER]
    assert [span.name for span in published] == ["send employee.created"]

    # The envelope carries the context of the service's own span (inside the request), not
    # merely the header the web app sent.
    payload = (await env.rows(select(env.tables.outbox.c.payload)))[0].payload
    envelope = Envelope.model_validate(payload)
    assert envelope.trace_id == TRACE_ID
    assert envelope.traceparent != TRACEPARENT
    written_by = int(str(envelope.traceparent).split("-")[2], 16)
    by_id = {span.context.span_id: span for span in trace if span.context is not None}
    assert written_by in by_id
    ancestor: ReadableSpan | None = by_id[written_by]
    while ancestor is not None and ancestor is not server:
        ancestor = by_id.get(ancestor.parent.span_id) if ancestor.parent is not None else None
    assert ancestor is server
    # The consumer's span is the child of that context; its SQL is in the same trace.
    assert consumed[0].parent is not None
    assert consumed[0].parent.span_id == written_by
    assert published[0].parent is not None
    assert published[0].parent.span_id == written_by
    consumer_statements = [
        span
        for span in trace
        if span.kind is SpanKind.CLIENT
        and span.parent is not None
        and span.parent.span_id == consumed[0].context.span_id
    ]
    assert consumer_statements


@pytest.mark.asyncio
async def test_an_outgoing_call_carries_the_trace_to_the_next_service(
    traced_app: FastAPI, spans: InMemorySpanExporter
) -> None:
    received: list[dict[str, str]] = []

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")[1:]
        received.append(
            {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in head)
                if k
            }
        )
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    router = APIRouter(dependencies=[PUBLIC])

    @router.get("/relay")
    async def relay() -> dict[str, int]:
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"http://127.0.0.1:{port}/next")
        return {"status": answer.status_code}

    traced_app.include_router(router, prefix="/api/v1")
    try:
        async with api_client(traced_app) as client:
            response = await client.get("/api/v1/relay", headers={"traceparent": TRACEPARENT})
        assert response.json() == {"status": 200}
    finally:
        server.close()
        await server.wait_closed()

    outgoing = [span for span in _of_trace(spans, TRACE_ID) if span.kind is SpanKind.CLIENT]
    call = next(span for span in outgoing if span.name.startswith("GET"))
    assert call.context is not None
    assert received[0]["traceparent"] == f"00-{TRACE_ID}-{call.context.span_id:016x}-01"


@pytest.mark.parametrize(
    ("environ", "wanted"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SERVICE_NAME": "asset-service"}, False),
    ],
)
def test_only_the_otel_variables_turn_tracing_on(environ: dict[str, str], wanted: bool) -> None:
    assert tracing_requested(environ) is wanted


_BUILD_AND_LIST = """
import json, sys
from tb_platform.app import create_service_app
from tb_platform.settings import ServiceSettings
settings = ServiceSettings(service_name="thing-service", environment="test",
                           database_url="postgresql://nobody@127.0.0.1:1/nothing")
create_service_app(settings=settings, title="T", description="D", routers=[])
print(json.dumps(sorted(m for m in sys.modules
                        if m.startswith(("opentelemetry.sdk.trace", "opentelemetry.instrumentation",
                                         "opentelemetry.exporter")))))
"""


@pytest.mark.parametrize(
    ("environ", "loaded"),
    [({}, False), ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9/"}, True)],
    ids=["off", "on"],
)
def test_with_tracing_off_a_service_does_not_even_import_the_sdk(
    environ: dict[str, str], loaded: bool
) -> None:
    # The services run close to their memory limit: the tracing SDK, the exporter and the
    # instrumentations are megabytes they must not carry when nobody collects traces. (redis-py
    # itself imports the SDK's metrics part whenever it is installed: not ours to avoid.)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _BUILD_AND_LIST],
        env={**clean, **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    modules = json.loads(result.stdout.strip().splitlines()[-1])
    assert bool(modules) is loaded, modules
