"""``dashboard-service migrate | serve | worker | rebuild | seed-demo``."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tb_platform.cli import (
    Command,
    ServiceCLI,
    audit_verify_command,
    seed_demo_command,
    worker_command,
)
from tb_platform.settings import ServiceSettings

from .core.config import DashboardSettings, get_settings

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


async def _rebuild(args: argparse.Namespace, settings: ServiceSettings) -> int:
    assert isinstance(settings, DashboardSettings)
    from tb_platform.db import Database

    from .services.rebuild import SourceUnavailable, rebuild_from_services

    database = Database.connect(settings.require_database_url(), pool_size=2, max_overflow=0)
    try:
        counts = await rebuild_from_services(settings, database)
    except SourceUnavailable as exc:
        print(f"dashboard-service rebuild: {exc}; the read model was not changed", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    print(f"dashboard-service rebuild: read model replaced ({counts})")
    return 0


cli = ServiceCLI(
    prog="dashboard-service",
    app_factory="dashboard_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[
        audit_verify_command("dashboard_service.db.events:AUDIT"),
        worker_command("dashboard_service.worker:WORKER"),
        Command(
            name="rebuild",
            help="rebuild the read model from the employee, asset and invoice services' APIs",
            handler=_rebuild,
        ),
        seed_demo_command("dashboard_service.services.demo:seed_demo"),
    ],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
