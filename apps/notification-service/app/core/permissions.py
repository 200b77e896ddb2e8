"""Who may do what in the notification service: the role → permission table, as data."""

from typing import Annotated

from fastapi import Depends

from tb_platform.rbac import ALL, READ, Grant, Policy

# Receipts go to customers about money: the people who deal with invoices read them. Nobody
# writes notifications over HTTP; the worker records and sends them.
POLICY = Policy(
    {
        "admin": {"notifications": {READ: ALL}},
        "accountant": {"notifications": {READ: ALL}},
    }
)

ReadNotifications = Annotated[Grant, Depends(POLICY.require("notifications", READ))]
