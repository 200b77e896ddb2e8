"""The application factory every service's ``main.py`` calls."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request

from .db import Database
from .errors import install_error_handlers
from .health import router as health_router
from .security import TokenService
from .settings import ServiceSettings


def current_settings(request: Request) -> Any:
    """A dependency: the running app's settings, read per request (tests may swap them).

    A service types it once: ``SettingsDep = Annotated[MySettings, Depends(current_settings)]``.
    """
    return request.app.state.settings


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    version: str = "0.1.0",
    api_prefix: str = "/api/v1",
) -> FastAPI:
    """A FastAPI app with the shared error format, auth, database and health routes wired in."""
    logging.basicConfig(level=settings.log_level.upper())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.database.dispose()

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.settings = settings
    app.state.tokens = TokenService(settings)
    # The engine connects lazily, so building the app never needs the database up.
    app.state.database = Database.connect(
        settings.require_database_url(),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    install_error_handlers(app)
    app.include_router(health_router)
    for router in routers:
        app.include_router(router, prefix=api_prefix)
    return app
