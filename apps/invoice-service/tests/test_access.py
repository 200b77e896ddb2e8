"""The role → permission table, checked from outside: every role against every endpoint."""

from typing import Any

import httpx
import pytest

from tb_platform.testing import TokenFactory

from .conftest import INVOICES, Factory, line

READ, WRITE = "read", "write"
ME, SOMEONE_ELSE = 7001, 7002

# (method, path template, body, kind, resource). {customer} is a customer without invoices,
# {draft} a draft and {issued} an issued invoice (both belong to the employee ME).
ENDPOINTS: list[tuple[str, str, Any, str, str]] = [
    ("GET", "/api/v1/customers", None, READ, "customers"),
    ("GET", "/api/v1/customers/{customer}", None, READ, "customers"),
    ("POST", "/api/v1/customers", {"name": "New Customer"}, WRITE, "customers"),
    ("PATCH", "/api/v1/customers/{customer}", {"name": "Renamed"}, WRITE, "customers"),
    ("DELETE", "/api/v1/customers/{customer}", None, WRITE, "customers"),
    ("GET", "/api/v1/invoices", None, READ, "invoices"),
    ("GET", "/api/v1/invoices/{issued}", None, READ, "invoices"),
    (
        "POST",
        "/api/v1/invoices",
        {"customer_id": "{customer}", "lines": [line()]},
        WRITE,
        "invoices",
    ),
    ("PATCH", "/api/v1/invoices/{draft}", {"notes": "changed"}, WRITE, "invoices"),
    ("DELETE", "/api/v1/invoices/{draft}", None, WRITE, "invoices"),
    ("POST", "/api/v1/invoices/{draft}/issue", None, WRITE, "invoices"),
    ("POST", "/api/v1/invoices/{issued}/void", {"reason": "mistake"}, WRITE, "invoices"),
    ("GET", "/api/v1/invoices/{issued}/payments", None, READ, "invoices"),
    (
        "POST",
        "/api/v1/invoices/{issued}/payments",
        {"amount": "10.00", "method": "cash"},
        WRITE,
        "invoices",
    ),
    ("GET", "/api/v1/invoices/{issued}/credit-notes", None, READ, "invoices"),
    (
        "POST",
        "/api/v1/invoices/{issued}/credit-notes",
        {"reason": "discount", "amount": "10.00", "tax_rate": "0"},
        WRITE,
        "invoices",
    ),
    ("GET", "/api/v1/invoices/{issued}/pdf", None, READ, "invoices"),
    ("GET", "/api/v1/tax-records", None, READ, "reports"),
    ("GET", "/api/v1/invoices/summary", None, READ, "reports"),
    ("GET", "/api/v1/invoices/aging", None, READ, "reports"),
]

EVERYTHING = {"customers", "invoices", "reports"}
CAN = {
    "admin": {READ: EVERYTHING, WRITE: {"customers", "invoices"}},
    "accountant": {READ: EVERYTHING, WRITE: {"customers", "invoices"}},
    "hr_manager": {READ: EVERYTHING, WRITE: set()},
    "asset_manager": {READ: set(), WRITE: set()},
    "employee": {READ: {"invoices"}, WRITE: set()},  # only their own invoices, see below
}
OK = {"GET": 200, "POST": 201, "PATCH": 200, "DELETE": 204}
ACTIONS = {"issue": 200, "void": 200}  # POST actions on an invoice answer the invoice


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        for key, number in ids.items():
            if value == "{" + key + "}":
                return number
            value = value.replace("{" + key + "}", str(number))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _expected_success(method: str, path: str) -> int:
    for action, status in ACTIONS.items():
        if path.endswith("/" + action):
            return status
    return OK[method]


async def _rows(make: Factory) -> dict[str, int]:
    customer = await make.customer()
    busy = await make.customer()
    draft = await make.draft(busy, employee_id=ME)
    issued = await make.issued(busy, employee_id=ME)
    return {"customer": customer["id"], "draft": draft["id"], "issued": issued["id"]}


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
    ids = await _rows(make)
    headers = tokens.headers(role, employee_id=ME, sub=f"{role}-matrix")

    response = await client.request(
        method, _fill(path, ids), json=_fill(body, ids), headers=headers
    )

    if resource in CAN[role][kind]:
        assert response.status_code == _expected_success(method, path), response.text
        if role == "employee" and path == "/api/v1/invoices":
            items = response.json()["items"]
            assert items
            assert all(item["employee_id"] == ME for item in items)
    else:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("method", "path", "body", "kind", "resource"),
    ENDPOINTS,
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
async def test_no_token_is_401_everywhere(
    client: httpx.AsyncClient,
    make: Factory,
    method: str,
    path: str,
    body: Any,
    kind: str,
    resource: str,
) -> None:
    ids = await _rows(make)
    response = await client.request(method, _fill(path, ids), json=_fill(body, ids))
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "unauthorized"


async def test_a_bad_token_is_401(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    forged = {"Authorization": f"Bearer {tokens.token(roles=['admin'], secret='x' * 40)}"}
    response = await client.get(INVOICES, headers=forged)
    assert response.status_code == 401


async def test_an_employee_sees_only_invoices_that_are_theirs(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    customer = await make.customer()
    mine = await make.issued(customer, employee_id=ME)
    mine_draft = await make.draft(customer, employee_id=ME)
    theirs = await make.issued(customer, employee_id=SOMEONE_ELSE)
    nobodys = await make.issued(customer)
    me = tokens.headers("employee", employee_id=ME)

    listed = await client.get(INVOICES, headers=me)
    assert listed.status_code == 200, listed.text
    assert {i["id"] for i in listed.json()["items"]} == {mine["id"], mine_draft["id"]}
    assert listed.json()["total"] == 2
    # Asking for someone else's invoices by filter does not widen the view.
    filtered = await client.get(INVOICES, params={"employee_id": SOMEONE_ELSE}, headers=me)
    assert filtered.status_code in (200, 403), filtered.text
    if filtered.status_code == 200:
        assert filtered.json()["items"] == []

    assert (await client.get(f"{INVOICES}/{mine['id']}", headers=me)).status_code == 200
    for other in (theirs, nobodys):
        for suffix in ("", "/payments", "/credit-notes", "/pdf"):
            response = await client.get(f"{INVOICES}/{other['id']}{suffix}", headers=me)
            assert response.status_code == 404, (suffix, response.text)
            assert response.json()["code"] == "not_found"


async def test_an_employee_cannot_touch_their_own_invoice(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    draft = await make.draft(employee_id=ME)
    me = tokens.headers("employee", employee_id=ME)
    assert (await client.post(f"{INVOICES}/{draft['id']}/issue", headers=me)).status_code == 403
    assert (
        await client.patch(f"{INVOICES}/{draft['id']}", json={"notes": "mine"}, headers=me)
    ).status_code == 403
    assert (await client.delete(f"{INVOICES}/{draft['id']}", headers=me)).status_code == 403
    assert (await make.get(draft["id"]))["status"] == "draft"


async def test_an_employee_without_an_employee_record_sees_nothing(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    await make.issued(employee_id=ME)
    nobody = tokens.headers("employee", sub="no-employee-record")
    listed = await client.get(INVOICES, headers=nobody)
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []


async def test_an_hr_manager_reads_but_cannot_pay(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    assert (await client.get(f"{INVOICES}/{invoice['id']}", headers=hr)).status_code == 200
    paying = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "1.00", "method": "cash"},
        headers=hr,
    )
    assert paying.status_code == 403
    assert (await make.get(invoice["id"]))["amount_paid"] == "0.00"
