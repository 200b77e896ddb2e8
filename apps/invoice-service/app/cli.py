"""``invoice-service migrate | serve | worker | sync-employees | seed-demo``."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tb_platform.cli import Command, ServiceCLI, seed_demo_command, worker_command
from tb_platform.settings import ServiceSettings

from .core.config import InvoiceSettings, get_settings

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


async def _sync_employees(args: argparse.Namespace, settings: ServiceSettings) -> int:
    assert isinstance(settings, InvoiceSettings)
    from tb_platform.db import Database
    from tb_platform.employee_directory import sync_employees
    from tb_platform.employees import EmployeeServiceUnavailable

    from .db.events import EMPLOYEES

    database = Database.connect(settings.require_database_url(), pool_size=1, max_overflow=0)
    try:
        count = await sync_employees(database, EMPLOYEES, settings)
    except EmployeeServiceUnavailable as exc:
        # What was read before the failure is kept (each page commits); run it again later.
        print(f"invoice-service sync-employees: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    print(f"invoice-service: {count} employees read from the employee service")
    return 0


cli = ServiceCLI(
    prog="invoice-service",
    app_factory="invoice_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[
        worker_command("invoice_service.worker:WORKER"),
        Command(
            name="sync-employees",
            help="fill or refresh this service's copy of the employees from the employee service",
            handler=_sync_employees,
        ),
        seed_demo_command("invoice_service.services.demo:seed_demo"),
    ],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
