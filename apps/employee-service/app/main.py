"""The employee service's ASGI application."""

from fastapi import FastAPI

from tb_platform.app import create_service_app

from .api.v1 import api_router
from .core.config import EmployeeSettings, get_settings


def create_app(settings: EmployeeSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="TB ERP — employee service",
        description="Employees, departments, roles, attendance and the login identity.",
        routers=[api_router],
    )
