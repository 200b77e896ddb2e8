"""The asset service's ASGI application."""

from fastapi import FastAPI

from tb_platform.app import create_service_app

from .api.v1 import api_router
from .core.config import AssetSettings, get_settings


def create_app(settings: AssetSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="TB ERP — asset service",
        description="Assets, categories, assignment, maintenance logs and depreciation schedules.",
        routers=[api_router],
    )
