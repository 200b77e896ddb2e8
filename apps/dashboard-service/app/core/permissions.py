"""Who may do what in the dashboard service: the role → permission table, as data."""

from typing import Annotated

from fastapi import Depends

from tb_platform.rbac import ALL, READ, Grant, Policy

_READ_ALL = {READ: ALL}

# The dashboard shows company-wide figures (headcount, asset values, invoicing): every role but
# `employee`, who is absent and so gets 403.
POLICY = Policy(
    {
        "admin": {"dashboard": _READ_ALL},
        "hr_manager": {"dashboard": _READ_ALL},
        "asset_manager": {"dashboard": _READ_ALL},
        "accountant": {"dashboard": _READ_ALL},
    }
)

ReadDashboard = Annotated[Grant, Depends(POLICY.require("dashboard", READ))]
