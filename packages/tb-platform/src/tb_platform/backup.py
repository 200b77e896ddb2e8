"""Backup and restore of one service's schema with the tools PostgreSQL ships (pg_dump, pg_restore).

``<service> backup`` writes a custom-format archive (``pg_dump -Fc``) of the service's schema only —
its tables, sequences, functions, triggers, its ``alembic_version`` — plus the extensions its
objects need (e.g. ``pg_trgm`` for a trigram index). The rows are counted in the snapshot the dump
is taken from, so the counts printed are exactly what the file holds.

``<service> restore FILE`` puts such an archive back, in one transaction, into the database of
DATABASE_URL. It refuses a schema that already holds tables (a backup is never merged into live
data); ``--clean`` replaces them: the old schema is renamed aside, the archive restored, and the old
one dropped only once the restore succeeded (a failed restore puts it back).

The programs: ``PG_BIN`` (a directory) if set, else every ``pg_dump``/``pg_restore`` found on the
PATH, in Debian's ``/usr/lib/postgresql/*/bin`` and in the ``pgserver`` wheel. pg_dump refuses a
server newer than itself, so the newest whose major version is at least the server's is used.
The password never appears on a command line: it goes to the programs as ``PGPASSWORD``.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from .db import sync_url

PG_BIN = "PG_BIN"
DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
_TOOL_TIMEOUT_SECONDS = 10
_CONNECT_TIMEOUT_SECONDS = 10
# Extensions every database has: never dumped, never created.
_BUILT_IN_EXTENSIONS = ("plpgsql",)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the command line."""


class SchemaNotEmpty(BackupError):
    """The schema a restore would write into already holds tables (and ``--clean`` was not given)."""


# ---- the connection ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnInfo:
    """How libpq programs reach a database: a ``postgresql://`` URL without the password, and the
    password apart (for ``PGPASSWORD``, never on a command line)."""

    url: str
    password: str | None = None

    def env(self) -> dict[str, str]:
        """The environment for a pg_dump/pg_restore run: ours, plus PGPASSWORD if there is one."""
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, **options: object) -> psycopg.Connection[tuple[object, ...]]:
        """A psycopg connection to the database (autocommit unless told otherwise)."""
        options.setdefault("autocommit", True)
        options.setdefault("connect_timeout", _CONNECT_TIMEOUT_SECONDS)
        if self.password is not None:
            options["password"] = self.password
        try:
            return psycopg.connect(self.url, **options)  # type: ignore[arg-type]
        except psycopg.Error as exc:
            raise BackupError(f"cannot connect to {self.url}: {_first_line(exc)}") from exc


def conninfo(database_url: str) -> ConnInfo:
    """DATABASE_URL (``postgresql://``, ``postgresql+asyncpg://``, ``?host=/socket/dir``, asyncpg's
    ``ssl=``) → what libpq programs take: a plain ``postgresql://`` URL and the password apart."""
    parts = urlsplit(sync_url(database_url))  # checks the scheme; asyncpg's ssl= → sslmode=
    userinfo, at, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    query = parse_qsl(parts.query, keep_blank_values=True)
    secret = unquote(password) if password else None
    for key, value in query:
        if key == "password":  # libpq also takes it as a parameter
            secret = value or secret
    kept = [(key, value) for key, value in query if key != "password"]
    netloc = f"{user}@{hostport}" if at and user else hostport
    # quote, not quote_plus: libpq does not read "+" as a space.
    url = urlunsplit(("postgresql", netloc, parts.path, urlencode(kept, quote_via=quote), ""))
    return ConnInfo(url=url, password=secret or None)


def server_major(connection: psycopg.Connection[tuple[object, ...]]) -> int:
    """The server's major version (15 for 15.4)."""
    row = connection.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(str(row[0])) // 10000


# ---- the programs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTool:
    """One pg_dump or pg_restore found on this machine, and its version."""

    path: Path
    version: tuple[int, int]
    source: str  # where it was found: PG_BIN, PATH, Debian, the pgserver wheel

    @property
    def major(self) -> int:
        return self.version[0]

    def __str__(self) -> str:
        return f"{self.path.name} {self.version[0]}.{self.version[1]} ({self.path})"


def tool_dirs() -> list[tuple[str, Path]]:
    """Where to look for the programs, as (source, directory): ``PG_BIN`` alone when it is set
    (it is the operator's explicit choice), else the PATH, Debian's versioned directories and the
    pgserver wheel."""
    explicit = os.environ.get(PG_BIN)
    if explicit:
        return [(PG_BIN, Path(explicit))]
    dirs: list[tuple[str, Path]] = [("PATH", Path(entry)) for entry in _path_entries()]
    dirs += [("Debian", path) for path in sorted(Path("/").glob(DEBIAN_BIN_DIRS.lstrip("/")))]
    wheel = _wheel_dir()
    if wheel is not None:
        dirs.append(("the pgserver wheel", wheel))
    return dirs


def find_tools(program: str, dirs: Sequence[tuple[str, Path]] | None = None) -> list[PgTool]:
    """Every runnable ``program`` in ``dirs`` (default :func:`tool_dirs`), with its version."""
    found: list[PgTool] = []
    seen: set[Path] = set()
    for source, directory in tool_dirs() if dirs is None else dirs:
        path = directory / program
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        version = _tool_version(path)
        if version is not None:
            found.append(PgTool(path=path, version=version, source=source))
    return found


def choose_tool(
    program: str, server: int, dirs: Sequence[tuple[str, Path]] | None = None
) -> PgTool:
    """The newest ``program`` whose major version is at least ``server``'s (pg_dump refuses a
    newer server; pg_restore is taken from the same rule). Raises BackupError naming what was
    found when none fits."""
    dirs = tool_dirs() if dirs is None else dirs
    found = find_tools(program, dirs)
    fitting = [tool for tool in found if tool.major >= server]
    if fitting:
        # max() keeps the first of equal versions: the order of ``dirs`` breaks ties.
        return max(fitting, key=lambda tool: tool.version)
    looked = ", ".join(f"{source} ({directory})" for source, directory in dirs) or "nowhere"
    if not found:
        raise BackupError(
            f"no {program} found (looked in {looked}); install PostgreSQL {server}'s client "
            f"programs or set {PG_BIN} to the directory that holds them"
        )
    listed = ", ".join(str(tool) for tool in found)
    raise BackupError(
        f"the server is PostgreSQL {server} and no {program} found is that new: {listed}; "
        f"install PostgreSQL {server}'s (or newer) client programs or set {PG_BIN} to their directory"
    )


def _path_entries() -> list[str]:
    return [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry]


def _wheel_dir() -> Path | None:
    try:
        from .embedded import wheel_program

        return wheel_program("pg_dump").parent
    except ImportError:  # the pgserver wheel is a development dependency only
        return None


def _tool_version(path: Path) -> tuple[int, int] | None:
    try:
        result = subprocess.run(  # noqa: S603 (a PostgreSQL program found above)
            [str(path), "--version"],
            capture_output=True,
            text=True,
            timeout=_TOOL_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION.search(result.stdout)
    if result.returncode != 0 or match is None:
        return None
    return int(match[1]), int(match[2] or 0)


# ---- what the schema holds ---------------------------------------------------------------------


def schema_exists(connection: psycopg.Connection[tuple[object, ...]], schema: str) -> bool:
    row = connection.execute(
        "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)
    ).fetchone()
    return bool(row and row[0])


def schema_tables(connection: psycopg.Connection[tuple[object, ...]], schema: str) -> list[str]:
    """The names of the tables in ``schema``, sorted."""
    rows = connection.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        (schema,),
    ).fetchall()
    return [str(row[0]) for row in rows]


def row_counts(connection: psycopg.Connection[tuple[object, ...]], schema: str) -> dict[str, int]:
    """Rows per table of ``schema``, in the connection's current snapshot."""
    counts: dict[str, int] = {}
    for table in schema_tables(connection, schema):
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        row = connection.execute(query).fetchone()
        counts[table] = int(str(row[0])) if row else 0
    return counts


def needed_extensions(connection: psycopg.Connection[tuple[object, ...]], schema: str) -> list[str]:
    """The extensions objects of ``schema`` depend on (a trigram index needs ``pg_trgm``): a dump
    of one schema leaves them out unless asked, and a fresh database may lack them."""
    rows = connection.execute(
        """
        WITH members AS (  -- the objects each extension consists of
            SELECT d.classid, d.objid, e.extname
            FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
            WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
        ), own AS (  -- the schema's objects: relations, defaults, constraints, functions, types
            SELECT 'pg_class'::regclass AS classid, c.oid AS objid
            FROM pg_class c WHERE c.relnamespace = %(ns)s
            UNION ALL
            SELECT 'pg_attrdef'::regclass, a.oid
            FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE c.relnamespace = %(ns)s
            UNION ALL
            SELECT 'pg_constraint'::regclass, k.oid FROM pg_constraint k WHERE k.connamespace = %(ns)s
            UNION ALL
            SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p WHERE p.pronamespace = %(ns)s
            UNION ALL
            SELECT 'pg_type'::regclass, t.oid FROM pg_type t WHERE t.typnamespace = %(ns)s
        )
        SELECT DISTINCT m.extname
        FROM own o
        JOIN pg_depend d ON d.classid = o.classid AND d.objid = o.objid
        JOIN members m ON m.classid = d.refclassid AND m.objid = d.refobjid
        ORDER BY m.extname
        """,
        {"ns": _namespace_oid(connection, schema)},
    ).fetchall()
    return [str(row[0]) for row in rows if row[0] not in _BUILT_IN_EXTENSIONS]


def _namespace_oid(connection: psycopg.Connection[tuple[object, ...]], schema: str) -> int:
    row = connection.execute(
        "SELECT oid FROM pg_namespace WHERE nspname = %s", (schema,)
    ).fetchone()
    if row is None:
        raise BackupError(f"schema {schema} does not exist")
    return int(str(row[0]))


# ---- backup ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    """What ``backup_schema`` wrote: the file, its size, the program and the rows per table."""

    path: Path
    size: int
    schema: str
    tool: PgTool
    tables: dict[str, int]
    extensions: list[str]


def backup_schema(
    database_url: str, schema: str, output: Path, *, dirs: Sequence[tuple[str, Path]] | None = None
) -> BackupResult:
    """Dump ``schema`` of DATABASE_URL into ``output`` (custom format; never overwrites a file).

    The rows are counted in the transaction whose snapshot pg_dump uses, so the counts are those
    of the file. The file appears only once pg_dump succeeded.
    """
    _check_name(schema)
    output = output.expanduser().absolute()
    if output.exists():
        raise BackupError(
            f"{output} already exists: it is not overwritten (choose another --output)"
        )
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory")
    info = conninfo(database_url)
    with info.connect(autocommit=False) as connection:
        if not schema_exists(connection, schema):
            raise BackupError(f"schema {schema} does not exist in {info.url}: nothing to back up")
        tool = choose_tool("pg_dump", server_major(connection), dirs)
        extensions = needed_extensions(connection, schema)
        if extensions and tool.major < 14:
            raise BackupError(f"{tool} cannot dump extensions ({', '.join(extensions)}): use 14+")
        # One snapshot for the counts and the dump (kept while this transaction is open).
        connection.commit()
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = connection.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        tables = row_counts(connection, schema)
        partial = output.with_name(f".{output.name}.{secrets.token_hex(4)}.partial")
        argv = [
            str(tool.path),
            "--format=custom",
            f"--schema={_pattern(schema)}",
            *(f"--extension={_pattern(name)}" for name in extensions),
            f"--snapshot={row[0]}",
            f"--file={partial}",
            "--no-password",
            f"--dbname={info.url}",
        ]
        try:
            _run(argv, info)
            partial.replace(output)
        finally:
            with suppress(FileNotFoundError):
                partial.unlink()
        connection.rollback()
    return BackupResult(
        path=output,
        size=output.stat().st_size,
        schema=schema,
        tool=tool,
        tables=tables,
        extensions=extensions,
    )


# ---- restore -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    """What ``restore_schema`` did: the program, the rows per table now, the tables it replaced."""

    path: Path
    schema: str
    tool: PgTool
    tables: dict[str, int]
    replaced: list[str]


def restore_schema(
    database_url: str,
    schema: str,
    archive: Path,
    *,
    clean: bool = False,
    dirs: Sequence[tuple[str, Path]] | None = None,
) -> RestoreResult:
    """Restore ``schema`` from ``archive`` (a :func:`backup_schema` file) into DATABASE_URL.

    In one transaction, without the archive's owners and privileges (the restoring user — the
    service's own — owns what it restores). Raises SchemaNotEmpty if the schema holds tables and
    ``clean`` is false; with ``clean`` the old schema is replaced, and kept if the restore fails.
    """
    _check_name(schema)
    archive = archive.expanduser().absolute()
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file")
    info = conninfo(database_url)
    with info.connect() as connection:
        tool = choose_tool("pg_restore", server_major(connection), dirs)
        entries = _archive_entries(tool, archive, info, schema)
        existing = schema_tables(connection, schema)
        if existing and not clean:
            shown = ", ".join(existing[:5]) + (", …" if len(existing) > 5 else "")
            raise SchemaNotEmpty(
                f"schema {schema} already holds {len(existing)} tables ({shown}): a backup is "
                "not merged into existing data; restore into an empty database, or add --clean "
                "to replace the schema"
            )
        existed, aside = _clear_the_way(connection, schema, clean=clean)
        with tempfile.TemporaryDirectory(prefix="tb-restore-") as scratch:
            listing = Path(scratch) / "restore.list"
            listing.write_text("\n".join(entries) + "\n", encoding="utf-8")
            argv = [
                str(tool.path),
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--use-list={listing}",
                "--no-password",
                f"--dbname={info.url}",
                str(archive),
            ]
            try:
                _run(argv, info)
            except BaseException as exc:
                try:
                    _put_back(connection, schema, existed=existed, aside=aside)
                except psycopg.Error as failed:
                    kept = f": the old tables are in schema {aside}" if aside else ""
                    raise BackupError(
                        f"{exc}; putting the schema back failed too ({_first_line(failed)}){kept}"
                    ) from exc
                raise
        if aside is not None:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(aside)))
        tables = row_counts(connection, schema)
    return RestoreResult(
        path=archive, schema=schema, tool=tool, tables=tables, replaced=existing if clean else []
    )


def _archive_entries(tool: PgTool, archive: Path, info: ConnInfo, schema: str) -> list[str]:
    """The archive's table of contents to restore, after checking it is a backup of ``schema``
    alone. Extension comments are left out: only an extension's owner may set them, and the
    extension may already be there, owned by someone else."""
    everything = _toc(tool, archive, info)
    inside = {_entry_id(line) for line in _toc(tool, archive, info, f"--schema={schema}")}
    name = re.escape(schema)
    allowed = re.compile(
        rf"^((SCHEMA -|COMMENT - SCHEMA|ACL - SCHEMA) {name}( |$)|EXTENSION - |COMMENT - EXTENSION )"
    )
    schemas = [
        match[1] for line in everything if (match := re.match(r"SCHEMA - (\S+)", _desc(line)))
    ]
    if schema not in schemas:
        held = f"a backup of schema {', '.join(schemas)}" if schemas else "no schema backup"
        raise BackupError(f"{archive} is {held}, not of {schema}")
    outside = [
        line
        for line in everything
        if _entry_id(line) not in inside and not allowed.match(_desc(line))
    ]
    if outside:
        raise BackupError(
            f"{archive} holds objects outside schema {schema} (e.g. {outside[0]!r}): it is not a "
            f"backup of {schema} alone"
        )
    return [line for line in everything if not _desc(line).startswith("COMMENT - EXTENSION ")]


def _toc(tool: PgTool, archive: Path, info: ConnInfo, *options: str) -> list[str]:
    result = subprocess.run(  # noqa: S603 (a PostgreSQL program and our own arguments)
        [str(tool.path), "--list", *options, str(archive)],
        capture_output=True,
        text=True,
        env=info.env(),
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            f"{archive} cannot be read by {tool}: {result.stderr.strip() or result.stdout.strip()}"
        )
    return [line for line in result.stdout.splitlines() if line and not line.startswith(";")]


def _entry_id(line: str) -> str:
    return line.split(";", 1)[0]


def _desc(line: str) -> str:
    """``123; 1259 16390 TABLE s t owner`` → ``TABLE s t owner`` (what the entry is)."""
    return line.split(";", 1)[1].strip().split(" ", 2)[2]


def _clear_the_way(
    connection: psycopg.Connection[tuple[object, ...]], schema: str, *, clean: bool
) -> tuple[bool, str | None]:
    """Make room for the archive's ``CREATE SCHEMA``: an empty schema is dropped; with ``clean``
    one that holds something is renamed aside. Returns whether it existed, and its name aside."""
    if not schema_exists(connection, schema):
        return False, None
    try:
        connection.execute(sql.SQL("DROP SCHEMA {}").format(sql.Identifier(schema)))
        return True, None
    except psycopg.errors.DependentObjectsStillExist:
        if not clean:  # no tables (checked before), but functions, types or sequences
            raise SchemaNotEmpty(
                f"schema {schema} is not empty (it holds functions, types or sequences): add "
                "--clean to replace it"
            ) from None
    aside = f"{schema}_before_restore_{secrets.token_hex(4)}"
    connection.execute(
        sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
            sql.Identifier(schema), sql.Identifier(aside)
        )
    )
    return True, aside


def _put_back(
    connection: psycopg.Connection[tuple[object, ...]],
    schema: str,
    *,
    existed: bool,
    aside: str | None,
) -> None:
    """After a failed restore (rolled back, so no new schema): the schema as it was before."""
    if aside is not None:
        connection.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                sql.Identifier(aside), sql.Identifier(schema)
            )
        )
    elif existed:
        connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


# ---- the pieces --------------------------------------------------------------------------------


def _check_name(schema: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", schema):
        raise BackupError(f"unsupported schema name {schema!r}")


def _pattern(name: str) -> str:
    """A name as a pg_dump pattern that matches it alone (quoted: no wildcards, case kept)."""
    return f'"{name}"'


def _run(argv: list[str], info: ConnInfo) -> None:
    program = Path(argv[0]).name
    try:
        result = subprocess.run(  # noqa: S603 (a PostgreSQL program and our own arguments)
            argv, capture_output=True, text=True, env=info.env(), check=False
        )
    except OSError as exc:
        raise BackupError(f"{program} could not be started: {exc}") from exc
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout.strip() or "no message"
        raise BackupError(f"{program} failed (exit code {result.returncode}): {detail}")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
