"""Who may do what in the employee service: the role → permission table, as data."""

from typing import Annotated

from fastapi import Depends

from tb_platform.rbac import ALL, OWN, READ, WRITE, Grant, Policy

_READ_ALL = {READ: ALL}
_FULL = {READ: ALL, WRITE: ALL}
# Everyone keeps views of the lists for themselves, and sees only their own.
_OWN = {READ: OWN, WRITE: OWN}

POLICY = Policy(
    {
        "admin": {
            "employees": _FULL,
            "departments": _FULL,
            "attendance": _FULL,
            "roles": _FULL,
            "saved_views": _OWN,
        },
        "hr_manager": {
            "employees": _FULL,
            "departments": _FULL,
            "attendance": _FULL,
            "roles": _FULL,
            "saved_views": _OWN,
        },
        "asset_manager": {
            "employees": _READ_ALL,
            "departments": _READ_ALL,
            "attendance": _READ_ALL,
            "roles": _READ_ALL,
            "saved_views": _OWN,
        },
        "accountant": {
            "employees": _READ_ALL,
            "departments": _READ_ALL,
            "attendance": _READ_ALL,
            "roles": _READ_ALL,
            "saved_views": _OWN,
        },
        # Self-service: their own record and attendance, and checking themselves in and out.
        "employee": {
            "employees": {READ: OWN},
            "attendance": {READ: OWN, WRITE: OWN},
            "saved_views": _OWN,
        },
    }
)

ReadEmployees = Annotated[Grant, Depends(POLICY.require("employees", READ))]
WriteEmployees = Annotated[Grant, Depends(POLICY.require("employees", WRITE))]
ReadDepartments = Annotated[Grant, Depends(POLICY.require("departments", READ))]
WriteDepartments = Annotated[Grant, Depends(POLICY.require("departments", WRITE))]
ReadAttendance = Annotated[Grant, Depends(POLICY.require("attendance", READ))]
WriteAttendance = Annotated[Grant, Depends(POLICY.require("attendance", WRITE))]
# Recording a whole day (an absence, a leave, corrected times) is HR's: an own grant is not enough.
RecordAttendance = Annotated[Grant, Depends(POLICY.require("attendance", WRITE, scope=ALL))]
ReadRoles = Annotated[Grant, Depends(POLICY.require("roles", READ))]
ReadSavedViews = Annotated[Grant, Depends(POLICY.require("saved_views", READ))]
WriteSavedViews = Annotated[Grant, Depends(POLICY.require("saved_views", WRITE))]
