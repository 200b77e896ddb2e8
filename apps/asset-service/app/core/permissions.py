"""Who may do what in the asset service: the role → permission table, as data."""

from typing import Annotated

from fastapi import Depends

from tb_platform.rbac import ALL, OWN, READ, WRITE, Grant, Policy

_READ_ALL = {READ: ALL}
_FULL = {READ: ALL, WRITE: ALL}

POLICY = Policy(
    {
        "admin": {"assets": _FULL, "categories": _FULL, "reports": _READ_ALL},
        "asset_manager": {"assets": _FULL, "categories": _FULL, "reports": _READ_ALL},
        "accountant": {"assets": _READ_ALL, "categories": _READ_ALL, "reports": _READ_ALL},
        "hr_manager": {"assets": _READ_ALL, "categories": _READ_ALL, "reports": _READ_ALL},
        # The assets assigned to them (their history, maintenance and schedule too).
        "employee": {"assets": {READ: OWN}, "categories": _READ_ALL},
    }
)

ReadAssets = Annotated[Grant, Depends(POLICY.require("assets", READ))]
WriteAssets = Annotated[Grant, Depends(POLICY.require("assets", WRITE))]
ReadCategories = Annotated[Grant, Depends(POLICY.require("categories", READ))]
WriteCategories = Annotated[Grant, Depends(POLICY.require("categories", WRITE))]
# Company-wide views (summary, due maintenance, export): never limited to one's own rows.
ReadReports = Annotated[Grant, Depends(POLICY.require("reports", READ))]
