"""The asset service's settings (environment variables, see ServiceSettings for the shared ones)."""

from functools import lru_cache

from pydantic import Field

from tb_platform.settings import ServiceSettings


class AssetSettings(ServiceSettings):
    service_name: str = "asset-service"
    port: int = Field(default=8002, ge=1, le=65535)

    # Where assignment checks that an employee exists (the employee service's batch endpoint).
    employee_service_url: str = "http://127.0.0.1:8001"
    employee_service_timeout_seconds: float = Field(default=5.0, gt=0, le=60)


@lru_cache
def get_settings() -> AssetSettings:
    return AssetSettings()
