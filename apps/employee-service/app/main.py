"""The employee service's ASGI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tb_platform.app import create_service_app
from tb_platform.audit import AuditTrail

from .api.v1 import api_router
from .core.cache import employee_cache, employee_generation
from .core.config import EmployeeSettings, get_settings
from .db.events import AUDIT
from .services.employee_cache import use_cache_in_handlers
from .services.token_versions import database_source
from .worker import WORKER


def create_app(settings: EmployeeSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="TB ERP — employee service",
        description="Employees, departments, roles, attendance and the login identity.",
        routers=[api_router],
        worker=WORKER,
        audit=AuditTrail(AUDIT, readers=frozenset({"admin", "hr_manager"})),
    )
    app.state.cache = employee_cache(settings)
    app.state.employee_generation = employee_generation(settings, app.state.cache)
    # A dead-letter replay runs the event handlers here, in the API: they clean its cache.
    use_cache_in_handlers(app.state.cache, app.state.employee_generation)
    if app.state.token_versions is not None:
        # This service is where the versions come from: no need to ask itself over HTTP.
        app.state.token_versions.source = database_source(app.state.database)
    _close_cache_on_shutdown(app)
    return app


def _close_cache_on_shutdown(app: FastAPI) -> None:
    platform_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with platform_lifespan(application):
            # What changed while no process watched (a restore) is not answered from before.
            await application.state.employee_generation.invalidate()
            yield
        await application.state.cache.close()

    app.router.lifespan_context = lifespan
