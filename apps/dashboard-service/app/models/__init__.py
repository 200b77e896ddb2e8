"""The read model's tables (SQLModel): one row per aggregate of the other services.

The summary is always computed from these rows (GROUP BY), never kept as running totals, so an
event applied twice or late changes a row to what it already was instead of counting again.
"""

from .assets import Asset, AssetCategory
from .headcount import Department, Employee
from .invoicing import Invoice, Payment
from .state import STATE_ID, ReadModelState

__all__ = [
    "STATE_ID",
    "Asset",
    "AssetCategory",
    "Department",
    "Employee",
    "Invoice",
    "Payment",
    "ReadModelState",
]
