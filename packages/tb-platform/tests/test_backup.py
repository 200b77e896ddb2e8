"""Backup and restore of one schema (tb_platform.backup) with the real pg_dump and pg_restore.

Each test works in schemas and databases of its own on the test server. Where the choice of a
program is the subject, small executables that answer ``--version`` like PostgreSQL's stand for
versions this machine does not have.
"""

from __future__ import annotations

import secrets
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tb_platform.backup import (
    PG_BIN,
    BackupError,
    SchemaNotEmpty,
    backup_schema,
    choose_tool,
    conninfo,
    find_tools,
    restore_schema,
    server_major,
    tool_dirs,
)
from tb_platform.cli import Command, ServiceCLI, audit_verify_command
from tb_platform.settings import ServiceSettings
from tb_platform.testing import temporary_database

# ---- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def schema() -> str:
    return f"bk_{secrets.token_hex(4)}"


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A second, empty database: where a backup is restored as on a new server."""
    with temporary_database("tb_restore") as url:
        yield url


def _sql(template: str, **names: str) -> sql.Composed:
    """``template`` with ``{name}`` placeholders filled with quoted identifiers."""
    return sql.SQL(template).format(**{key: sql.Identifier(value) for key, value in names.items()})


def _execute(url: str, *statements: str | sql.Composed) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def _ledger(url: str, schema: str, *, rows: int = 3) -> None:
    """A schema with what a service's has: a sequence, a foreign key, a check, a trigger
    function, JSONB and decimals, an Alembic version table."""
    s = sql.Identifier(schema)
    _execute(
        url,
        sql.SQL("CREATE SCHEMA {}").format(s),
        sql.SQL("CREATE TABLE {}.alembic_version (version_num varchar(32) PRIMARY KEY)").format(s),
        sql.SQL("INSERT INTO {}.alembic_version VALUES ('0004')").format(s),
        sql.SQL(
            "CREATE TABLE {}.customers (id serial PRIMARY KEY, name text NOT NULL, "
            "extra jsonb, created_at timestamptz NOT NULL DEFAULT now())"
        ).format(s),
        sql.SQL(
            "CREATE TABLE {s}.payments (id bigserial PRIMARY KEY, "
            "customer_id int NOT NULL REFERENCES {s}.customers (id), "
            "amount numeric(12, 2) NOT NULL CHECK (amount > 0))"
        ).format(s=s),
        sql.SQL(
            "CREATE FUNCTION {}.stamp() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.name := trim(NEW.name); RETURN NEW; END $$"
        ).format(s),
        sql.SQL(
            "CREATE TRIGGER customers_stamp BEFORE INSERT ON {s}.customers "
            "FOR EACH ROW EXECUTE FUNCTION {s}.stamp()"
        ).format(s=s),
    )
    for n in range(rows):
        _execute(
            url,
            sql.SQL("INSERT INTO {}.customers (name, extra) VALUES ({}, {})").format(
                s, sql.Literal(f"  Customer {n} "), sql.Literal(f'{{"n": {n}, "tags": ["ä"]}}')
            ),
            sql.SQL("INSERT INTO {}.payments (customer_id, amount) VALUES ({}, {})").format(
                s, sql.Literal(n + 1), sql.Literal(f"{n}.05")
            ),
        )


def _contents(url: str, schema: str) -> dict[str, Any]:
    """Every row of every table of ``schema`` (all columns), and where each sequence stands."""
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (schema,)
        ).fetchall()
        found: dict[str, Any] = {}
        for (table,) in tables:
            query = sql.SQL("SELECT * FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            found[table] = sorted(connection.execute(query).fetchall(), key=repr)
        found["sequences"] = connection.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s "
            "ORDER BY sequencename",
            (schema,),
        ).fetchall()
    return found


def _fake_tool(directory: Path, program: str, version: str, *, works: bool = True) -> Path:
    """An executable that answers ``--version`` as PostgreSQL's programs do."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / program
    answer = f'echo "{program} (PostgreSQL) {version}"' if works else "exit 1"
    path.write_text(f"#!/bin/sh\n{answer}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def _server_major(url: str) -> int:
    with psycopg.connect(url) as connection:
        return server_major(connection)


# ---- the connection ----------------------------------------------------------------------------


def test_database_urls_become_libpq_urls_with_the_password_kept_apart() -> None:
    info = conninfo("postgresql+asyncpg://erp:p%40ss%3Aw0rd@db.internal:5433/erp?ssl=require")
    assert info.url == "postgresql://erp@db.internal:5433/erp?sslmode=require"
    assert info.password == "p@ss:w0rd"
    assert info.env()["PGPASSWORD"] == "p@ss:w0rd"

    # The embedded server's unix socket, and an empty password (none at all).
    socket = conninfo("postgresql://postgres:@/tb_erp?host=/tmp/tb-erp-pg")
    assert socket.url == "postgresql://postgres@/tb_erp?host=%2Ftmp%2Ftb-erp-pg"
    assert socket.password is None

    # A password given as a parameter leaves the URL too; a space stays a space for libpq.
    param = conninfo("postgresql://erp@db/erp?password=s3cret&options=-c%20search_path%3Dx")
    assert param.url == "postgresql://erp@db/erp?options=-c%20search_path%3Dx"
    assert param.password == "s3cret"

    assert conninfo("postgresql+psycopg://db.internal/erp").url == "postgresql://db.internal/erp"
    with pytest.raises(ValueError, match="postgresql://"):
        conninfo("mysql://root:secret@localhost/erp")


def test_the_converted_url_reaches_the_database_over_tcp_and_the_unix_socket(
    database_url: str, schema: str, tmp_path: Path
) -> None:
    _ledger(database_url, schema, rows=1)
    parts = urlsplit(database_url)
    asyncpg_style = urlunsplit(parts._replace(scheme="postgresql+asyncpg"))
    result = backup_schema(asyncpg_style, schema, tmp_path / "tcp.dump")
    assert result.tables["customers"] == 1

    with psycopg.connect(database_url) as connection:
        row = connection.execute("SHOW unix_socket_directories").fetchone()
    socket_dir = str(row[0]).split(",")[0].strip() if row else ""
    if not socket_dir or not Path(socket_dir).is_dir():
        pytest.skip("the test server has no unix socket on this machine")
    name = parts.path.lstrip("/")
    over_socket = f"postgresql+asyncpg://{parts.username or 'postgres'}:@/{name}?host={socket_dir}"
    result = backup_schema(over_socket, schema, tmp_path / "socket.dump")
    assert result.tables["customers"] == 1


# ---- the programs ------------------------------------------------------------------------------


def test_the_newest_program_at_least_as_new_as_the_server_is_chosen(tmp_path: Path) -> None:
    dirs = [
        ("PATH", tmp_path / "a"),
        ("Debian", tmp_path / "b"),
        ("the pgserver wheel", tmp_path / "c"),
        ("broken", tmp_path / "d"),
    ]
    _fake_tool(tmp_path / "a", "pg_dump", "14.11")
    _fake_tool(tmp_path / "b", "pg_dump", "16.4 (Debian 16.4-1)")
    _fake_tool(tmp_path / "c", "pg_dump", "16.2")
    _fake_tool(tmp_path / "d", "pg_dump", "99.0", works=False)  # does not run: never chosen

    assert [tool.version for tool in find_tools("pg_dump", dirs)] == [(14, 11), (16, 4), (16, 2)]
    assert choose_tool("pg_dump", 13, dirs).path == tmp_path / "b" / "pg_dump"
    assert choose_tool("pg_dump", 16, dirs).version == (16, 4)
    # Equal versions: the first place looked in wins.
    _fake_tool(tmp_path / "a", "pg_dump", "16.4")
    assert choose_tool("pg_dump", 15, dirs).source == "PATH"

    with pytest.raises(BackupError) as refused:
        choose_tool("pg_dump", 17, dirs)
    message = str(refused.value)
    assert "PostgreSQL 17" in message
    assert "pg_dump 16.4" in message
    assert "pg_dump 16.2" in message
    assert PG_BIN in message

    with pytest.raises(BackupError, match="no pg_restore found"):
        choose_tool("pg_restore", 15, dirs)


def test_pg_bin_is_the_only_place_looked_in_when_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_tool(tmp_path / "pg15", "pg_dump", "15.6")
    monkeypatch.setenv(PG_BIN, str(tmp_path / "pg15"))
    assert tool_dirs() == [(PG_BIN, tmp_path / "pg15")]
    assert choose_tool("pg_dump", 15).version == (15, 6)
    # An explicit choice that does not fit is an error, not a silent fall-back elsewhere.
    with pytest.raises(BackupError, match=r"PostgreSQL 16 .*pg_dump 15\.6"):
        choose_tool("pg_dump", 16)


def test_this_machine_has_a_pg_dump_and_pg_restore_for_the_test_server(database_url: str) -> None:
    major = _server_major(database_url)
    for program in ("pg_dump", "pg_restore"):
        found = find_tools(program)
        chosen = choose_tool(program, major)
        assert chosen.major >= major
        assert chosen.version == max(tool.version for tool in found)


# ---- backup and restore ------------------------------------------------------------------------


def test_a_schema_comes_back_whole_in_a_fresh_database(
    database_url: str, fresh_database: str, schema: str, tmp_path: Path
) -> None:
    _ledger(database_url, schema)
    _execute(
        database_url,
        _sql("CREATE SCHEMA {o}", o=f"{schema}_other"),
        _sql("CREATE TABLE {o}.t (x int)", o=f"{schema}_other"),
    )
    before = _contents(database_url, schema)

    backup = backup_schema(database_url, schema, tmp_path / "ledger.dump")
    assert backup.path == tmp_path / "ledger.dump"
    assert backup.size == backup.path.stat().st_size > 0
    assert backup.tables == {"alembic_version": 1, "customers": 3, "payments": 3}
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.dump"]  # no partial file left

    restored = restore_schema(fresh_database, schema, backup.path)
    assert restored.tables == backup.tables
    assert restored.replaced == []
    assert _contents(fresh_database, schema) == before
    with psycopg.connect(fresh_database) as connection:
        # Only that schema: the other one stayed where it was.
        assert connection.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (f"{schema}_other",)
        ).fetchone() == (0,)
        # The sequence, the trigger and the check came back too.
        connection.execute(
            sql.SQL("INSERT INTO {}.customers (name) VALUES ('  New  ')").format(
                sql.Identifier(schema)
            )
        )
        assert connection.execute(
            sql.SQL("SELECT id, name FROM {}.customers ORDER BY id DESC LIMIT 1").format(
                sql.Identifier(schema)
            )
        ).fetchone() == (4, "New")
        with pytest.raises(psycopg.errors.CheckViolation):
            connection.execute(
                sql.SQL("INSERT INTO {}.payments (customer_id, amount) VALUES (1, 0)").format(
                    sql.Identifier(schema)
                )
            )


def test_an_empty_schema_left_by_hand_is_restored_into(
    database_url: str, fresh_database: str, schema: str, tmp_path: Path
) -> None:
    _ledger(database_url, schema)
    backup = backup_schema(database_url, schema, tmp_path / "ledger.dump")
    _execute(fresh_database, _sql("CREATE SCHEMA {s}", s=schema))
    assert restore_schema(fresh_database, schema, backup.path).tables["payments"] == 3


def test_a_schema_that_holds_tables_is_refused_and_left_as_it_was(
    database_url: str, schema: str, tmp_path: Path
) -> None:
    _ledger(database_url, schema)
    backup = backup_schema(database_url, schema, tmp_path / "ledger.dump")
    _execute(
        database_url, _sql("INSERT INTO {s}.customers (name) VALUES ('after the backup')", s=schema)
    )
    live = _contents(database_url, schema)

    with pytest.raises(SchemaNotEmpty, match=rf"schema {schema} already holds 3 tables.*--clean"):
        restore_schema(database_url, schema, backup.path)
    assert _contents(database_url, schema) == live


def test_clean_replaces_the_schema_with_the_backup(
    database_url: str, schema: str, tmp_path: Path
) -> None:
    _ledger(database_url, schema)
    before = _contents(database_url, schema)
    backup = backup_schema(database_url, schema, tmp_path / "ledger.dump")
    _execute(
        database_url,
        _sql("INSERT INTO {s}.customers (name) VALUES ('after the backup')", s=schema),
        _sql("CREATE TABLE {s}.added_later (id int)", s=schema),
    )

    restored = restore_schema(database_url, schema, backup.path, clean=True)
    assert restored.replaced == ["added_later", "alembic_version", "customers", "payments"]
    assert _contents(database_url, schema) == before
    with psycopg.connect(database_url) as connection:  # nothing left aside
        assert connection.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE %s", (f"{schema}%",)
        ).fetchone() == (1,)


def test_a_failed_clean_restore_puts_the_old_schema_back(
    database_url: str, fresh_database: str, schema: str, tmp_path: Path
) -> None:
    # The backup's table uses a type of another schema, which the target database lacks.
    _execute(
        database_url,
        _sql("CREATE SCHEMA {t}", t=f"{schema}_types"),
        _sql("CREATE TYPE {t}.mood AS ENUM ('ok', 'sad')", t=f"{schema}_types"),
        _sql("CREATE SCHEMA {s}", s=schema),
        _sql("CREATE TABLE {s}.feelings (mood {t}.mood)", s=schema, t=f"{schema}_types"),
        _sql("INSERT INTO {s}.feelings VALUES ('ok')", s=schema),
    )
    backup = backup_schema(database_url, schema, tmp_path / "feelings.dump")
    _ledger(fresh_database, schema, rows=2)
    live = _contents(fresh_database, schema)

    with pytest.raises(BackupError, match=rf"(?s)pg_restore failed .*{schema}_types\.mood"):
        restore_schema(fresh_database, schema, backup.path, clean=True)
    assert _contents(fresh_database, schema) == live
    with psycopg.connect(fresh_database) as connection:
        assert connection.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE %s", (f"{schema}%",)
        ).fetchone() == (1,)


def test_the_extensions_the_schema_needs_come_with_it(
    database_url: str, fresh_database: str, schema: str, tmp_path: Path
) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        available = connection.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'"
        ).fetchone()
        if available != (1,):
            pytest.skip("this server has no pg_trgm (the embedded one lacks contrib)")
        connection.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _execute(
        database_url,
        _sql("CREATE SCHEMA {s}", s=schema),
        _sql("CREATE TABLE {s}.assets (name text)", s=schema),
        _sql("CREATE INDEX assets_trgm ON {s}.assets USING gin (name gin_trgm_ops)", s=schema),
        _sql("INSERT INTO {s}.assets VALUES ('ThinkPad X1'), ('Dell XPS')", s=schema),
    )
    backup = backup_schema(database_url, schema, tmp_path / "assets.dump")
    assert backup.extensions == ["pg_trgm"]

    restore_schema(fresh_database, schema, backup.path)
    with psycopg.connect(fresh_database) as connection:
        connection.execute("SET enable_seqscan = off")
        plan = connection.execute(
            _sql("EXPLAIN SELECT * FROM {s}.assets WHERE name ILIKE '%pad%'", s=schema)
        ).fetchall()
        assert "assets_trgm" in " ".join(str(line[0]) for line in plan)


# ---- what is refused, and how it is said -------------------------------------------------------


def test_failures_say_what_went_wrong(
    database_url: str, fresh_database: str, schema: str, tmp_path: Path
) -> None:
    with pytest.raises(BackupError, match=rf"schema {schema} does not exist .*nothing to back up"):
        backup_schema(database_url, schema, tmp_path / "none.dump")
    assert not (tmp_path / "none.dump").exists()

    unreachable = "postgresql://erp:hunter2-secret@127.0.0.1:1/erp"
    with pytest.raises(
        BackupError, match=r"cannot connect to postgresql://erp@127\.0\.0\.1:1/erp"
    ) as e:
        backup_schema(unreachable, schema, tmp_path / "x.dump")
    assert "hunter2" not in str(e.value)

    _ledger(database_url, schema, rows=1)
    existing = tmp_path / "taken.dump"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="already exists: it is not overwritten"):
        backup_schema(database_url, schema, existing)
    assert existing.read_bytes() == b"keep me"

    with pytest.raises(BackupError, match="does not exist or is not a file"):
        restore_schema(fresh_database, schema, tmp_path / "missing.dump")
    with pytest.raises(BackupError, match="cannot be read by pg_restore"):
        restore_schema(fresh_database, schema, existing)

    backup = backup_schema(database_url, schema, tmp_path / "ledger.dump")
    with pytest.raises(BackupError, match=rf"is a backup of schema {schema}, not of other_schema"):
        restore_schema(fresh_database, "other_schema", backup.path)


def test_an_archive_of_more_than_the_schema_is_refused(
    database_url: str, fresh_database: str, schema: str, tmp_path: Path
) -> None:
    _ledger(database_url, schema, rows=1)
    _execute(database_url, _sql("CREATE TABLE public.{t} (id int)", t=f"{schema}_stray"))
    whole = tmp_path / "whole.dump"
    pg_dump = choose_tool("pg_dump", _server_major(database_url))
    info = conninfo(database_url)
    # A dump of the whole database, as a DBA might hand one over.
    subprocess.run(  # noqa: S603 (the real pg_dump, our own arguments)
        [str(pg_dump.path), "-Fc", f"--file={whole}", f"--dbname={info.url}"],
        env=info.env(),
        check=True,
    )
    _execute(database_url, _sql("DROP TABLE public.{t}", t=f"{schema}_stray"))
    assert whole.is_file()
    with pytest.raises(BackupError, match=rf"holds objects outside schema {schema}"):
        restore_schema(fresh_database, schema, whole)
    with psycopg.connect(fresh_database) as connection:
        assert connection.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone() == (0,)


# ---- every service gets the commands -----------------------------------------------------------


def _cli(*commands: Command) -> ServiceCLI:
    return ServiceCLI(
        prog="some-service",
        app_factory="some_service.main:create_app",
        alembic_dir=Path("alembic"),
        settings=ServiceSettings,
        commands=commands,
    )


def test_a_service_with_an_audit_trail_gets_backup_and_restore() -> None:
    audited = _cli(audit_verify_command("some_service.db.events:AUDIT"))
    names = [command.name for command in audited.all_commands()]
    assert names == ["audit-verify", "backup", "restore"]

    async def own(args: Any, settings: ServiceSettings) -> int:
        return 0

    # A command of the service's own with the same name wins.
    custom = _cli(
        audit_verify_command("some_service.db.events:AUDIT"),
        Command(name="backup", help="the service's own", handler=own),
    )
    [backup] = [c for c in custom.all_commands() if c.name == "backup"]
    assert backup.help == "the service's own"
    assert [c.name for c in _cli().all_commands()] == []


def test_restore_needs_a_file_and_backup_takes_an_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = _cli(audit_verify_command("some_service.db.events:AUDIT"))
    with pytest.raises(SystemExit) as usage:
        cli.main(["restore"])
    assert usage.value.code == 2
    assert "FILE" in capsys.readouterr().err
