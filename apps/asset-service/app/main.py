"""The asset service's ASGI application."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from tb_platform.app import create_service_app
from tb_platform.audit import AuditTrail
from tb_platform.employee_directory import EmployeeDirectory

from .api.v1 import api_router
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
    _on_shutdown(app, directory.aclose)
    return app


def _on_shutdown(app: FastAPI, close: Callable[[], Awaitable[None]]) -> None:
    """Run ``close`` when the app stops, after the shared lifespan (which disposes the database)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        try:
            async with inner(application) as state:
                yield state
        finally:
            await close()

    app.router.lifespan_context = lifespan
