"""The asset service's tables (SQLModel), and the event and employee tables beside them."""

from ..db.events import EMPLOYEES, EVENTS
from .asset import ASSET_TAG_SEQUENCE, Asset, AssetAssignment, DepreciationSchedule, MaintenanceLog
from .category import AssetCategory
from .enums import AssetStatus, DepreciationMethod, MaintenanceKind

__all__ = [
    "ASSET_TAG_SEQUENCE",
    "EMPLOYEES",
    "EVENTS",
    "Asset",
    "AssetAssignment",
    "AssetCategory",
    "AssetStatus",
    "DepreciationMethod",
    "DepreciationSchedule",
    "MaintenanceKind",
    "MaintenanceLog",
]
