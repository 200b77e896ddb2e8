"""Every enumeration of the asset service, in one place (models, schemas and services import them
from here; the depreciation engine too)."""

from enum import StrEnum


class AssetStatus(StrEnum):
    IN_STOCK = "in_stock"
    ASSIGNED = "assigned"
    IN_MAINTENANCE = "in_maintenance"
    RETIRED = "retired"
    DISPOSED = "disposed"


class MaintenanceKind(StrEnum):
    PREVENTIVE = "preventive"
    CORRECTIVE = "corrective"
    INSPECTION = "inspection"


class DepreciationMethod(StrEnum):
    STRAIGHT_LINE = "straight_line"
    DECLINING_BALANCE = "declining_balance"
    DOUBLE_DECLINING_BALANCE = "double_declining_balance"
