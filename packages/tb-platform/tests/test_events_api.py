"""The dead letters over HTTP: an admin lists them and replays one once the fault is fixed; every
other caller, an unknown id, a second replay and a replay that still fails are refused."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from conftest import CONSUMER, EventEnv
from fastapi import FastAPI
from sqlalchemy import insert

from tb_platform.app import create_service_app
from tb_platform.events.catalog import EmployeeCreated
from tb_platform.events.envelope import Envelope
from tb_platform.events.worker import WorkerSpec
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import TokenFactory, api_client

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123"
TOKENS = TokenFactory(secret=SECRET, issuer="tb-erp", audience="tb-erp-services")
ADMIN = TOKENS.headers("admin", sub="admin-tests")
DEAD = "/api/v1/events/dead"


@pytest_asyncio.fixture
async def app(env: EventEnv, database_url: str) -> AsyncIterator[FastAPI]:
    spec = WorkerSpec(tables=env.tables, consumers={CONSUMER: [env.handler()]})
    settings = ServiceSettings(
        database_url=database_url, environment="test", jwt_secret=SECRET, service_name="test"
    )
    application = create_service_app(
        settings=settings, title="Test", description="dead letters", routers=[], worker=spec
    )
    yield application
    await application.state.database.dispose()


async def _dead_letter(env: EventEnv, employee_id: int) -> tuple[int, Envelope]:
    envelope = Envelope.create(
        source="test-service",
        data=EmployeeCreated(
            id=employee_id,
            first_name="Ada",
            last_name="Lovelace",
            email=f"e{employee_id}@tb-erp.test",
            status="active",
        ),
    )
    async with env.database.engine.begin() as connection:
        row_id = await connection.scalar(
            insert(env.tables.dead_letters)
            .values(
                consumer=CONSUMER,
                event_id=envelope.id,
                type=envelope.type,
                payload=envelope.model_dump(mode="json"),
                error="RuntimeError: the handler is broken",
                attempts=5,
                failed_at=envelope.time,
            )
            .returning(env.tables.dead_letters.c.id)
        )
    return int(row_id), envelope


@pytest.mark.asyncio
async def test_an_admin_lists_and_replays_a_dead_letter_once(app: FastAPI, env: EventEnv) -> None:
    letter, envelope = await _dead_letter(env, 7)
    async with api_client(app) as client:
        listed = await client.get(DEAD, headers=ADMIN)
        assert listed.status_code == 200, listed.text
        assert [(d["id"], d["consumer"]) for d in listed.json()["items"]] == [(letter, CONSUMER)]

        replayed = await client.post(f"{DEAD}/{letter}/replay", headers=ADMIN)
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["replayed_at"] is not None
        assert await env.effect_ids() == [envelope.id]

        again = await client.post(f"{DEAD}/{letter}/replay", headers=ADMIN)
        assert again.status_code == 409
        assert again.json()["code"] == "already_replayed"
        assert await env.effect_ids() == [envelope.id]
        # Replayed letters leave the default list, and stay listable on request.
        assert (await client.get(DEAD, headers=ADMIN)).json()["items"] == []
        kept = await client.get(DEAD, params={"include_replayed": "true"}, headers=ADMIN)
        assert [d["id"] for d in kept.json()["items"]] == [letter]


@pytest.mark.asyncio
async def test_a_replay_that_still_fails_is_a_422_and_changes_nothing(
    app: FastAPI, env: EventEnv
) -> None:
    letter, _ = await _dead_letter(env, 8)
    env.broken = True
    async with api_client(app) as client:
        failed = await client.post(f"{DEAD}/{letter}/replay", headers=ADMIN)
        assert failed.status_code == 422
        assert failed.json()["code"] == "dead_letter_failed"
        listed = (await client.get(DEAD, headers=ADMIN)).json()["items"]
    assert [(d["id"], d["replayed_at"]) for d in listed] == [(letter, None)]
    assert await env.effect_ids() == []


@pytest.mark.asyncio
@pytest.mark.parametrize("role", ["accountant", "hr_manager", "asset_manager", "employee"])
async def test_only_an_admin_reads_or_replays_dead_letters(
    app: FastAPI, env: EventEnv, role: str
) -> None:
    letter, _ = await _dead_letter(env, 9)
    headers = TOKENS.headers(role, employee_id=3)
    async with api_client(app) as client:
        assert (await client.get(DEAD, headers=headers)).status_code == 403
        assert (await client.post(f"{DEAD}/{letter}/replay", headers=headers)).status_code == 403
        assert (await client.get(DEAD)).status_code == 401
    assert await env.effect_ids() == []


@pytest.mark.asyncio
async def test_an_unknown_or_malformed_id_is_refused(app: FastAPI) -> None:
    async with api_client(app) as client:
        assert (await client.post(f"{DEAD}/999999/replay", headers=ADMIN)).status_code == 404
        assert (await client.post(f"{DEAD}/0/replay", headers=ADMIN)).status_code == 422
        assert (await client.get(DEAD, params={"sort": "type"}, headers=ADMIN)).status_code == 422
