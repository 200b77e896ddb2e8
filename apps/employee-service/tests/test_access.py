"""The role → permission table, checked from outside: every role against every endpoint."""

from typing import Any

import httpx
import pytest

from tb_platform.testing import TokenFactory

from .conftest import Factory

READ, WRITE = "read", "write"

# (method, path template, body, kind). {me} is the caller's own employee, {other} someone else,
# {dept} a department.
ENDPOINTS: list[tuple[str, str, Any, str, str]] = [
    ("GET", "/api/v1/employees", None, READ, "employees"),
    ("GET", "/api/v1/employees/{other}", None, READ, "employees"),
    ("GET", "/api/v1/employees?ids={other}", None, READ, "employees"),
    (
        "POST",
        "/api/v1/employees",
        {"first_name": "N", "last_name": "E", "email": "new@tb-erp.test"},
        WRITE,
        "employees",
    ),
    ("PATCH", "/api/v1/employees/{other}", {"job_title": "Changed"}, WRITE, "employees"),
    ("PUT", "/api/v1/employees/{other}/roles", {"roles": ["employee"]}, WRITE, "employees"),
    ("DELETE", "/api/v1/employees/{other}", None, WRITE, "employees"),
    ("GET", "/api/v1/departments", None, READ, "departments"),
    ("GET", "/api/v1/departments/{dept}", None, READ, "departments"),
    ("GET", "/api/v1/departments/{dept}/employees", None, READ, "departments"),
    ("POST", "/api/v1/departments", {"name": "Brand New"}, WRITE, "departments"),
    ("PATCH", "/api/v1/departments/{dept}", {"name": "Renamed"}, WRITE, "departments"),
    ("DELETE", "/api/v1/departments/{empty_dept}", None, WRITE, "departments"),
    ("GET", "/api/v1/attendance", None, READ, "attendance"),
    ("GET", "/api/v1/attendance/summary?month=2026-01", None, READ, "attendance"),
    ("POST", "/api/v1/attendance/check-in", {"employee_id": "{other}"}, WRITE, "attendance"),
    ("PUT", "/api/v1/attendance/{other}/2026-01-05", {"status": "leave"}, WRITE, "attendance"),
    ("GET", "/api/v1/roles", None, READ, "roles"),
]

FULL = {"employees", "departments", "attendance", "roles"}
CAN = {
    "admin": {READ: FULL, WRITE: FULL},
    "hr_manager": {READ: FULL, WRITE: FULL},
    "asset_manager": {READ: FULL, WRITE: set()},
    "accountant": {READ: FULL, WRITE: set()},
    "employee": {READ: set(), WRITE: set()},  # their own records are tested separately
}
OK = {"GET": 200, "POST": 201, "PATCH": 200, "PUT": 200, "DELETE": 204}


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        for key, number in ids.items():
            if value == "{" + key + "}":
                return number
            value = value.replace("{" + key + "}", str(number))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", sorted(CAN))
@pytest.mark.parametrize(
    ("method", "path", "body", "kind", "resource"),
    ENDPOINTS,
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
async def test_role_matrix(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    make: Factory,
    role: str,
    method: str,
    path: str,
    body: Any,
    kind: str,
    resource: str,
) -> None:
    dept = await make.department()
    empty = await make.department()
    me = await make.employee(department_id=dept["id"])
    other = await make.employee(department_id=dept["id"])
    ids = {"me": me["id"], "other": other["id"], "dept": dept["id"], "empty_dept": empty["id"]}
    headers = tokens.headers(role, employee_id=me["id"])

    response = await client.request(
        method, _fill(path, ids), json=_fill(body, ids), headers=headers
    )

    allowed = resource in CAN[role][kind]
    if allowed:
        assert response.status_code == OK[method], response.text
    elif role == "employee" and kind == READ and resource in {"employees", "attendance"}:
        # Self-service reads succeed but show only the caller's own rows, or 404 for others'.
        assert response.status_code in (200, 404), response.text
        if response.status_code == 200:
            items = response.json()["items"]
            assert all(item.get("employee_id", item.get("id")) == me["id"] for item in items)
    elif role == "employee" and path.endswith("/check-in"):
        # Their own attendance only: checking in someone else is 404, as reading theirs is.
        assert response.status_code == 404, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "forbidden"
