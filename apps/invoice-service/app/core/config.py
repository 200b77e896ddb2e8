"""The invoice service's settings (environment variables, see ServiceSettings for the shared ones)."""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from pydantic import Field

from tb_platform.app import current_settings
from tb_platform.employees import EmployeeServiceSettings


class InvoiceSettings(EmployeeServiceSettings):
    service_name: str = "invoice-service"
    port: int = Field(default=8003, ge=1, le=65535)

    # Printed in the header of every invoice PDF.
    company_name: str = "TB ERP Demo Company Ltd"
    company_address: str = "1 Market Street, Springfield"
    company_tax_id: str = "GB123456789"


@lru_cache
def get_settings() -> InvoiceSettings:
    return InvoiceSettings()


SettingsDep = Annotated[InvoiceSettings, Depends(current_settings)]
"""The running app's settings (read per request, so tests may swap them)."""
