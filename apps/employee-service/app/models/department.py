from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field

from ..db import TableModel, created_at_field, dt, updated_at_field


class Department(TableModel, table=True):
    """A unit of the organisation; departments form a tree through ``parent_id``."""

    __tablename__ = "departments"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    code: str | None = Field(default=None, max_length=20, unique=True)
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("employee_schema.departments.id", ondelete="RESTRICT"), index=True
        ),
    )
    # departments ↔ employees refer to each other; the FK is added after both tables exist.
    manager_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("employee_schema.employees.id", ondelete="SET NULL", use_alter=True),
            index=True,
        ),
    )
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()
