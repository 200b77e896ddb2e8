import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from tb_platform.schemas import InputModel
from tb_platform.types import Id, PastUtcDatetime, UtcDatetime, trimmed

from ..models import AttendanceStatus

# Hours are a measure, not money: they travel as a JSON number with two decimals.
Hours = Annotated[Decimal, PlainSerializer(lambda value: float(value), return_type=float)]
Note = Annotated[str, trimmed(500)]
# A check-in or check-out cannot be recorded ahead of time.
PastInstant = PastUtcDatetime


class CheckIn(InputModel):
    employee_id: Id | None = Field(
        default=None, description="Whom to check in; yourself when absent (others: HR/admin only)"
    )
    at: PastInstant | None = Field(
        default=None, description="When (HR/admin only, for corrections); now when absent"
    )
    status: Literal[AttendanceStatus.PRESENT, AttendanceStatus.REMOTE] = AttendanceStatus.PRESENT
    note: Note | None = None


class CheckOut(InputModel):
    employee_id: Id | None = None
    at: PastInstant | None = None
    note: Note | None = None


class AttendanceDay(InputModel):
    """HR's record of a whole day: an absence, a leave, or corrected times."""

    status: AttendanceStatus
    check_in_at: UtcDatetime | None = None
    check_out_at: UtcDatetime | None = None
    note: Note | None = None


class AttendancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_id: int
    date: dt.date
    check_in_at: dt.datetime | None
    check_out_at: dt.datetime | None
    worked_hours: Hours | None
    status: AttendanceStatus
    note: str | None


class MonthlySummary(BaseModel):
    employee_id: int
    month: str = Field(description="YYYY-MM")
    days_present: int = Field(description="Days worked, on site or remote")
    days_remote: int
    days_absent: int
    days_leave: int
    hours_worked: Hours

    @classmethod
    def empty(cls, *, employee_id: int, month: str) -> "MonthlySummary":
        return cls(
            employee_id=employee_id,
            month=month,
            days_present=0,
            days_remote=0,
            days_absent=0,
            days_leave=0,
            hours_worked=Decimal(0),
        )


class MonthlySummaryList(BaseModel):
    items: list[MonthlySummary]
    total: int
