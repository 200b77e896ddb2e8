"""``invoice-service migrate | serve | seed-demo``."""

import argparse
from collections.abc import Sequence
from pathlib import Path

from tb_platform.cli import Command, ServiceCLI
from tb_platform.settings import ServiceSettings

from .core.config import InvoiceSettings, get_settings

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


async def _seed_demo(args: argparse.Namespace, settings: ServiceSettings) -> int:
    assert isinstance(settings, InvoiceSettings)
    from .services.demo import seed_demo

    for line in await seed_demo(settings):
        print(line)
    return 0


cli = ServiceCLI(
    prog="invoice-service",
    app_factory="invoice_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[
        Command(name="seed-demo", help="add demo data (idempotent)", handler=_seed_demo),
    ],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
