"""The invoice service's ASGI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tb_platform.app import create_service_app
from tb_platform.audit import AuditTrail
from tb_platform.employee_directory import EmployeeDirectory

from .api.v1 import api_router
from .core.config import InvoiceSettings, get_settings
from .db.events import AUDIT, EMPLOYEES
from .worker import WORKER


def create_app(
    settings: InvoiceSettings | None = None,
    *,
    employee_directory: EmployeeDirectory | None = None,
) -> FastAPI:
    """The app; ``employee_directory`` replaces the one asking the employee service (tests)."""
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="TB ERP — invoice service",
        description="Customers, invoices, line items, tax records, payments, credit notes and PDFs.",
        routers=[api_router],
        worker=WORKER,
        audit=AuditTrail(AUDIT, readers=frozenset({"admin", "accountant"})),
    )
    # One per process: it pools the connections to the employee service.
    app.state.employee_directory = employee_directory or EmployeeDirectory(EMPLOYEES, settings)
    platform_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with platform_lifespan(application):
            yield
        await application.state.employee_directory.aclose()

    app.router.lifespan_context = lifespan
    return app
