"""The application factory every service's ``main.py`` calls."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from .audit import AuditTrail, audit_router
from .db import Database
from .errors import install_error_handlers
from .events.worker import WorkerSpec
from .health import router as health_router
from .limits import FORM_LIMITS, SAFE_INPUT, BodySizeLimit
from .observability import install_observability
from .observability.logs import configure_service_logging
from .observability.metrics import MetricSource
from .observability.tracing import fastapi_telemetry, setup_tracing
from .openapi import install_error_documentation
from .query_params import STRICT_QUERY
from .rbac import PUBLIC, declare_public
from .security import TokenService
from .settings import ServiceSettings
from .token_versions import TokenVersions


async def current_settings(request: Request) -> Any:
    """A dependency: the running app's settings, read per request (tests may swap them).

    A service types it once: ``SettingsDep = Annotated[MySettings, Depends(current_settings)]``.
    """
    return request.app.state.settings


def _root_router(title: str, description: str, api_prefix: str) -> APIRouter:
    router = APIRouter(tags=["health"], dependencies=[PUBLIC])

    @router.get("/", summary="What this service is and where its documentation is")
    async def root(request: Request) -> dict[str, str]:
        base = str(request.base_url).rstrip("/")
        return {
            "service": request.app.state.settings.service_name,
            "title": title,
            "description": description,
            "docs": f"{base}/docs",
            "redoc": f"{base}/redoc",
            "openapi": f"{base}/openapi.json",
            "api": f"{base}{api_prefix}",
            "health": f"{base}/health",
            "ready": f"{base}/ready",
        }

    return router


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    version: str = "0.1.0",
    api_prefix: str = "/api/v1",
    worker: WorkerSpec | None = None,
    audit: AuditTrail | None = None,
    metrics: Sequence[MetricSource] = (),
) -> FastAPI:
    """A FastAPI app with the shared error format, auth, database and health routes wired in.

    ``worker`` (the service's events) adds ``/events/dead``: its dead letters, and their replay.
    ``audit`` (the service's audit log and who may read it) adds ``/audit``.
    Every request is held to :mod:`tb_platform.limits`: a body over its route's limit is a 413
    before it is read (``MAX_BODY_BYTES``, ``MAX_UPLOAD_BYTES`` for a route that takes a file),
    and text with a NUL character, text over the ceiling, non-finite numbers and ids beyond 64
    bits are a 422 naming the input, whatever the route's own types.
    ``/docs`` (Swagger UI) and ``/redoc`` are served with their scripts and styles from the
    service itself (the ``fastapi-offline`` package ships them), so they work on a closed network.

    Operations (:mod:`tb_platform.observability`): ``GET /metrics`` for Prometheus (``metrics``
    adds the service's own, read at each scrape), one JSON log line per request with its request
    id, and OpenTelemetry traces when the OTEL_* variables ask for them.
    """
    if settings.environment != "test":
        # Tests keep pytest's logging as it is (the log capture, the root logger's level).
        configure_service_logging(settings)
    # Before the app is built: FastAPI's server spans need the tracer provider.
    setup_tracing(settings.service_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.environment != "test":
            # What start-up built (modules, models, the routes' validators: most of the heap)
            # is put out of the cycle collector's reach: its full collections then scan only
            # what requests allocate, well under a millisecond instead of 35-70 ms — which under
            # load was a list's p99. (Not in tests: they build an app per test, and frozen
            # cycles are never collected.)
            gc.collect()
            gc.freeze()
        yield
        await app.state.metrics.close()
        if app.state.token_versions is not None:
            await app.state.token_versions.close()
        await app.state.database.dispose()

    app = FastAPIOffline(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        static_url="/docs-assets",
        # Starlette's multipart parser allows 1000 files and fields by default.
        form_limits=FORM_LIMITS,
        telemetry=fastapi_telemetry(),
    )
    app.add_middleware(BodySizeLimit)
    # Its only routes so far are the documentation pages it serves (/docs, /redoc): public.
    for route in app.routes:
        if isinstance(route, APIRoute):
            declare_public(route.endpoint)
    app.state.settings = settings
    app.state.tokens = TokenService(settings)
    # Revoked tokens (an older ``ver`` than the employee's current one) are refused by the auth
    # dependency; the employee service swaps the source for its own database.
    app.state.token_versions = TokenVersions.from_settings(settings)
    # The engine connects lazily, so building the app never needs the database up.
    app.state.database = Database.connect(
        settings.require_database_url(),
        replica_url=settings.database_replica_url or None,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    install_error_handlers(app)
    app.include_router(_root_router(title, description, api_prefix))
    app.include_router(health_router)
    if worker is not None:
        from .events.api import dead_letter_router

        routers = [*routers, dead_letter_router(worker)]
    if audit is not None:
        routers = [*routers, audit_router(audit)]
    for router in routers:
        # Every API route refuses query parameters it does not declare: a typo in a filter
        # (``?stauts=``) must not widen a list or an export to everything. And no input may
        # carry what the database cannot store (a NUL character, a number beyond its range).
        app.include_router(router, prefix=api_prefix, dependencies=[STRICT_QUERY, SAFE_INPUT])
    install_error_documentation(app)
    # Last, so that its middleware is the outermost of the app's: it times and counts
    # everything, the 413s of the body limit included.
    install_observability(app, settings=settings, worker=worker, sources=metrics)
    return app
