from sqlmodel import Field

from ..db import TableModel
from ._columns import as_of_field, changed_at_field, dt, source_id_field, status_field


class Employee(TableModel, table=True):
    """One employee as the last event about them said (employee.created/updated/deleted)."""

    __tablename__ = "employees"

    id: int = source_id_field()
    status: str = status_field()
    department_id: int | None = Field(default=None)
    as_of: dt.datetime = as_of_field()
    changed_at: dt.datetime = changed_at_field()


class Department(TableModel, table=True):
    """A department's name, from the newest employee event that named it."""

    __tablename__ = "departments"

    id: int = source_id_field()
    name: str = Field(max_length=200)
    as_of: dt.datetime = as_of_field()
    changed_at: dt.datetime = changed_at_field()
