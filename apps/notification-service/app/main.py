"""The notification service's ASGI application."""

from fastapi import FastAPI

from tb_platform.app import create_service_app
from tb_platform.audit import AuditTrail

from .api.v1 import api_router
from .core.config import NotificationSettings, get_settings
from .db.events import AUDIT
from .services.metrics import receipt_metrics
from .worker import WORKER


def create_app(settings: NotificationSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="TB ERP — notification service",
        description="E-mails customers a receipt, with the invoice PDF, when an invoice is paid; "
        "lists the notifications and how sending them went.",
        routers=[api_router],
        worker=WORKER,
        audit=AuditTrail(AUDIT, readers=frozenset({"admin"})),
        metrics=[receipt_metrics],
    )
