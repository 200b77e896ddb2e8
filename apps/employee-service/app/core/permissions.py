"""Who may do what in the employee service: the role → permission table, as data."""

from typing import Annotated

from fastapi import Depends

from tb_platform.rbac import ALL, OWN, READ, WRITE, Grant, Policy

_READ_ALL = {READ: ALL}
_FULL = {READ: ALL, WRITE: ALL}

POLICY = Policy(
    {
        "admin": {"employees": _FULL, "departments": _FULL, "attendance": _FULL, "roles": _FULL},
        "hr_manager": {
            "employees": _FULL,
            "departments": _FULL,
            "attendance": _FULL,
            "roles": _FULL,
        },
        "asset_manager": {
            "employees": _READ_ALL,
            "departments": _READ_ALL,
            "attendance": _READ_ALL,
            "roles": _READ_ALL,
        },
        "accountant": {
            "employees": _READ_ALL,
            "departments": _READ_ALL,
            "attendance": _READ_ALL,
            "roles": _READ_ALL,
        },
        # Self-service: their own record and attendance, and checking themselves in and out.
        "employee": {"employees": {READ: OWN}, "attendance": {READ: OWN, WRITE: OWN}},
    }
)

ReadEmployees = Annotated[Grant, Depends(POLICY.require("employees", READ))]
WriteEmployees = Annotated[Grant, Depends(POLICY.require("employees", WRITE))]
ReadDepartments = Annotated[Grant, Depends(POLICY.require("departments", READ))]
WriteDepartments = Annotated[Grant, Depends(POLICY.require("departments", WRITE))]
ReadAttendance = Annotated[Grant, Depends(POLICY.require("attendance", READ))]
WriteAttendance = Annotated[Grant, Depends(POLICY.require("attendance", WRITE))]
ReadRoles = Annotated[Grant, Depends(POLICY.require("roles", READ))]
