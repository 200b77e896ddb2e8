"""The employee service's tables (SQLModel)."""

from .attendance import Attendance, AttendanceStatus
from .department import Department
from .employee import Employee, EmployeeRole, EmployeeStatus, Role, RoleName
from .login import LoginFailure

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
]
