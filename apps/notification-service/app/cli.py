"""``notification-service migrate | serve | worker``."""

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from tb_platform.cli import Command, ServiceCLI, audit_verify_command
from tb_platform.settings import ServiceSettings

from .core.config import NotificationSettings, get_settings

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


async def _worker(args: argparse.Namespace, settings: ServiceSettings) -> int:
    from .worker import run_notification_worker

    assert isinstance(settings, NotificationSettings)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    await run_notification_worker(settings)
    return 0


cli = ServiceCLI(
    prog="notification-service",
    app_factory="notification_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[
        audit_verify_command("notification_service.db.events:AUDIT"),
        Command(
            name="worker",
            help="consume invoice.paid (recording receipts) and send the receipts, until SIGTERM",
            handler=_worker,
        ),
    ],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
