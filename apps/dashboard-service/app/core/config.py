"""The dashboard service's settings (environment variables, see ServiceSettings for the shared ones)."""

from functools import lru_cache

from pydantic import Field

from tb_platform.settings import ServiceSettings


class DashboardSettings(ServiceSettings):
    service_name: str = "dashboard-service"
    port: int = Field(default=8004, ge=1, le=65535)

    # Where `dashboard-service rebuild` reads the read model back from.
    employee_service_url: str = "http://127.0.0.1:8001"
    asset_service_url: str = "http://127.0.0.1:8002"
    invoice_service_url: str = "http://127.0.0.1:8003"
    source_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    rebuild_page_size: int = Field(default=200, ge=1, le=200)
    # A rebuilt row stands for the state as of (start of the rebuild minus this): an event older than
    # that is ignored (the rebuild read its change), a later one is applied over the row. It must
    # exceed the longest transaction of the other services plus the clock skew between machines.
    rebuild_overlap_seconds: int = Field(default=300, ge=0, le=86400)


@lru_cache
def get_settings() -> DashboardSettings:
    return DashboardSettings()
