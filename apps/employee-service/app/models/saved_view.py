from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ..db import TableModel, created_at_field, dt, updated_at_field
from .enums import string_enum


class SavedViewResource(StrEnum):
    """The lists of the web app a view can be saved for."""

    ASSETS = "assets"
    INVOICES = "invoices"
    CUSTOMERS = "customers"
    EMPLOYEES = "employees"
    DEPARTMENTS = "departments"
    NOTIFICATIONS = "notifications"


class SavedView(TableModel, table=True):
    """A list's filters, sort and columns, saved under a name by one employee for themselves.

    Kept here because the employee service owns who a person is; the web app reads and writes
    them for whoever is signed in, whatever the list's own service.
    """

    __tablename__ = "saved_views"
    __table_args__ = (
        # One name per person and list, whatever its case; also the index the list reads.
        Index(
            "uq_saved_views_owner_resource_name",
            "owner_employee_id",
            "resource",
            func.lower(text("name")),
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_employee_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("employee_schema.employees.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    resource: SavedViewResource = Field(
        sa_column=Column(string_enum(SavedViewResource, "saved_view_resource"), nullable=False)
    )
    name: str = Field(max_length=80)
    filters: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    sort: str | None = Field(default=None, max_length=60)
    columns: list[str] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()
