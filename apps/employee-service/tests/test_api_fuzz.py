"""Every operation, as every role and without a token, answers within the documented contract:
no 5xx, only the statuses, content types and bodies its OpenAPI entry lists (schemathesis)."""

import httpx
from fastapi import FastAPI

from tb_platform.testing import TokenFactory
from tb_platform.testing.fuzz import FuzzSeed, fuzz_api


async def some_staff(client: httpx.AsyncClient, admin: dict[str, str]) -> FuzzSeed:
    """A department with two employees, one with a login, for the requests to address."""
    response = await client.post(
        "/api/v1/departments", json={"name": "Fuzzing", "code": "FUZZ"}, headers=admin
    )
    assert response.status_code == 201, response.text
    department = response.json()["id"]
    employees = []
    for n, password in ((1, "a-long-password"), (2, None)):
        body = {
            "first_name": "Fuzz",
            "last_name": f"Person{n}",
            "email": f"fuzz{n}@tb-erp.test",
            "hire_date": "2025-01-06",
            "department_id": department,
            "password": password,
        }
        response = await client.post("/api/v1/employees", json=body, headers=admin)
        assert response.status_code == 201, response.text
        employees.append(response.json()["id"])
    return FuzzSeed(
        path_values={"employee_id": employees, "department_id": [department]},
        employee_id=employees[0],
    )


async def test_every_answer_keeps_the_api_contract(app: FastAPI, tokens: TokenFactory) -> None:
    run = await fuzz_api(app, tokens, seed=some_staff)
    assert run.requests > 0
