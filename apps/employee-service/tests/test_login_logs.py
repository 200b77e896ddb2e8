"""A login, logged at DEBUG as production would log it, leaves no password, token or key behind —
and its request is in the log, under its request id."""

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from employee_service.core.config import EmployeeSettings
from tb_platform.observability.logs import configure_logging, settings_secrets

from .conftest import TEST_SECRET, Factory

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def production_log(settings: EmployeeSettings) -> Iterator[io.StringIO]:
    """Everything the process logs, down to DEBUG, in production's JSON form — and the SQL
    statements with their parameters, as an operator chasing a bug would turn them on."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    sql = logging.getLogger("sqlalchemy.engine")
    sql_level = sql.level
    sql.setLevel(logging.INFO)
    handler = configure_logging(
        service=settings.service_name,
        level="debug",
        fmt="json",
        secrets=settings_secrets(settings),
        stream=stream,
    )
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        sql.setLevel(sql_level)


async def test_a_login_leaves_no_password_token_or_key_in_the_log(
    # First: configured before the test's database connection opens, so that its statements
    # (and their parameters) are logged too.
    production_log: io.StringIO,
    client: httpx.AsyncClient,
    make: Factory,
) -> None:
    await make.employee(email="grace@tb-erp.test", password=PASSWORD, roles=["employee"])
    response = await client.post(
        "/api/v1/auth/login", json={"email": "grace@tb-erp.test", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    me = await client.get("/api/v1/employees/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200

    written = production_log.getvalue()
    records = [json.loads(line) for line in written.splitlines()]
    # DEBUG really was on: the statements and their parameters are there.
    assert any(record["logger"].startswith("sqlalchemy.engine") for record in records)
    for secret in (PASSWORD, token, TEST_SECRET):
        assert secret not in written

    login = [
        record
        for record in records
        if record["logger"] == "tb_platform.access" and record["route"] == "/api/v1/auth/login"
    ]
    assert len(login) == 1
    assert login[0]["status"] == 200
    assert login[0]["request_id"] == response.headers["X-Request-ID"]
    # The statements of that request are logged under its id too.
    assert any(
        record["request_id"] == login[0]["request_id"] and record["logger"].startswith("sqlalchemy")
        for record in records
        if "request_id" in record
    )
