"""``asset-service migrate | serve | seed-demo | sync-employees | worker``."""

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
    prog="asset-service",
    app_factory="asset_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[
        audit_verify_command("asset_service.db.events:AUDIT"),
        seed_demo_command("asset_service.services.demo:seed_demo"),
        sync_employees_command("asset_service.db.events:EMPLOYEES"),
        worker_command("asset_service.worker:WORKER"),
    ],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
