"""``asset-service seed-demo``: demo categories and assets in every state. Safe to rerun."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import col

from tb_platform.db import Database
from tb_platform.employee_directory import EmployeeDirectory, sync_employees
from tb_platform.employees import TERMINATED, EmployeeServiceUnavailable
from tb_platform.uow import Actor, UnitOfWork, unit_of_work

from ..core.cache import asset_pages
from ..core.config import AssetSettings
from ..db.events import EMPLOYEES, EVENTS
from ..models import Asset, AssetStatus, DepreciationMethod, MaintenanceKind
from ..schemas.asset import AssetCreate, AssetUpdate, MaintenanceCreate
from ..schemas.category import CategoryCreate
from . import assets as asset_service
from . import categories as category_service
from . import maintenance as maintenance_service

logger = logging.getLogger(__name__)
ACTOR = Actor.system("seed-demo")

CATEGORIES = [
    CategoryCreate(
        name="Laptops",
        code="LAP",
        default_useful_life_months=36,
        default_salvage_percent=Decimal(10),
    ),
    CategoryCreate(name="Phones", code="PHN", default_useful_life_months=24),
    CategoryCreate(
        name="Vehicles",
        code="VEH",
        default_useful_life_months=60,
        default_depreciation_method=DepreciationMethod.DOUBLE_DECLINING_BALANCE,
        default_salvage_percent=Decimal(15),
    ),
    CategoryCreate(
        name="Machinery",
        code="MCH",
        default_useful_life_months=120,
        default_salvage_percent=Decimal(5),
    ),
    CategoryCreate(name="Furniture", code="FUR", default_useful_life_months=84),
]


@dataclass(frozen=True)
class DemoAsset:
    tag: str
    name: str
    category: str
    purchased: dt.date
    cost: str
    serial: str | None = None
    location: str = "Head office"
    currency: str = "EUR"
    method: DepreciationMethod | None = None
    rate: str | None = None
    holder: str | None = None  # email of the demo employee who has it
    state: AssetStatus = AssetStatus.IN_STOCK
    next_due: dt.date | None = None


def _demo_assets(today: dt.date) -> list[DemoAsset]:
    soon = today + dt.timedelta(days=12)
    return [
        DemoAsset(
            "LAP-0001",
            "ThinkPad T14 (Emma)",
            "LAP",
            dt.date(2025, 2, 3),
            "1480.00",
            "PF3K2L9",
            holder="employee@tb-erp.example",
        ),
        DemoAsset(
            "LAP-0002",
            "MacBook Air 13",
            "LAP",
            dt.date(2025, 9, 15),
            "1299.00",
            "C02XK1ABC",
            holder="hr@tb-erp.example",
        ),
        DemoAsset(
            "LAP-0003", "Dell Latitude 5440", "LAP", dt.date(2026, 1, 20), "1150.00", "DL5440-77"
        ),
        DemoAsset(
            "LAP-0004",
            "ThinkPad X1 Carbon",
            "LAP",
            dt.date(2023, 5, 8),
            "1890.00",
            "PF1X1C-02",
            state=AssetStatus.IN_MAINTENANCE,
        ),
        DemoAsset(
            "PHN-0001",
            "iPhone 15",
            "PHN",
            dt.date(2025, 4, 1),
            "899.00",
            "F17Q8",
            holder="employee@tb-erp.example",
        ),
        DemoAsset(
            "PHN-0002",
            "Pixel 8",
            "PHN",
            dt.date(2022, 3, 10),
            "649.00",
            "PX8-3321",
            state=AssetStatus.RETIRED,
        ),
        DemoAsset(
            "VEH-0001",
            "VW ID.4 delivery van",
            "VEH",
            dt.date(2024, 6, 1),
            "42500.00",
            "WVWZZZE1",
            location="Depot",
            holder="assets@tb-erp.example",
            next_due=soon,
        ),
        DemoAsset(
            "VEH-0002",
            "Ford Transit",
            "VEH",
            dt.date(2019, 10, 1),
            "31800.00",
            "WF0XXTTG",
            location="Depot",
            state=AssetStatus.DISPOSED,
        ),
        DemoAsset(
            "MCH-0001",
            "CNC milling machine",
            "MCH",
            dt.date(2024, 1, 10),
            "86000.00",
            "HAAS-VF2",
            location="Workshop",
            method=DepreciationMethod.DECLINING_BALANCE,
            rate="20",
            next_due=soon + dt.timedelta(days=7),
        ),
        DemoAsset(
            "MCH-0002",
            "Air compressor",
            "MCH",
            dt.date(2025, 7, 1),
            "4200.00",
            "ATLAS-G11",
            location="Workshop",
            currency="USD",
        ),
        DemoAsset("FUR-0001", "Standing desks (10)", "FUR", dt.date(2024, 11, 4), "6490.00"),
        DemoAsset(
            "FUR-0002",
            "Meeting room table",
            "FUR",
            dt.date(2025, 3, 17),
            "1840.00",
            location="Meeting room 2",
        ),
    ]


async def _ensure_categories(uow: UnitOfWork) -> dict[str, int]:
    ids: dict[str, int] = {}
    for data in CATEGORIES:
        category = await category_service.find_by_code(uow.session, code=data.code)
        if category is None:
            category = await category_service.create_category(uow, data=data)
        assert category.id is not None
        ids[data.code] = category.id
    return ids


async def _holders_by_email(uow: UnitOfWork, emails: set[str]) -> dict[str, int]:
    """The demo holders the employee projection knows as current employees."""
    rows = await uow.session.execute(
        select(EMPLOYEES.c.email, EMPLOYEES.c.id).where(
            EMPLOYEES.c.email.in_(emails), EMPLOYEES.c.status != TERMINATED
        )
    )
    return dict(rows.all())


async def _create(
    uow: UnitOfWork,
    demo: DemoAsset,
    category_id: int,
    holders: dict[str, int],
    directory: EmployeeDirectory,
) -> Asset:
    today = uow.clock.today()
    asset = await asset_service.create_asset(
        uow,
        data=AssetCreate(
            asset_tag=demo.tag,
            name=demo.name,
            serial_number=demo.serial,
            category_id=category_id,
            location=demo.location,
            purchase_date=demo.purchased,
            purchase_cost=Decimal(demo.cost),
            currency=demo.currency,
            depreciation_method=demo.method,
            declining_rate=Decimal(demo.rate) if demo.rate else None,
        ),
    )
    asset_id = asset.id
    assert asset_id is not None
    holder = holders.get(demo.holder) if demo.holder else None
    if holder is not None:
        # The same rule as every assignment: the holder is checked against the projection.
        asset = await asset_service.assign_asset(
            uow, asset_id=asset_id, employee_id=holder, notes="demo data", directory=directory
        )
    if demo.next_due is not None:
        await maintenance_service.open_log(
            uow,
            asset_id=asset_id,
            data=MaintenanceCreate(
                kind=MaintenanceKind.PREVENTIVE,
                description="Yearly service",
                vendor="Service partner GmbH",
                cost=Decimal("240.00"),
                started_at=dt.datetime.combine(today - dt.timedelta(days=340), dt.time(9), dt.UTC),
                completed_at=dt.datetime.combine(
                    today - dt.timedelta(days=340), dt.time(15), dt.UTC
                ),
                next_due_date=demo.next_due,
            ),
        )
    if demo.state == AssetStatus.IN_MAINTENANCE:
        await maintenance_service.open_log(
            uow,
            asset_id=asset_id,
            data=MaintenanceCreate(
                kind=MaintenanceKind.CORRECTIVE,
                description="Keyboard replacement",
                vendor="Lenovo service",
                cost=Decimal("180.00"),
            ),
        )
    elif demo.state == AssetStatus.RETIRED:
        asset = await asset_service.update_asset(
            uow, asset_id=asset_id, changes=AssetUpdate(status=AssetStatus.RETIRED)
        )
    elif demo.state == AssetStatus.DISPOSED:
        asset = await asset_service.dispose_asset(
            uow,
            asset_id=asset_id,
            date=today.replace(day=1) - dt.timedelta(days=40),
            proceeds=Decimal("9500.00"),
            reason="Sold to a dealer",
        )
    return asset


async def seed_demo(settings: AssetSettings) -> list[str]:
    """Fill the employee projection from the employee service (when it answers), then add the
    demo categories and assets that are missing, in one unit of work."""
    database = Database.connect(settings.require_database_url(), pool_size=1, max_overflow=0)
    directory = EmployeeDirectory(EMPLOYEES, settings)
    pages = asset_pages(settings)  # a running API's cached list pages go stale with these writes
    created = 0
    try:
        try:
            await sync_employees(database, EMPLOYEES, settings, client=directory.client)
        except EmployeeServiceUnavailable as exc:
            logger.warning("employee service not reachable (%s): using the projection as is", exc)
        async with unit_of_work(database, actor=ACTOR, outbox=EVENTS) as uow:
            demos = _demo_assets(uow.clock.today())
            holders = await _holders_by_email(uow, {d.holder for d in demos if d.holder})
            categories = await _ensure_categories(uow)
            for demo in demos:
                exists = await uow.session.scalar(
                    select(col(Asset.id)).where(col(Asset.asset_tag) == demo.tag)
                )
                if exists is None:
                    await _create(uow, demo, categories[demo.category], holders, directory)
                    created += 1
    finally:
        await directory.aclose()
        await pages.close()
        await database.dispose()
    lines = [f"assets: {len(CATEGORIES)} demo categories, {created} new demo assets"]
    if not holders:
        lines.append("assets: no demo employees are known; demo assets are unassigned")
    return lines
