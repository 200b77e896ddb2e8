"""``invoice-service migrate | serve | seed-demo``."""

from collections.abc import Sequence
from pathlib import Path

from tb_platform.cli import ServiceCLI, seed_demo_command

from .core.config import get_settings

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"

cli = ServiceCLI(
    prog="invoice-service",
    app_factory="invoice_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[seed_demo_command("invoice_service.services.demo:seed_demo")],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
