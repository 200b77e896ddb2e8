"""The employee service's audit trail: secrets redacted, logins, failed logins, role changes."""

from typing import Any

import httpx
from fastapi import FastAPI

from employee_service.db.events import AUDIT
from tb_platform.audit import verify_chain
from tb_platform.testing import TokenFactory

from .conftest import Factory

AUDIT_URL = "/api/v1/audit"
PASSWORD = "correct-horse-battery"


async def _entries(client: httpx.AsyncClient, admin: dict[str, str], **filters: Any) -> list[Any]:
    response = await client.get(AUDIT_URL, params=filters, headers=admin)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_hiring_with_a_password_records_the_row_with_the_hash_redacted(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    person = await make.employee(password=PASSWORD)

    [created] = await _entries(client, admin, entity="employees", entity_id=str(person["id"]))
    assert created["action"] == "create"
    assert created["actor_sub"] == "admin-tests"
    assert created["after"]["email"] == person["email"]
    assert created["after"]["password_hash"] == "[redacted]"
    assert PASSWORD not in str(created)


async def test_a_password_change_shows_that_it_changed_but_not_the_hash(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    person = await make.employee(password=PASSWORD)
    changed = await client.patch(
        f"/api/v1/employees/{person['id']}",
        json={"password": "another-long-password", "first_name": "Renamed"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text

    latest = (await _entries(client, admin, entity="employees", entity_id=str(person["id"])))[0]
    assert latest["action"] == "update"
    assert latest["after"]["password_hash"] == "[redacted]"
    assert latest["before"]["password_hash"] == "[redacted]"
    assert latest["after"]["first_name"] == "Renamed"
    assert latest["before"]["first_name"] == person["first_name"]


async def test_a_role_change_is_recorded_with_the_roles_before_and_after(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    person = await make.employee(roles=["employee"])
    response = await client.put(
        f"/api/v1/employees/{person['id']}/roles",
        json={"roles": ["accountant", "employee"]},
        headers=admin,
    )
    assert response.status_code == 200, response.text

    entries = await _entries(client, admin, entity="employees", entity_id=str(person["id"]))
    [change] = [entry for entry in entries if entry["action"] == "role_change"]
    assert change["before"] == {"roles": ["employee"]}
    assert change["after"] == {"roles": ["accountant", "employee"]}
    assert change["actor_sub"] == "admin-tests"


async def test_a_login_and_a_failed_login_are_recorded(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    person = await make.employee(password=PASSWORD, roles=["employee"])
    url = "/api/v1/auth/login"

    failed = await client.post(url, json={"email": person["email"], "password": "wrong-one"})
    assert failed.status_code == 401
    ok = await client.post(url, json={"email": person["email"], "password": PASSWORD})
    assert ok.status_code == 200, ok.text

    [failure] = await _entries(client, admin, entity="employees", actor="anonymous")
    assert failure["action"] == "login_failed"
    assert failure["after"] == {"email": person["email"].lower()}
    assert failure["entity_id"] is None
    [login] = [
        entry
        for entry in await _entries(client, admin, actor=str(person["id"]))
        if entry["action"] == "login"
    ]
    assert login["entity_id"] == str(person["id"])
    assert login["actor_roles"] == ["employee"]


async def test_a_sign_in_refused_for_too_many_failures_is_recorded(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    person = await make.employee(password=PASSWORD, roles=["employee"])
    url = "/api/v1/auth/login"
    statuses = []
    for _ in range(30):
        answer = await client.post(url, json={"email": person["email"], "password": "wrong-one"})
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            break
    assert statuses[-1] == 429, statuses
    # The right password is refused too while the limit holds, and that is on record as well.
    again = await client.post(url, json={"email": person["email"], "password": PASSWORD})
    assert again.status_code == 429

    entries = await _entries(client, admin, entity="employees", actor="anonymous")
    actions = [
        entry["action"] for entry in entries if entry["after"] == {"email": person["email"].lower()}
    ]
    assert actions.count("login_throttled") == 2
    assert actions.count("login_failed") == statuses.count(401)


async def test_a_refused_change_leaves_no_row(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str]
) -> None:
    person = await make.employee()
    before = await _entries(client, admin)
    duplicate = await client.post(
        "/api/v1/employees",
        json={
            "first_name": "Same",
            "last_name": "Email",
            "email": person["email"],
            "hire_date": "2024-01-08",
        },
        headers=admin,
    )
    assert duplicate.status_code == 409, duplicate.text
    assert await _entries(client, admin) == before


async def test_hr_managers_and_admins_read_the_audit_log_others_do_not(
    client: httpx.AsyncClient, tokens: TokenFactory, app: FastAPI, make: Factory
) -> None:
    await make.employee()
    for role in ("admin", "hr_manager"):
        assert (await client.get(AUDIT_URL, headers=tokens.headers(role))).status_code == 200
    for role in ("accountant", "asset_manager", "employee"):
        response = await client.get(AUDIT_URL, headers=tokens.headers(role, employee_id=1))
        assert response.status_code == 403, role
    assert (await client.get(AUDIT_URL)).status_code == 401
    report = await verify_chain(app.state.database, AUDIT)
    assert report.ok
    assert report.intact >= 1
