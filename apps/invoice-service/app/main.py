"""The invoice service's ASGI application."""

from fastapi import FastAPI

from tb_platform.app import create_service_app

from .api.v1 import api_router
from .core.config import InvoiceSettings, get_settings


def create_app(settings: InvoiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="TB ERP — invoice service",
        description="Customers, invoices, line items, tax records, payments, credit notes and PDFs.",
        routers=[api_router],
    )
