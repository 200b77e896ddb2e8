"""Who may do what in the invoice service: the role → permission table, as data."""

from typing import Annotated

from fastapi import Depends

from tb_platform.rbac import ALL, OWN, READ, WRITE, Grant, Policy

_READ_ALL = {READ: ALL}
_FULL = {READ: ALL, WRITE: ALL}

# "invoices" covers their payments, credit notes and PDF; "reports" the tax records, the summary
# and the aging. asset_manager is absent: 403 everywhere.
POLICY = Policy(
    {
        "admin": {"invoices": _FULL, "customers": _FULL, "reports": _READ_ALL},
        "accountant": {"invoices": _FULL, "customers": _FULL, "reports": _READ_ALL},
        "hr_manager": {"invoices": _READ_ALL, "customers": _READ_ALL, "reports": _READ_ALL},
        # Only the invoices they are responsible for (employee_id), read-only.
        "employee": {"invoices": {READ: OWN}},
    }
)

ReadInvoices = Annotated[Grant, Depends(POLICY.require("invoices", READ))]
WriteInvoices = Annotated[Grant, Depends(POLICY.require("invoices", WRITE))]
ReadCustomers = Annotated[Grant, Depends(POLICY.require("customers", READ))]
WriteCustomers = Annotated[Grant, Depends(POLICY.require("customers", WRITE))]
ReadReports = Annotated[Grant, Depends(POLICY.require("reports", READ))]
