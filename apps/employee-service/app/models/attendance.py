from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    UniqueConstraint,
)
from sqlmodel import Field

from ..db import TableModel, created_at_field, dt, updated_at_field
from .enums import string_enum


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    LEAVE = "leave"
    REMOTE = "remote"


class Attendance(TableModel, table=True):
    """One employee's attendance on one day (UTC date of the check-in)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("employee_id", "date"),
        CheckConstraint(
            "check_out_at IS NULL OR (check_in_at IS NOT NULL AND check_out_at >= check_in_at)",
            name="check_out_after_check_in",
        ),
        CheckConstraint("worked_hours IS NULL OR worked_hours >= 0", name="worked_hours_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("employee_schema.employees.id", ondelete="CASCADE"), nullable=False
        )
    )
    date: dt.date = Field(index=True)
    check_in_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    check_out_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
    worked_hours: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2)))
    status: AttendanceStatus = Field(
        default=AttendanceStatus.PRESENT,
        sa_column=Column(string_enum(AttendanceStatus, "attendance_status"), nullable=False),
    )
    note: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime | None = created_at_field()
    updated_at: dt.datetime | None = updated_at_field()
