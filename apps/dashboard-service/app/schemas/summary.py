"""The dashboard summary as the API answers it: counts, and money as decimal strings."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

# An amount leaves the API as a decimal string with its currency's decimals ("1234.50" EUR,
# "1235" JPY); the service has already rounded it to them.
Amount = Annotated[Decimal, PlainSerializer(lambda value: f"{value:f}", return_type=str)]


class CategoryCount(BaseModel):
    category_id: int | None
    name: str | None
    count: int


class AssetTotals(BaseModel):
    currency: str
    cost: Amount
    book_value: Amount


class AssetFigures(BaseModel):
    count: int = Field(description="Every asset, disposed ones included")
    by_status: dict[str, int] = Field(
        description="in_stock, assigned, in_maintenance, retired, disposed (and any status the"
        " asset service adds)"
    )
    by_category: list[CategoryCount]
    totals: list[AssetTotals] = Field(
        description="Purchase cost and book value of the assets not disposed, per currency"
    )


class DepartmentCount(BaseModel):
    department_id: int | None = Field(description="null: employees without a department")
    name: str | None
    count: int


class Headcount(BaseModel):
    total: int = Field(description="Employees active or on leave (terminated ones do not count)")
    by_department: list[DepartmentCount]


class MonthFigures(BaseModel):
    month: str = Field(description="YYYY-MM")
    currency: str
    invoiced: Amount = Field(
        description="Totals less credit notes of the invoices issued that month, voids excluded"
    )
    collected: Amount = Field(description="Payments received that month (UTC) less refunds")
    outstanding: Amount = Field(description="What is still due on the invoices issued that month")


class InvoiceFigures(BaseModel):
    by_month: list[MonthFigures]


class DashboardSummary(BaseModel):
    assets: AssetFigures
    headcount: Headcount
    invoices: InvoiceFigures
    updated_at: dt.datetime | None = Field(
        description="When the read model last changed (null while it is empty)"
    )
