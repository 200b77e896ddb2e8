"""The employee service's settings (environment variables, see ServiceSettings for the shared ones)."""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from pydantic import Field

from tb_platform.app import current_settings
from tb_platform.settings import ServiceSettings


class EmployeeSettings(ServiceSettings):
    service_name: str = "employee-service"
    port: int = 8001

    # Login rate limit: this many failures for one email within the window → 429.
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=60, ge=1)

    # Argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)


@lru_cache
def get_settings() -> EmployeeSettings:
    return EmployeeSettings()


# The running app's settings, typed (tests may swap them per app).
SettingsDep = Annotated[EmployeeSettings, Depends(current_settings)]
