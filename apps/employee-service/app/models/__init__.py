"""The employee service's tables (SQLModel)."""

# The event tables join the same metadata, so migrations and their drift check see them too.
from ..db import events as _events  # noqa: F401
from .attendance import Attendance, AttendanceStatus
from .department import Department
from .employee import Employee, EmployeeRole, EmployeeStatus, Role, RoleName
from .login import LoginFailure
from .saved_view import SavedView, SavedViewResource

__all__ = [
    "Attendance",
    "AttendanceStatus",
    "Department",
    "Employee",
    "EmployeeRole",
    "EmployeeStatus",
    "LoginFailure",
    "Role",
    "RoleName",
    "SavedView",
    "SavedViewResource",
]
