"""The RBAC matrix generated from the permission tables: every route by every role, each answer the
one the table gives (2xx, 403, or for an employee their own rows and 404 for anyone else's), and
401 without a token. A route added without a rule or without a probe here fails it."""

import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from employee_service.core.permissions import POLICY
from employee_service.worker import WORKER
from tb_platform.testing import TokenFactory
from tb_platform.testing.rbac import Call, Cell, Probe, Target, platform_probes, run_matrix
from tb_platform.uow import FrozenClock

API = "/api/v1"
DAY = "2026-03-02"  # a day before the frozen clock's today (2026-03-04)
# Every employee the matrix makes has this in their last name: a search finds just the cell's.
SURNAME = f"Rbac{uuid.uuid4().hex[:8]}"


def _unique() -> str:
    return uuid.uuid4().hex[:10]


async def _post(cell: Cell, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    response = await cell.client.post(API + path, json=body, headers=headers or cell.admin)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _employee(
    client: httpx.AsyncClient, admin: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {
        "first_name": "Matrix",
        "last_name": f"{SURNAME}{_unique()}",
        "email": f"rbac-{_unique()}@tb-erp.test",
        "hire_date": "2025-01-06",
        **fields,
    }
    response = await client.post(f"{API}/employees", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def people(client: httpx.AsyncClient, admin: dict[str, str]) -> tuple[int, int]:
    me = await _employee(client, admin)
    other = await _employee(client, admin)
    return me["id"], other["id"]


async def _department(cell: Cell) -> int:
    department = await _post(cell, "/departments", {"name": f"Dept {_unique()}"})
    return int(department["id"])


async def _day(cell: Cell, employee_id: int) -> None:
    response = await cell.client.put(
        f"{API}/attendance/{employee_id}/{DAY}", json={"status": "leave"}, headers=cell.admin
    )
    assert response.status_code == 200, response.text


async def _view(cell: Cell, owner: int) -> int:
    body = {"resource": "assets", "name": f"View {_unique()}"}
    view = await _post(cell, "/saved-views", body, cell.headers_of(owner))
    return int(view["id"])


# ---- the probes: per route, the rows it needs and how to call it -------------------------------


async def plain(cell: Cell) -> Call:
    return Call()


async def login(cell: Cell) -> Call:
    email = f"login-{_unique()}@tb-erp.test"
    await _employee(cell.client, cell.admin, email=email, password="correct-horse-9")
    return Call(json={"email": email, "password": "correct-horse-9"})


async def list_employees(cell: Cell) -> Call | None:
    if cell.target is Target.OTHER:
        return None  # nobody else's list to ask for
    return Call(query={"q": SURNAME}, owner="id")


async def create_employee(cell: Cell) -> Call:
    body = {
        "first_name": "New",
        "last_name": "Hire",
        "email": f"new-{_unique()}@tb-erp.test",
        "hire_date": "2025-02-03",
    }
    return Call(json=body)


async def bulk_employees(cell: Cell) -> Call:
    return Call(json={"action": "terminate", "ids": [cell.owner]})


async def own_record(cell: Cell) -> Call | None:
    return None if cell.target is Target.OTHER else Call()


async def employee(cell: Cell) -> Call:
    return Call(path={"employee_id": cell.owner})


async def update_employee(cell: Cell) -> Call:
    return Call(path={"employee_id": cell.owner}, json={"job_title": "Changed"})


async def set_roles(cell: Cell) -> Call:
    return Call(path={"employee_id": cell.owner}, json={"roles": ["employee"]})


async def create_department(cell: Cell) -> Call:
    return Call(json={"name": f"New {_unique()}"})


async def department(cell: Cell) -> Call:
    return Call(path={"department_id": await _department(cell)})


async def rename_department(cell: Cell) -> Call:
    return Call(path={"department_id": await _department(cell)}, json={"name": "Renamed"})


async def department_employees(cell: Cell) -> Call | None:
    if cell.target is Target.OTHER:
        return None
    department_id = await _department(cell)
    for person in (cell.me, cell.other):
        response = await cell.client.patch(
            f"{API}/employees/{person}", json={"department_id": department_id}, headers=cell.admin
        )
        assert response.status_code == 200, response.text
    return Call(path={"department_id": department_id}, owner="id")


async def check_in(cell: Cell) -> Call:
    # Yourself needs no body; anyone else is named.
    return Call() if cell.target is Target.OWN else Call(json={"employee_id": cell.other})


async def check_out(cell: Cell) -> Call:
    await _post(cell, "/attendance/check-in", {"employee_id": cell.owner})  # now, by HR
    return Call() if cell.target is Target.OWN else Call(json={"employee_id": cell.other})


async def record_day(cell: Cell) -> Call:
    return Call(path={"employee_id": cell.owner, "day": DAY}, json={"status": "leave"})


async def list_attendance(cell: Cell) -> Call:
    await _day(cell, cell.me)
    await _day(cell, cell.other)
    query = {"from": DAY, "to": DAY}
    if cell.target is Target.OTHER:
        return Call(query={**query, "employee_id": cell.other})
    return Call(query=query, owner="employee_id")


async def attendance_summary(cell: Cell) -> Call:
    await _day(cell, cell.me)
    await _day(cell, cell.other)
    if cell.target is Target.OTHER:
        return Call(query={"month": DAY[:7], "employee_id": cell.other})
    return Call(query={"month": DAY[:7]}, owner="employee_id")


async def list_views(cell: Cell) -> Call | None:
    if cell.target is Target.OTHER:
        return None
    await _view(cell, cell.me)
    await _view(cell, cell.other)
    return Call(owner="owner_employee_id")


async def create_view(cell: Cell) -> Call | None:
    if cell.target is Target.OTHER:
        return None
    return Call(json={"resource": "invoices", "name": f"Mine {_unique()}"})


async def view(cell: Cell) -> Call:
    return Call(path={"view_id": await _view(cell, cell.owner)})


async def replace_view(cell: Cell) -> Call:
    return Call(path={"view_id": await _view(cell, cell.owner)}, json={"name": "Renamed"})


PROBES: dict[str, Probe] = {
    **platform_probes(worker=WORKER),
    "POST /api/v1/auth/login": login,
    "GET /api/v1/auth/token-version": plain,
    "GET /api/v1/employees": list_employees,
    "POST /api/v1/employees": create_employee,
    "POST /api/v1/employees/bulk": bulk_employees,
    "GET /api/v1/employees/me": own_record,
    "GET /api/v1/employees/{employee_id}": employee,
    "PATCH /api/v1/employees/{employee_id}": update_employee,
    "PUT /api/v1/employees/{employee_id}/roles": set_roles,
    "DELETE /api/v1/employees/{employee_id}": employee,
    "GET /api/v1/departments": plain,
    "POST /api/v1/departments": create_department,
    "GET /api/v1/departments/{department_id}": department,
    "PATCH /api/v1/departments/{department_id}": rename_department,
    "DELETE /api/v1/departments/{department_id}": department,
    "GET /api/v1/departments/{department_id}/employees": department_employees,
    "POST /api/v1/attendance/check-in": check_in,
    "POST /api/v1/attendance/check-out": check_out,
    "PUT /api/v1/attendance/{employee_id}/{day}": record_day,
    "GET /api/v1/attendance": list_attendance,
    "GET /api/v1/attendance/summary": attendance_summary,
    "GET /api/v1/roles": plain,
    "GET /api/v1/saved-views": list_views,
    "POST /api/v1/saved-views": create_view,
    "GET /api/v1/saved-views/{view_id}": view,
    "PUT /api/v1/saved-views/{view_id}": replace_view,
    "DELETE /api/v1/saved-views/{view_id}": view,
}


async def test_every_route_answers_every_role_as_the_permission_table_says(
    app: FastAPI, tokens: TokenFactory, clock: FrozenClock
) -> None:
    result = await run_matrix(app, policy=POLICY, tokens=tokens, probes=PROBES, people=people)

    print(f"\nemployee-service RBAC matrix: {result.summary()}")
    assert result.ok, result.report()
    assert result.cells >= 35 * 5
