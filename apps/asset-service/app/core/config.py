"""The asset service's settings (environment variables, see ServiceSettings for the shared ones)."""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from pydantic import Field

from tb_platform.app import current_settings
from tb_platform.employees import EmployeeServiceSettings


class AssetSettings(EmployeeServiceSettings):
    service_name: str = "asset-service"
    port: int = Field(default=8002, ge=1, le=65535)


@lru_cache
def get_settings() -> AssetSettings:
    return AssetSettings()


# Read per request (not at import), so tests can point the employee service elsewhere.
SettingsDep = Annotated[AssetSettings, Depends(current_settings)]
