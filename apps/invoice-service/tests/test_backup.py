"""``invoice-service backup`` / ``restore``: a backup restored into a new database has every row
and an intact audit chain; live data is never merged into or overwritten without ``--clean``.

pg_dump sees only committed rows, so these tests do not use the rolled-back ``client``: each
builds its data through the API, committed, in a database of its own.
"""

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from invoice_service.cli import main
from invoice_service.core.config import InvoiceSettings, get_settings
from invoice_service.db import SCHEMA
from invoice_service.main import create_app
from tb_platform.testing import TokenFactory, api_client, temporary_database

from .conftest import FAKE_EMPLOYEE_SERVICE, TEST_SECRET, Factory, line

CONSOLE_SCRIPT = Path(sys.executable).parent / "invoice-service"


def _use(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Point the CLI (run in this process) at ``url``."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("JWT_SECRET", TEST_SECRET)
    get_settings.cache_clear()


async def _through_the_api(url: str, story: Any) -> Any:
    """Run ``story(make)`` against the service on ``url``; every request commits."""
    settings = InvoiceSettings(database_url=url, environment="test", jwt_secret=TEST_SECRET)
    FAKE_EMPLOYEE_SERVICE.reset()
    app = create_app(settings, employee_directory=FAKE_EMPLOYEE_SERVICE.directory(settings))
    tokens = TokenFactory(
        secret=TEST_SECRET, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    try:
        async with api_client(app) as client:
            return await story(Factory(client, tokens.headers("admin", sub="backup-tests")))
    finally:
        await app.state.database.dispose()


async def _a_month_of_invoicing(make: Factory) -> None:
    acme = await make.customer(name="Acme GmbH", email="billing@acme.test", tax_id="DE123456789")
    globex = await make.customer(name="Globex Ltd", currency="GBP")
    await make.draft(acme, lines=[line("3", "80.00", tax_rate="19", description="Seats")])
    issued = await make.issued(globex, employee_id=501)
    partly = await make.issued(acme, lines=[line("2", "150.00", discount_percent="10")])
    await make.pay(partly["id"], "100.00")
    paid = await make.issued(acme)
    await make.pay(paid["id"], "40.00", reference="first half")
    await make.pay(paid["id"], "60.00")
    credited = await make.issued(globex, lines=[line("1", "500.00", tax_rate="20")])
    await make.credit(credited["id"], amount="50.00")
    await make.void(issued["id"])


async def _one_more_customer(make: Factory) -> dict[str, Any]:
    return await make.customer(name="Initech after the backup")


@pytest.fixture
def invoicing(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database of its own with a month of invoicing in it, committed."""
    with temporary_database("tb_backup") as url:
        _use(monkeypatch, url)
        assert main(["migrate"]) == 0
        asyncio.run(_through_the_api(url, _a_month_of_invoicing))
        yield url
    get_settings.cache_clear()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    with temporary_database("tb_restored") as url:
        yield url


def _contents(url: str) -> dict[str, Any]:
    """Every row of every table of the service's schema (all columns), and each sequence."""
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (SCHEMA,)
        ).fetchall()
        found: dict[str, Any] = {}
        for (table,) in tables:
            query = sql.SQL("SELECT * FROM {}.{}").format(
                sql.Identifier(SCHEMA), sql.Identifier(table)
            )
            found[table] = sorted(connection.execute(query).fetchall(), key=repr)
        found["sequences"] = connection.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s "
            "ORDER BY sequencename",
            (SCHEMA,),
        ).fetchall()
    return found


def _backup_with_the_console_script(url: str, output: Path) -> str:
    """``invoice-service backup --output FILE`` as an operator runs it."""
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test", "JWT_SECRET": TEST_SECRET}
    result = subprocess.run(  # noqa: S603 (the service's own console script)
        [str(CONSOLE_SCRIPT), "backup", "--output", str(output)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_backup_restored_into_a_new_database_has_every_row_and_an_intact_chain(
    invoicing: str,
    fresh_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _contents(invoicing)
    audited = len(before["audit_log"])
    assert audited > 20
    for table in ("customers", "invoices", "line_items", "payments", "credit_notes", "outbox"):
        assert before[table], f"the scenario should have written {table}"
    archive = tmp_path / "invoices.dump"

    printed = _backup_with_the_console_script(invoicing, archive)
    assert f"schema {SCHEMA} → {archive}" in printed
    assert f"{archive.stat().st_size:,} bytes" in printed
    assert f"{len(before) - 1} tables" in printed  # every table but the sequences entry
    assert re.search(rf"^ +audit_log +{audited}$", printed, re.MULTILINE), printed

    _use(monkeypatch, fresh_database)
    assert main(["restore", str(archive)]) == 0
    assert f"audit chain intact ({audited} rows)" in capsys.readouterr().out
    assert _contents(fresh_database) == before

    assert main(["audit-verify"]) == 0
    assert f"{audited} rows intact" in capsys.readouterr().out

    # The restored service carries on where the original stopped: new ids, a longer chain.
    added = asyncio.run(_through_the_api(fresh_database, _one_more_customer))
    assert added["id"] > max(row[0] for row in before["customers"])
    assert main(["audit-verify"]) == 0
    assert f"{audited + 1} rows intact" in capsys.readouterr().out


def test_restoring_over_live_data_is_refused_and_clean_replaces_it(
    invoicing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = tmp_path / "invoices.dump"
    assert main(["backup", "--output", str(archive)]) == 0
    at_backup = _contents(invoicing)
    asyncio.run(_through_the_api(invoicing, _one_more_customer))
    live = _contents(invoicing)
    capsys.readouterr()

    assert main(["restore", str(archive)]) == 1
    refused = capsys.readouterr().err
    assert f"schema {SCHEMA} already holds" in refused
    assert "--clean" in refused
    assert _contents(invoicing) == live

    assert main(["restore", str(archive), "--clean"]) == 0
    out = capsys.readouterr().out
    assert f"replacing {len(at_backup) - 1} tables" in out
    assert f"audit chain intact ({len(at_backup['audit_log'])} rows)" in out
    assert _contents(invoicing) == at_backup


def test_a_backup_of_a_tampered_audit_trail_restores_but_says_the_chain_is_broken(
    invoicing: str,
    fresh_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with psycopg.connect(invoicing) as connection:
        connection.execute(
            sql.SQL("UPDATE {}.audit_log SET actor_sub = 'someone-else' WHERE id = 3").format(
                sql.Identifier(SCHEMA)
            )
        )
    archive = tmp_path / "tampered.dump"
    assert main(["backup", "--output", str(archive)]) == 0

    _use(monkeypatch, fresh_database)
    assert main(["restore", str(archive)]) == 1
    err = capsys.readouterr().err
    assert "the restored audit chain is broken at row 3" in err
    assert "2 rows before it are intact" in err


def test_a_backup_that_cannot_be_made_says_why_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(monkeypatch, "postgresql://invoices:s3cret-pw@127.0.0.1:1/invoices")
    archive = tmp_path / "never.dump"
    assert main(["backup", "--output", str(archive)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("invoice-service backup: cannot connect to postgresql://invoices@")
    assert "s3cret" not in err
    assert not archive.exists()
    assert list(tmp_path.iterdir()) == []
    get_settings.cache_clear()


def test_a_backup_is_named_after_the_service_and_the_time_by_default(
    invoicing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["backup"]) == 0
    [archive] = list(tmp_path.iterdir())
    assert archive.name.startswith("invoice-service-")
    assert archive.name.endswith("Z.dump")
    assert str(archive) in capsys.readouterr().out
