"""``invoice-service migrate | serve | worker | sync-employees | seed-demo``."""

from collections.abc import Sequence
from pathlib import Path

from tb_platform.cli import (
    ServiceCLI,
    audit_verify_command,
    seed_demo_command,
    sync_employees_command,
    worker_command,
)

from .core.config import get_settings

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


cli = ServiceCLI(
    prog="invoice-service",
    app_factory="invoice_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[
        audit_verify_command("invoice_service.db.events:AUDIT"),
        worker_command("invoice_service.worker:WORKER"),
        sync_employees_command("invoice_service.db.events:EMPLOYEES"),
        seed_demo_command("invoice_service.services.demo:seed_demo"),
    ],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
