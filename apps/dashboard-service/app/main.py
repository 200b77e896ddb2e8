"""The dashboard service's ASGI application."""

from fastapi import FastAPI

from tb_platform.app import create_service_app
from tb_platform.audit import AuditTrail

from .api.v1 import api_router
from .core.cache import cache_for, use_cache
from .core.config import DashboardSettings, get_settings
from .db.events import AUDIT
from .worker import WORKER


def create_app(settings: DashboardSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="TB ERP — dashboard service",
        description="Headcount, asset values and invoicing at a glance: a read model built from"
        " the other services' events.",
        routers=[api_router],
        worker=WORKER,
        audit=AuditTrail(AUDIT, readers=frozenset({"admin"})),
    )
    app.state.cache = cache_for(settings)
    # Handlers running in this process (a dead letter replayed over HTTP) drop the same key.
    use_cache(app.state.cache)
    return app
