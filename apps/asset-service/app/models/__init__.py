"""The asset service's tables (SQLModel)."""

from .asset import ASSET_TAG_SEQUENCE, Asset, AssetAssignment, DepreciationEntry, MaintenanceLog
from .category import AssetCategory
from .enums import AssetStatus, MaintenanceKind

__all__ = [
    "ASSET_TAG_SEQUENCE",
    "Asset",
    "AssetAssignment",
    "AssetCategory",
    "AssetStatus",
    "DepreciationEntry",
    "MaintenanceKind",
    "MaintenanceLog",
]
