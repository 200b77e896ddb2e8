"""The audit trail: every change leaves one row, in the same transaction, in a hash chain."""

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from asset_service.cli import ALEMBIC_DIR, main
from asset_service.core.config import AssetSettings
from asset_service.db.events import AUDIT
from asset_service.main import create_app
from tb_platform import migrations
from tb_platform.audit import verify_chain
from tb_platform.testing import TokenFactory, api_client, temporary_database
from tb_platform.testing.plugin import TEST_SECRET

from .conftest import API, NOW, Factory

AUDIT_URL = f"{API}/audit"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def _entries(client: httpx.AsyncClient, admin: dict[str, str], **filters: Any) -> list[Any]:
    response = await client.get(AUDIT_URL, params=filters, headers=admin)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_creating_a_category_writes_one_row_with_who_when_what_and_why(
    client: httpx.AsyncClient, manager: dict[str, str], admin: dict[str, str]
) -> None:
    created = await client.post(
        f"{API}/categories",
        json={
            "name": "Audited",
            "code": "AUD",
            "default_useful_life_months": 36,
            "default_depreciation_method": "straight_line",
            "default_salvage_percent": "10",
        },
        headers={**manager, "X-Request-ID": "req-audit-1", "traceparent": TRACEPARENT},
    )
    assert created.status_code == 201, created.text
    category = created.json()

    [entry] = await _entries(
        client, admin, entity="asset_categories", entity_id=str(category["id"])
    )
    assert entry["action"] == "create"
    assert entry["actor_sub"] == "asset-manager-tests"
    assert entry["actor_roles"] == ["asset_manager"]
    assert entry["occurred_at"].replace("Z", "+00:00") == NOW.isoformat()
    assert entry["request_id"] == "req-audit-1"
    assert entry["trace_id"] == TRACE_ID
    assert entry["before"] is None
    assert entry["after"]["name"] == "Audited"
    assert entry["after"]["code"] == "AUD"
    assert entry["after"]["id"] == category["id"]
    assert len(entry["hash"]) == 64
    assert len(entry["prev_hash"]) == 64


async def test_an_update_records_only_the_fields_that_changed(
    client: httpx.AsyncClient, make: Factory, manager: dict[str, str], admin: dict[str, str]
) -> None:
    category = await make.category(name="Before")

    renamed = await client.patch(
        f"{API}/categories/{category['id']}",
        json={"name": "After", "code": category["code"]},
        headers=manager,
    )
    assert renamed.status_code == 200, renamed.text

    entries = await _entries(
        client, admin, entity="asset_categories", entity_id=str(category["id"])
    )
    assert [entry["action"] for entry in entries] == ["update", "create"]  # newest first
    assert entries[0]["before"] == {"name": "Before"}
    assert entries[0]["after"] == {"name": "After"}


async def test_a_state_change_and_a_delete_are_recorded(
    client: httpx.AsyncClient, make: Factory, manager: dict[str, str], admin: dict[str, str]
) -> None:
    asset = await make.asset()
    await make.dispose(asset)
    entries = await _entries(client, admin, entity="assets", entity_id=str(asset["id"]))
    state_changes = [entry for entry in entries if entry["action"] == "state_change"]
    assert state_changes, entries
    assert state_changes[0]["before"]["status"] == "in_stock"
    assert state_changes[0]["after"]["status"] == "disposed"

    category = await make.category()
    deleted = await client.delete(f"{API}/categories/{category['id']}", headers=manager)
    assert deleted.status_code == 204, deleted.text
    [gone, _] = await _entries(
        client, admin, entity="asset_categories", entity_id=str(category["id"])
    )
    assert gone["action"] == "delete"
    assert gone["before"]["name"] == category["name"]
    assert gone["after"] is None


async def test_a_refused_change_writes_no_row(
    client: httpx.AsyncClient, make: Factory, manager: dict[str, str], admin: dict[str, str]
) -> None:
    first = await make.category(name="Unique", code="UNQ")
    before = await _entries(client, admin)

    duplicate = await client.post(
        f"{API}/categories",
        json={
            "name": "Unique",
            "code": "UNQ2",
            "default_useful_life_months": 36,
            "default_depreciation_method": "straight_line",
            "default_salvage_percent": "0",
        },
        headers=manager,
    )
    assert duplicate.status_code == 409

    assert await _entries(client, admin) == before
    assert before[0]["entity_id"] == str(first["id"])


async def test_the_chain_of_the_test_transaction_verifies(app: FastAPI, make: Factory) -> None:
    for _ in range(3):
        await make.category()
    report = await verify_chain(app.state.database, AUDIT)
    assert report.ok, report
    assert report.intact >= 3


async def test_only_an_admin_reads_the_audit_log(
    client: httpx.AsyncClient, tokens: TokenFactory, admin: dict[str, str]
) -> None:
    assert (await client.get(AUDIT_URL)).status_code == 401
    for role in ("asset_manager", "accountant", "hr_manager", "employee"):
        response = await client.get(AUDIT_URL, headers=tokens.headers(role, employee_id=1))
        assert response.status_code == 403, role
        assert response.json()["code"] == "forbidden"
    assert (await client.get(AUDIT_URL, headers=admin)).status_code == 200


async def test_the_filters_and_the_keyset_pages(
    client: httpx.AsyncClient, make: Factory, tokens: TokenFactory, admin: dict[str, str]
) -> None:
    other = Factory(client, tokens.headers("admin", sub="someone-else"))
    mine = [await make.category() for _ in range(3)]
    theirs = await other.category(name="Theirs", code="THEIRS")

    by_actor = await _entries(client, admin, actor="someone-else")
    assert [entry["entity_id"] for entry in by_actor] == [str(theirs["id"])]
    by_id = await _entries(client, admin, entity="asset_categories", entity_id=str(mine[1]["id"]))
    assert len(by_id) == 1
    assert await _entries(client, admin, entity="no_such_table") == []
    assert len(await _entries(client, admin, **{"from": NOW.isoformat()})) >= 4
    assert await _entries(client, admin, to=NOW.isoformat()) == []

    page = await client.get(AUDIT_URL, params={"limit": 2}, headers=admin)
    assert page.status_code == 200, page.text
    body = page.json()
    assert len(body["items"]) == 2
    assert body["next_cursor"]
    ids = [item["id"] for item in body["items"]]
    following = await client.get(
        AUDIT_URL, params={"limit": 2, "cursor": body["next_cursor"]}, headers=admin
    )
    more = [item["id"] for item in following.json()["items"]]
    assert ids == sorted(ids, reverse=True)
    assert max(more) < min(ids)

    bad = await client.get(AUDIT_URL, params={"from": "yesterday"}, headers=admin)
    assert bad.status_code == 422


def test_the_audit_route_is_documented_with_the_error_answers(app: FastAPI) -> None:
    operation = app.openapi()["paths"][AUDIT_URL]["get"]
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "entity",
        "entity_id",
        "actor",
        "from",
        "to",
        "cursor",
    }


# ---- tampering, on a database of its own (committed rows, as in production) ----------------


@pytest.fixture
def own_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with temporary_database("tb_audit") as url:
        migrations.upgrade(ALEMBIC_DIR, url)
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("ENVIRONMENT", "test")
        monkeypatch.setenv("JWT_SECRET", TEST_SECRET)
        from asset_service.core.config import get_settings

        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


async def test_audit_verify_names_an_edited_or_removed_row(
    own_database: str, tokens: TokenFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    await _create_categories(own_database, tokens, 4, sub="tamper-tests")

    assert await _run_verify() == 0
    assert "4 rows intact" in capsys.readouterr().out

    with psycopg.connect(own_database, autocommit=True) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM asset_schema.audit_log")]
        connection.execute(
            "UPDATE asset_schema.audit_log SET actor_sub = 'mallory' WHERE id = %s", (ids[1],)
        )
    assert await _run_verify() == 1
    assert f"row {ids[1]} is broken" in capsys.readouterr().err

    with psycopg.connect(own_database, autocommit=True) as connection:
        connection.execute(
            "UPDATE asset_schema.audit_log SET actor_sub = 'tamper-tests' WHERE id = %s",
            (ids[1],),
        )
        assert await _run_verify() == 0
        connection.execute("DELETE FROM asset_schema.audit_log WHERE id = %s", (ids[2],))
    assert await _run_verify() == 1
    assert f"row {ids[3]} is broken" in capsys.readouterr().err


async def test_audit_verify_with_a_head_noted_earlier_catches_removed_newest_rows(
    own_database: str, tokens: TokenFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    await _create_categories(own_database, tokens, 3, sub="truncate-tests")

    assert await _run_verify() == 0
    printed = capsys.readouterr().out
    head = printed.split("head: ", 1)[1].split()[0]
    assert await _run_verify("--expect", head) == 0
    capsys.readouterr()

    with psycopg.connect(own_database, autocommit=True) as connection:
        connection.execute(
            "DELETE FROM asset_schema.audit_log WHERE id = (SELECT max(id) FROM asset_schema.audit_log)"
        )
    # The shorter chain still verifies on its own; against the head noted earlier it does not.
    assert await _run_verify() == 0
    capsys.readouterr()
    assert await _run_verify("--expect", head) == 1
    assert "newest rows were removed" in capsys.readouterr().err
    assert await _run_verify("--expect", "not-a-head") == 2


async def _create_categories(database_url: str, tokens: TokenFactory, count: int, sub: str) -> None:
    """``count`` categories created (and so audited) through the API, committed in
    ``database_url``."""
    app = create_app(
        AssetSettings(database_url=database_url, environment="test", jwt_secret=TEST_SECRET)
    )
    try:
        async with api_client(app) as client:
            make = Factory(client, tokens.headers("asset_manager", sub=sub))
            for _ in range(count):
                await make.category()
    finally:
        await app.state.employee_directory.aclose()
        await app.state.database.dispose()


async def _run_verify(*arguments: str) -> int:
    # The command runs its own event loop; here it runs in a thread beside the test's loop.
    import asyncio

    return await asyncio.to_thread(main, ["audit-verify", *arguments])
