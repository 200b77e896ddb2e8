"""The command line every service has: ``<service> migrate | serve [--host H] [--port P] | …``.

A service with an audit trail (``audit-verify``) also gets ``backup [--output FILE]`` and
``restore FILE [--clean]`` of its schema (:mod:`tb_platform.backup`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import migrations
from .settings import ServiceSettings

if TYPE_CHECKING:  # imported when a command runs: the CLI starts without them
    from sqlalchemy import Table

    from .audit import ChainHead, ChainReport

Handler = Callable[[argparse.Namespace, ServiceSettings], Coroutine[Any, Any, int]]

_LONG_RUNNING = frozenset({"serve", "worker"})


@dataclass
class Command:
    """A service-specific sub-command (e.g. ``create-admin``): an async handler → exit code."""

    name: str
    help: str
    handler: Handler
    arguments: Sequence[tuple[Sequence[str], dict[str, Any]]] = field(default_factory=list)
    # The audit table (``"package.module:AUDIT"``) the command works on: ``backup`` and
    # ``restore`` take the service's schema and its audit chain from it.
    audit_table: str | None = None


def seed_demo_command(target: str) -> Command:
    """``seed-demo``: run ``"package.module:function"`` (``async (settings) -> list[str]``) and
    print the lines it returns. The module is imported only when the command runs."""

    async def handler(args: argparse.Namespace, settings: ServiceSettings) -> int:
        module_name, _, function_name = target.partition(":")
        seed = getattr(importlib.import_module(module_name), function_name)
        for line in await seed(settings):
            print(line)
        return 0

    return Command(name="seed-demo", help="add demo data (idempotent)", handler=handler)


def worker_command(target: str) -> Command:
    """``worker``: the service's outbox relay and event consumers, until SIGTERM/SIGINT.

    ``target`` is ``"package.module:WORKER"``, a :class:`tb_platform.events.worker.WorkerSpec`;
    it is imported only when the command runs.
    """

    async def handler(args: argparse.Namespace, settings: ServiceSettings) -> int:
        from .events.worker import run_service_worker

        # (ServiceCLI.main has configured the logs, as for ``serve``.)
        module_name, _, name = target.partition(":")
        spec = getattr(importlib.import_module(module_name), name)
        await run_service_worker(settings, spec)
        return 0

    return Command(
        name="worker",
        help="publish this service's events (outbox relay) and consume the events it handles",
        handler=handler,
    )


def sync_employees_command(target: str) -> Command:
    """``sync-employees``: fill or refresh the service's copy of the employees from the employee
    service (EMPLOYEE_SERVICE_URL). ``target`` is ``"package.module:EMPLOYEES"``, the projection
    table. An unreachable employee service is one line on stderr and exit code 1; the pages read
    before it failed are kept (each commits), so running it again continues the work.
    """

    async def handler(args: argparse.Namespace, settings: ServiceSettings) -> int:
        from .db import Database
        from .employee_directory import sync_employees
        from .employees import EmployeeServiceSettings, EmployeeServiceUnavailable

        if not isinstance(settings, EmployeeServiceSettings):
            raise TypeError("sync-employees needs settings with EMPLOYEE_SERVICE_URL")
        module_name, _, name = target.partition(":")
        table = getattr(importlib.import_module(module_name), name)
        database = Database.connect(settings.require_database_url(), pool_size=1, max_overflow=0)
        try:
            count = await sync_employees(database, table, settings)
        except EmployeeServiceUnavailable as exc:
            print(f"{settings.service_name} sync-employees: {exc.detail}", file=sys.stderr)
            return 1
        finally:
            await database.dispose()
        print(
            f"{settings.service_name}: {count} employees read from {settings.employee_service_url}"
        )
        return 0

    return Command(
        name="sync-employees",
        help="fill or refresh this service's copy of the employees from the employee service",
        handler=handler,
    )


def audit_verify_command(target: str) -> Command:
    """``audit-verify``: walk the service's audit chain in id order (``target`` is
    ``"package.module:AUDIT"``, its audit table). Exit 0 with the number of intact rows, or 1
    naming the first broken row."""

    async def handler(args: argparse.Namespace, settings: ServiceSettings) -> int:
        from .audit import ChainHead

        try:
            expect = ChainHead.parse(args.expect) if args.expect else None
        except ValueError as exc:
            print(f"{settings.service_name} audit-verify: {exc}", file=sys.stderr)
            return 2
        report = await _verify_chain(settings.require_database_url(), _load(target), expect)
        if not report.ok:
            print(
                f"{settings.service_name} audit-verify: row {report.broken_id} is broken "
                f"({report.reason}); {report.intact} rows before it are intact",
                file=sys.stderr,
            )
            return 1
        print(f"{settings.service_name} audit-verify: {report.intact} rows intact")
        if report.head is not None:
            # Kept elsewhere, it lets a later run tell that the newest rows were removed.
            print(f"head: {report.head} (check it later with --expect {report.head})")
        return 0

    return Command(
        name="audit-verify",
        help="check the audit trail's hash chain; name the first broken row",
        handler=handler,
        arguments=[
            (
                ["--expect"],
                {
                    "metavar": "ID:HASH",
                    "help": "a head printed by an earlier run: fail if that row is gone or changed",
                },
            )
        ],
        audit_table=target,
    )


async def _verify_chain(url: str, table: Table, expect: ChainHead | None = None) -> ChainReport:
    """:func:`tb_platform.audit.verify_chain` on ``url``, with a connection of its own."""
    from .audit import verify_chain
    from .db import Database

    database = Database.connect(url, pool_size=1, max_overflow=0)
    try:
        return await verify_chain(database, table, expect=expect)
    finally:
        await database.dispose()


def _load(target: str) -> Any:
    module_name, _, name = target.partition(":")
    return getattr(importlib.import_module(module_name), name)


def backup_commands(audit_target: str) -> list[Command]:
    """``backup [--output FILE]`` and ``restore FILE [--clean]`` of the schema that holds the
    audit table ``audit_target`` (``"package.module:AUDIT"``); see :mod:`tb_platform.backup`.

    Both exit 1 with the reason on stderr when they cannot do it; ``restore`` also when the
    restored audit chain is broken (the data is restored: the break was in the backup).
    """

    async def backup(args: argparse.Namespace, settings: ServiceSettings) -> int:
        from .backup import BackupError, backup_schema

        schema = _load(audit_target).schema
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        output = args.output or Path(f"{settings.service_name}-{stamp}.dump")
        url = settings.require_database_url()
        try:
            result = await asyncio.to_thread(backup_schema, url, schema, output)
        except BackupError as exc:
            print(f"{settings.service_name} backup: {exc}", file=sys.stderr)
            return 1
        extensions = f", extensions {', '.join(result.extensions)}" if result.extensions else ""
        print(
            f"{settings.service_name} backup: schema {schema} → {result.path} "
            f"({result.size:,} bytes, {result.tool}{extensions})"
        )
        _print_counts(result.tables)
        return 0

    async def restore(args: argparse.Namespace, settings: ServiceSettings) -> int:
        from .backup import BackupError, restore_schema

        table = _load(audit_target)
        url = settings.require_database_url()
        try:
            result = await asyncio.to_thread(
                restore_schema, url, table.schema, args.file, clean=args.clean
            )
        except BackupError as exc:
            print(f"{settings.service_name} restore: {exc}", file=sys.stderr)
            return 1
        replaced = f", replacing {len(result.replaced)} tables" if result.replaced else ""
        print(
            f"{settings.service_name} restore: {result.path} → schema {result.schema} "
            f"({result.tool}{replaced})"
        )
        _print_counts(result.tables)
        report = await _verify_chain(url, table)
        if not report.ok:
            print(
                f"{settings.service_name} restore: the restored audit chain is broken at row "
                f"{report.broken_id} ({report.reason}); {report.intact} rows before it are intact",
                file=sys.stderr,
            )
            return 1
        print(f"{settings.service_name} restore: audit chain intact ({report.intact} rows)")
        return 0

    return [
        Command(
            name="backup",
            help="write the service's schema to a pg_dump archive (custom format)",
            handler=backup,
            arguments=[
                (
                    ["--output", "-o"],
                    {
                        "type": Path,
                        "default": None,
                        "metavar": "FILE",
                        "help": "the archive to write (default <service>-<UTC time>.dump here); "
                        "an existing file is not overwritten",
                    },
                ),
            ],
            audit_table=audit_target,
        ),
        Command(
            name="restore",
            help="restore the service's schema from a backup, in one transaction, "
            "then check the audit chain",
            handler=restore,
            arguments=[
                (
                    ["file"],
                    {"type": Path, "metavar": "FILE", "help": "an archive written by backup"},
                ),
                (
                    ["--clean"],
                    {
                        "action": "store_true",
                        "help": "replace the schema's tables (the old ones stay if the restore "
                        "fails); without it a schema that holds tables is refused",
                    },
                ),
            ],
            audit_table=audit_target,
        ),
    ]


def _print_counts(tables: dict[str, int]) -> None:
    width = max((len(name) for name in tables), default=0)
    for name, rows in tables.items():
        print(f"  {name:<{width}}  {rows:>10,}")
    print(f"  {len(tables)} tables, {sum(tables.values()):,} rows")


@dataclass
class ServiceCLI:
    prog: str
    app_factory: str  # "package.main:create_app", served with uvicorn's factory mode
    alembic_dir: Path
    settings: Callable[[], ServiceSettings]
    commands: Sequence[Command] = ()

    def all_commands(self) -> list[Command]:
        """The service's commands, plus ``backup`` and ``restore`` when it has an audit table
        (a command of its own of the same name wins)."""
        commands = list(self.commands)
        audit = next((c.audit_table for c in commands if c.audit_table), None)
        if audit is not None:
            names = {command.name for command in commands}
            commands += [c for c in backup_commands(audit) if c.name not in names]
        return commands

    def main(self, argv: Sequence[str] | None = None) -> int:
        commands = self.all_commands()
        parser = argparse.ArgumentParser(prog=self.prog)
        sub = parser.add_subparsers(dest="command", required=True)
        sub.add_parser("migrate", help="apply the database migrations to DATABASE_URL")
        serve = sub.add_parser("serve", help="serve the HTTP API")
        serve.add_argument("--host", default=None, help="bind address (HOST, default 127.0.0.1)")
        serve.add_argument(
            "--port", type=int, default=None, help="port (PORT, default the service's own)"
        )
        serve.add_argument("--workers", type=int, default=1)
        for command in commands:
            parser_ = sub.add_parser(command.name, help=command.help)
            for flags, options in command.arguments:
                parser_.add_argument(*flags, **options)
        args = parser.parse_args(argv)
        try:
            settings = self.settings()
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            print(f"{self.prog}: invalid settings:\n{exc}", file=sys.stderr)
            return 2

        if args.command == "migrate":
            migrations.upgrade(self.alembic_dir, settings.require_database_url())
            print(f"{self.prog}: database is at the latest migration")
            return 0
        if args.command in _LONG_RUNNING:
            # JSON lines on stdout (text in development), redacted, for the server and the
            # worker alike — a service's own ``worker`` command included. Tests read a
            # command's output on stdout: there the log goes to stderr.
            from .observability.logs import configure_service_logging

            configure_service_logging(
                settings, stream=sys.stderr if settings.environment == "test" else None
            )
        if args.command == "serve":
            return self._serve(args, settings)
        if args.command == "worker":
            from .observability.tracing import setup_tracing

            # Consumer spans continue the producers' traces (when OTEL_* asks for traces).
            setup_tracing(settings.service_name)
        for command in commands:
            if command.name == args.command:
                try:
                    result = asyncio.run(command.handler(args, settings))
                except ValueError as exc:  # bad input, e.g. an invalid email
                    print(f"{self.prog} {command.name}: {exc}", file=sys.stderr)
                    return 2
                return result
        parser.error(f"unknown command {args.command}")
        return 2

    def _serve(self, args: argparse.Namespace, settings: ServiceSettings) -> int:
        import uvicorn

        settings.require_database_url()
        uvicorn.run(
            self.app_factory,
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            # The logging configured above (uvicorn's own would replace it), and no uvicorn
            # access log: the app writes one line per request, with its route and request id.
            log_config=None,
            access_log=False,
            proxy_headers=True,
        )
        return 0
