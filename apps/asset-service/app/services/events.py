"""The events the asset service publishes: tb_platform's asset.* catalog models, filled from assets.

Every asset event carries the asset as it is after the change, with its category's name and its
book value on the unit's business date (``uow.clock.today()``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import select
from sqlmodel import col

from tb_platform.events.catalog import AssetData
from tb_platform.uow import UnitOfWork

from ..models import Asset, AssetCategory
from .schedules import accumulated_at, value_on

# Why the worker takes an asset back from its holder (history and asset.returned).
EMPLOYEE_TERMINATED = "employee terminated"


def _fields(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "asset_tag": asset.asset_tag,
        "name": asset.name,
        "category_id": asset.category_id,
        "status": asset.status,
        "currency": asset.currency,
        "purchase_cost": asset.purchase_cost,
        "disposal_date": asset.disposal_date,
        "assigned_employee_id": asset.assigned_employee_id,
    }


async def asset_event_data(
    uow: UnitOfWork,
    model: type[AssetData],
    assets: Sequence[Asset | Mapping[str, Any]],
    *,
    reason: str | None = None,
) -> list[AssetData]:
    """``model`` data of each asset (an :class:`Asset`, or the values of a row just inserted,
    with its ``id``): two queries for any number of assets."""
    rows = [_fields(a) if isinstance(a, Asset) else a for a in assets]
    if not rows:
        return []
    today = uow.clock.today()
    accumulated = await accumulated_at(uow.session, asset_ids=[r["id"] for r in rows], at=today)
    category_ids = {r["category_id"] for r in rows}
    # A stored category's id is never NULL; SQLModel types it Optional for unsaved objects.
    names = cast(
        dict[int, str],
        dict(
            (
                await uow.session.execute(
                    select(col(AssetCategory.id), col(AssetCategory.name)).where(
                        col(AssetCategory.id).in_(category_ids)
                    )
                )
            ).all()
        ),
    )
    return [
        model(
            id=r["id"],
            tag=r["asset_tag"],
            name=r["name"],
            category_id=r["category_id"],
            category_name=names.get(r["category_id"]),
            status=str(r["status"]),
            currency=r["currency"],
            purchase_cost=r["purchase_cost"],
            book_value=value_on(
                today,
                cost=r["purchase_cost"],
                accumulated=accumulated[r["id"]],
                disposal_date=r.get("disposal_date"),
            ),
            assigned_employee_id=r.get("assigned_employee_id"),
            reason=reason,
        )
        for r in rows
    ]


async def publish_asset(
    uow: UnitOfWork, model: type[AssetData], asset: Asset, *, reason: str | None = None
) -> None:
    """Publish ``model`` (asset.created, .updated, …) about ``asset`` as it is now."""
    [data] = await asset_event_data(uow, model, [asset], reason=reason)
    await uow.publish(data)
