"""Logs: one JSON object per line, with the service, the request id and (when there is one) the
trace id — and never a password, a token or a key, whatever a log call was given."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter

from tb_platform.app import create_service_app
from tb_platform.observability.logs import (
    MASK,
    configure_logging,
    configure_service_logging,
    log_format,
    redact_text,
    settings_secrets,
)
from tb_platform.rbac import PUBLIC
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import api_client

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsInJvbGVzIjpbImFkbWluIl19"
    ".c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0xMjM0NTY3OA"
)
KEY = "the-jwt-key-of-this-deployment-0123456789"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """The process's logs, configured as in production, written to a buffer for the test."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(
        service="thing-service", level="debug", fmt="json", secrets=[KEY], stream=stream
    )
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line of the output, each of which must be one JSON object."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_the_fields_the_log_stack_indexes(
    output: io.StringIO,
) -> None:
    log = logging.getLogger("tb_platform.tests")
    log.info("asset %s moved\nto %s", 7, "storage", extra={"asset_id": 7})
    try:
        raise ValueError("a broken row")
    except ValueError:
        log.exception("import failed")

    first, second = lines(output)
    assert first["message"] == "asset 7 moved\nto storage"
    assert first["level"] == "INFO"
    assert first["logger"] == "tb_platform.tests"
    assert first["service"] == "thing-service"
    assert first["asset_id"] == 7
    assert first["time"].endswith("Z")
    assert first["time"][10] == "T"
    assert "request_id" not in first  # logged outside any request
    assert second["level"] == "ERROR"
    assert isinstance(second["exc_info"], str)
    assert "ValueError: a broken row" in second["exc_info"]


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        (f"calling the asset service with Authorization: Bearer {JWT}", JWT),
        (f"token {JWT} refused", JWT),
        ("login body: {'email': 'a@b.test', 'password': 'correct-horse-battery'}", "correct-horse"),
        ('{"password": "correct-horse-battery", "email": "a@b.test"}', "correct-horse"),
        ("retrying with password=hunter2hunter2&user=ada", "hunter2"),
        ("connecting to postgresql://tb:s3cr3t-pass@db:5432/tb failed", "s3cr3t-pass"),
        ("cookie: session=abcdef0123456789", "abcdef0123456789"),
        (f"the key is {KEY}", KEY),
    ],
)
def test_secrets_in_a_message_are_masked(output: io.StringIO, text: str, leaked: str) -> None:
    logging.getLogger("tb_platform.tests").warning(text)
    written = output.getvalue()
    assert leaked not in written
    assert MASK in written


def test_secrets_in_extra_fields_and_exceptions_are_masked(output: io.StringIO) -> None:
    log = logging.getLogger("tb_platform.tests")
    log.info(
        "request",
        extra={
            "headers": {"Authorization": f"Bearer {JWT}", "Accept": "application/json"},
            "password": "correct-horse-battery",
            "client_secret": "abc123abc123",
            "payload": [{"email": "a@b.test", "token": JWT}],
        },
    )
    try:
        raise ConnectionError("could not connect to redis://:s3cr3t-pass@cache:6379/0")
    except ConnectionError:
        log.exception("cache down")
    written = output.getvalue()
    for leaked in (JWT, "correct-horse-battery", "abc123abc123", "s3cr3t-pass"):
        assert leaked not in written
    first = lines(output)[0]
    assert first["headers"] == {"Authorization": MASK, "Accept": "application/json"}
    assert first["payload"] == [{"email": "a@b.test", "token": MASK}]


@pytest.mark.parametrize(
    "text",
    [
        "token version 3 for employee 5 is current",
        "asset 12 assigned to employee 7 (password reset pending)",
        "GET /api/v1/assets/{asset_id} 200 3.10ms",
    ],
)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_the_secrets_of_the_settings_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ServiceSettings(
        environment="production",
        jwt_secret=KEY,
        database_url="postgresql://tb:db-pass%21word@db:5432/tb",
        redis_url="redis://:redis-password@cache:6379/0",
    )
    found = settings_secrets(settings)
    assert KEY in found
    assert "db-pass!word" in found
    assert "redis-password" in found


@pytest.mark.parametrize(
    ("environment", "variable", "chosen"),
    [
        ("production", None, "json"),
        ("staging", None, "json"),
        ("development", None, "text"),
        ("development", "json", "json"),
        ("production", "text", "text"),
    ],
)
def test_json_in_production_text_for_a_developer_unless_log_format_says(
    environment: str, variable: str | None, chosen: str
) -> None:
    environ = {"LOG_FORMAT": variable} if variable else {}
    assert log_format(environment, environ) == chosen


@pytest.mark.asyncio
async def test_one_access_line_per_request_with_its_route_status_duration_and_request_id(
    output: io.StringIO,
) -> None:
    router = APIRouter(prefix="/things", dependencies=[PUBLIC])

    @router.get("/{thing_id}")
    async def read_thing(thing_id: int, search: str | None = None) -> dict[str, int]:
        logging.getLogger("tb_platform.tests").info("reading thing %s", thing_id)
        return {"id": thing_id}

    settings = ServiceSettings(
        service_name="thing-service",
        environment="test",
        database_url="postgresql://nobody@127.0.0.1:1/nothing",
    )
    app = create_service_app(settings=settings, title="T", description="D", routers=[router])
    async with api_client(app) as client:
        response = await client.get(
            "/api/v1/things/5?search=x",
            headers={"X-Request-ID": "bff-42", "Authorization": f"Bearer {JWT}"},
        )
        assert response.status_code == 200
        await client.get("/nowhere/at/all")

    written = lines(output)
    inside = [line for line in written if line["logger"] == "tb_platform.tests"]
    assert [line["request_id"] for line in inside] == ["bff-42"]
    access = [line for line in written if line["logger"] == "tb_platform.access"]
    assert len(access) == 2
    assert access[0]["request_id"] == "bff-42"
    assert access[0]["method"] == "GET"
    assert access[0]["route"] == "/api/v1/things/{thing_id}"
    assert access[0]["status"] == 200
    assert isinstance(access[0]["duration_ms"], float)
    assert access[1]["route"] == "unmatched"
    assert access[1]["status"] == 404
    # Neither the raw path and query nor the caller's token.
    assert not any("search" in json.dumps(line) for line in access)
    assert JWT not in output.getvalue()


def test_a_service_configured_for_production_writes_json_to_stdout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = ServiceSettings(
        service_name="thing-service", environment="production", jwt_secret=KEY, log_level="info"
    )
    root = logging.getLogger()
    level = root.level
    handler = configure_service_logging(settings)
    try:
        logging.getLogger("tb_platform.tests").info("started with key %s", KEY)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["service"] == "thing-service"
    assert line["message"] == f"started with key {MASK}"
