"""``asset-service migrate | serve | seed-demo | sync-employees | worker``."""

import argparse
from collections.abc import Sequence
from pathlib import Path

from tb_platform.cli import Command, ServiceCLI, seed_demo_command, worker_command
from tb_platform.db import Database
from tb_platform.employee_directory import sync_employees
from tb_platform.settings import ServiceSettings

from .core.config import AssetSettings, get_settings
from .db.events import EMPLOYEES

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


async def _sync_employees(args: argparse.Namespace, settings: ServiceSettings) -> int:
    assert isinstance(settings, AssetSettings)
    database = Database.connect(settings.require_database_url(), pool_size=1, max_overflow=0)
    try:
        count = await sync_employees(database, EMPLOYEES, settings)
    finally:
        await database.dispose()
    print(f"asset-service: {count} employees read from {settings.employee_service_url}")
    return 0


cli = ServiceCLI(
    prog="asset-service",
    app_factory="asset_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[
        seed_demo_command("asset_service.services.demo:seed_demo"),
        Command(
            name="sync-employees",
            help="fill the employee projection from the employee service (EMPLOYEE_SERVICE_URL)",
            handler=_sync_employees,
        ),
        worker_command("asset_service.worker:WORKER"),
    ],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
