"""``employee-service migrate | serve | worker | create-admin | seed-demo``."""

import argparse
from collections.abc import Sequence
from pathlib import Path

from tb_platform.cli import Command, ServiceCLI, audit_verify_command, worker_command
from tb_platform.settings import ServiceSettings

from .core.config import EmployeeSettings, get_settings

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


async def _create_admin(args: argparse.Namespace, settings: ServiceSettings) -> int:
    assert isinstance(settings, EmployeeSettings)
    from .services.bootstrap import create_admin

    employee_id = await create_admin(settings, email=args.email, password=args.password)
    print(f"admin login ready: {args.email} (employee id {employee_id})")
    return 0


async def _seed_demo(args: argparse.Namespace, settings: ServiceSettings) -> int:
    assert isinstance(settings, EmployeeSettings)
    from .services.bootstrap import seed_demo

    logins = await seed_demo(settings)
    for login in logins:
        print(f"{login.role:<14} {login.email:<32} {login.password}")
    return 0


cli = ServiceCLI(
    prog="employee-service",
    app_factory="employee_service.main:create_app",
    alembic_dir=ALEMBIC_DIR,
    settings=get_settings,
    commands=[
        audit_verify_command("employee_service.db.events:AUDIT"),
        worker_command("employee_service.worker:WORKER"),
        Command(
            name="create-admin",
            help="create (or reset) an admin login",
            handler=_create_admin,
            arguments=[
                (["--email"], {"required": True}),
                (["--password"], {"required": True}),
            ],
        ),
        Command(
            name="seed-demo",
            help="add demo departments, employees and one login per role (idempotent)",
            handler=_seed_demo,
        ),
    ],
)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)
