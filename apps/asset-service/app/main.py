"""The asset service's ASGI application."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from tb_platform.app import create_service_app
from tb_platform.audit import AuditTrail
from tb_platform.employee_directory import EmployeeDirectory

from .api.v1 import api_router
from .core.cache import asset_pages
from .core.config import AssetSettings, get_settings
from .db.events import AUDIT, EMPLOYEES
from .worker import WORKER


def create_app(settings: AssetSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="TB ERP — asset service",
        description="Assets, categories, assignment, maintenance logs and depreciation schedules.",
        routers=[api_router],
        worker=WORKER,
        audit=AuditTrail(AUDIT, readers=frozenset({"admin"})),
    )
    # One HTTP client to the employee service for the whole process, closed on shutdown.
    directory = EmployeeDirectory(EMPLOYEES, settings)
    app.state.employee_directory = directory
    # The list's cached pages start a new generation with each process: what changed while no
    # process watched (a migration, a restore) is not answered from before.
    pages = asset_pages(settings)
    app.state.asset_pages = pages
    _around_lifespan(app, start=pages.invalidate, stop=[directory.aclose, pages.close])
    return app


def _around_lifespan(
    app: FastAPI, *, start: Callable[[], Awaitable[None]], stop: list[Callable[[], Awaitable[None]]]
) -> None:
    """Run ``start`` when the app starts and ``stop`` when it stops, after the shared lifespan
    (which disposes the database)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        try:
            async with inner(application) as state:
                await start()
                yield state
        finally:
            for close in stop:
                await close()

    app.router.lifespan_context = lifespan
