"""Employees: hiring, changing, searching, the batch look-up, roles and termination."""

from typing import Any

import httpx
import pytest

from tb_platform.testing import TokenFactory

from .conftest import Factory

API = "/api/v1/employees"


def fields_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    return [error["field"] for error in response.json()["detail"]]


async def test_hr_hires_an_employee_with_every_contract_field(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    department = await make.department(name="Engineering")
    manager = await make.employee(first_name="Mona", last_name="Manager")
    body = {
        "first_name": "  Linus ",
        "last_name": "Torvalds",
        "email": "linus@tb-erp.test",
        "phone": "+358 40 123 4567",
        "job_title": "Kernel Engineer",
        "department_id": department["id"],
        "manager_id": manager["id"],
        "hire_date": "2024-02-01",
    }

    created = await client.post(API, json=body, headers=hr)

    assert created.status_code == 201, created.text
    employee = created.json()
    assert {k: employee[k] for k in body} == {**body, "first_name": "Linus"}
    assert employee["status"] == "active"
    assert employee["roles"] == ["employee"]
    assert employee["has_login"] is False
    assert "password_hash" not in employee
    fetched = await client.get(f"{API}/{employee['id']}", headers=hr)
    assert fetched.json() == employee


async def test_email_is_unique_whatever_its_case(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    first = await make.employee(email="Same.Person@tb-erp.test")
    again = await client.post(
        API,
        json={"first_name": "A", "last_name": "B", "email": "same.person@TB-ERP.test"},
        headers=admin,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"

    other = await make.employee()
    renamed = await client.patch(
        f"{API}/{other['id']}", json={"email": "SAME.PERSON@tb-erp.test"}, headers=admin
    )
    assert renamed.status_code == 409
    # Changing one's own email's case is not a conflict.
    own = await client.patch(
        f"{API}/{first['id']}", json={"email": "same.person@tb-erp.test"}, headers=admin
    )
    assert own.status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"hire_date": "2024-13-40"}, "hire_date"),
        ({"status": "retired"}, "status"),
        ({"roles": ["emperor"]}, "roles.0"),
        ({"password": "short"}, "password"),
        ({"department_id": 0}, "department_id"),
        ({"manager_id": 2_147_483_648}, "manager_id"),
        ({"salary": 1_000_000}, "salary"),
    ],
)
async def test_bad_input_names_the_field(
    client: httpx.AsyncClient, admin: dict[str, str], change: dict[str, Any], field: str
) -> None:
    body = {"first_name": "Val", "last_name": "Idation", "email": "val@tb-erp.test", **change}
    assert fields_of(await client.post(API, json=body, headers=admin)) == [field]


async def test_references_must_exist(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    base = {"first_name": "Ref", "last_name": "Check", "email": "ref@tb-erp.test"}
    no_department = await client.post(API, json={**base, "department_id": 999999}, headers=admin)
    assert fields_of(no_department) == ["department_id"]
    no_manager = await client.post(API, json={**base, "manager_id": 999999}, headers=admin)
    assert fields_of(no_manager) == ["manager_id"]


async def test_patch_changes_only_what_is_sent_and_refuses_null_for_required_fields(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    person = await make.employee(phone="+1 555 0100", job_title="Clerk")

    updated = await client.patch(
        f"{API}/{person['id']}", json={"job_title": "Senior Clerk", "phone": None}, headers=admin
    )
    assert updated.status_code == 200
    assert updated.json()["job_title"] == "Senior Clerk"
    assert updated.json()["phone"] is None
    assert updated.json()["last_name"] == person["last_name"]

    assert fields_of(
        await client.patch(f"{API}/{person['id']}", json={"last_name": None}, headers=admin)
    ) == ["last_name"]


async def test_reporting_lines_cannot_loop(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    boss = await make.employee()
    middle = await make.employee(manager_id=boss["id"])
    worker = await make.employee(manager_id=middle["id"])

    own = await client.patch(f"{API}/{boss['id']}", json={"manager_id": boss["id"]}, headers=admin)
    assert fields_of(own) == ["manager_id"]
    loop = await client.patch(
        f"{API}/{boss['id']}", json={"manager_id": worker["id"]}, headers=admin
    )
    assert fields_of(loop) == ["manager_id"]


async def test_setting_a_password_enables_the_login(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    person = await make.employee(email="late@tb-erp.test")
    updated = await client.patch(
        f"{API}/{person['id']}", json={"password": "a-long-password"}, headers=admin
    )
    assert updated.json()["has_login"] is True
    login = await client.post(
        "/api/v1/auth/login", json={"email": "late@tb-erp.test", "password": "a-long-password"}
    )
    assert login.status_code == 200


async def test_put_roles_replaces_them(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    response = await client.put(
        f"{API}/{person['id']}/roles",
        json={"roles": ["asset_manager", "accountant", "accountant"]},
        headers=admin,
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["accountant", "asset_manager"]
    cleared = await client.put(f"{API}/{person['id']}/roles", json={"roles": []}, headers=admin)
    assert cleared.json()["roles"] == []
    assert fields_of(
        await client.put(f"{API}/{person['id']}/roles", json={"roles": ["root"]}, headers=admin)
    ) == ["roles.0"]


async def test_hr_cannot_hand_out_or_take_over_admin_access(
    client: httpx.AsyncClient, hr: dict[str, str], admin: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    grant = await client.put(f"{API}/{person['id']}/roles", json={"roles": ["admin"]}, headers=hr)
    assert grant.status_code == 403
    hire = await client.post(
        API,
        json={"first_name": "A", "last_name": "B", "email": "ab@tb-erp.test", "roles": ["admin"]},
        headers=hr,
    )
    assert hire.status_code == 403

    an_admin = await make.employee(roles=["admin"], password="admin-password-1")
    takeover = await client.patch(
        f"{API}/{an_admin['id']}", json={"password": "hr-knows-it-now"}, headers=hr
    )
    assert takeover.status_code == 403
    # An admin may.
    assert (
        await client.put(f"{API}/{person['id']}/roles", json={"roles": ["admin"]}, headers=admin)
    ).status_code == 200


async def test_the_last_admin_login_cannot_be_removed(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    only = await make.employee(roles=["admin"], password="admin-password-1")
    demote = await client.put(f"{API}/{only['id']}/roles", json={"roles": []}, headers=admin)
    assert demote.status_code == 409
    assert demote.json()["code"] == "last_admin"
    assert (await client.delete(f"{API}/{only['id']}", headers=admin)).status_code == 409

    await make.employee(roles=["admin"], password="admin-password-2")
    assert (
        await client.put(f"{API}/{only['id']}/roles", json={"roles": []}, headers=admin)
    ).status_code == 200


async def test_delete_is_a_soft_delete_that_keeps_the_row(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    person = await make.employee(password="a-long-password")

    assert (await client.delete(f"{API}/{person['id']}", headers=admin)).status_code == 204
    kept = await client.get(f"{API}/{person['id']}", headers=admin)
    assert kept.status_code == 200
    assert kept.json()["status"] == "terminated"
    assert kept.json()["has_login"] is False
    # Deleting again changes nothing.
    assert (await client.delete(f"{API}/{person['id']}", headers=admin)).status_code == 204
    assert (await client.delete(f"{API}/999999", headers=admin)).status_code == 404


async def test_nobody_terminates_themselves(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    me = await make.employee(roles=["hr_manager"])
    own = tokens.headers("hr_manager", employee_id=me["id"])
    response = await client.delete(f"{API}/{me['id']}", headers=own)
    assert response.status_code == 409


async def test_search_filter_and_sort(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    sales = await make.department(name="Sales")
    await make.employee(first_name="Zoe", last_name="Zimmer", department_id=sales["id"])
    await make.employee(
        first_name="Adam", last_name="Alder", department_id=sales["id"], status="on_leave"
    )
    await make.employee(first_name="Zoe", last_name="Other", email="zo@tb-erp.test")
    await make.employee(first_name="100%", last_name="Literal")

    by_name = await client.get(API, params={"q": "zoe"}, headers=admin)
    assert {e["last_name"] for e in by_name.json()["items"]} == {"Zimmer", "Other"}
    by_full_name = await client.get(API, params={"q": "zoe zim"}, headers=admin)
    assert [e["last_name"] for e in by_full_name.json()["items"]] == ["Zimmer"]
    by_email = await client.get(API, params={"q": "ZO@TB-ERP"}, headers=admin)
    assert [e["last_name"] for e in by_email.json()["items"]] == ["Other"]
    wildcard = await client.get(API, params={"q": "%"}, headers=admin)
    assert [e["last_name"] for e in wildcard.json()["items"]] == ["Literal"]

    in_sales = await client.get(
        API, params={"department_id": sales["id"], "sort": "-last_name"}, headers=admin
    )
    assert [e["last_name"] for e in in_sales.json()["items"]] == ["Zimmer", "Alder"]
    assert in_sales.json()["total"] == 2
    on_leave = await client.get(
        API, params={"department_id": sales["id"], "status": "on_leave"}, headers=admin
    )
    assert [e["last_name"] for e in on_leave.json()["items"]] == ["Alder"]

    assert fields_of(await client.get(API, params={"sort": "password_hash"}, headers=admin)) == [
        "sort"
    ]
    assert fields_of(await client.get(API, params={"status": "gone"}, headers=admin)) == ["status"]


async def test_offset_and_cursor_paging_see_every_employee_once(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    created = [await make.employee(last_name=f"Page{n % 4}") for n in range(11)]
    expected = {e["id"] for e in created}

    first = await client.get(API, params={"limit": 4}, headers=admin)
    body = first.json()
    assert body["total"] == 11
    assert len(body["items"]) == 4
    assert body["limit"] == 4
    assert body["offset"] == 0

    offsets = []
    for offset in range(0, 12, 4):
        page = await client.get(API, params={"limit": 4, "offset": offset}, headers=admin)
        offsets += [e["id"] for e in page.json()["items"]]
    assert sorted(offsets) == sorted(expected)

    for sort in ("last_name", "-last_name", "-hire_date", "id"):
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 3, "sort": sort}
            if cursor:
                params["cursor"] = cursor
            raw = await client.get(API, params=params, headers=admin)
            assert raw.status_code == 200, (sort, raw.text)
            page = raw.json()
            seen += [e["id"] for e in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 11, sort
        assert set(seen) == expected

    assert fields_of(await client.get(API, params={"limit": 201}, headers=admin)) == ["limit"]
    assert fields_of(await client.get(API, params={"cursor": "!!junk"}, headers=admin)) == [
        "cursor"
    ]
    mixed = await client.get(API, params={"cursor": cursor or "x", "offset": 2}, headers=admin)
    assert fields_of(mixed) == ["cursor"]


async def test_batch_lookup_returns_known_ids_only(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    a, b = await make.employee(), await make.employee()

    response = await client.get(
        API, params={"ids": f"{b['id']},999999,{a['id']},{b['id']}"}, headers=admin
    )

    assert response.status_code == 200
    body = response.json()
    assert [e["id"] for e in body["items"]] == sorted([a["id"], b["id"]])
    assert body["total"] == 2
    assert body["items"][0]["first_name"] == "Test"


@pytest.mark.parametrize("ids", ["", "1,,2", "1,abc", "-3", "1.5", "99999999999"])
async def test_batch_lookup_refuses_junk(
    client: httpx.AsyncClient, admin: dict[str, str], ids: str
) -> None:
    assert fields_of(await client.get(API, params={"ids": ids}, headers=admin)) == ["ids"]


async def test_batch_lookup_takes_at_most_500_ids(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    ok = await client.get(API, params={"ids": ",".join(map(str, range(1, 501)))}, headers=admin)
    assert ok.status_code == 200
    too_many = ",".join(map(str, range(1, 502)))
    assert fields_of(await client.get(API, params={"ids": too_many}, headers=admin)) == ["ids"]


async def test_an_employee_sees_only_themselves(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    me = await make.employee()
    other = await make.employee()
    mine = tokens.headers("employee", employee_id=me["id"])

    assert (await client.get(f"{API}/me", headers=mine)).json()["id"] == me["id"]
    assert (await client.get(f"{API}/{me['id']}", headers=mine)).status_code == 200
    hidden = await client.get(f"{API}/{other['id']}", headers=mine)
    assert hidden.status_code == 404
    assert hidden.json() == (await client.get(f"{API}/999999", headers=mine)).json() | {
        "detail": hidden.json()["detail"]
    }
    listed = await client.get(API, headers=mine)
    assert [e["id"] for e in listed.json()["items"]] == [me["id"]]
    batch = await client.get(API, params={"ids": f"{me['id']},{other['id']}"}, headers=mine)
    assert [e["id"] for e in batch.json()["items"]] == [me["id"]]

    for method, path, body in [
        ("PATCH", f"{API}/{me['id']}", {"job_title": "CEO"}),
        ("PUT", f"{API}/{me['id']}/roles", {"roles": ["admin"]}),
        ("POST", API, {"first_name": "A", "last_name": "B", "email": "c@tb-erp.test"}),
        ("DELETE", f"{API}/{other['id']}", None),
    ]:
        response = await client.request(method, path, json=body, headers=mine)
        assert response.status_code == 403, (method, path)


async def test_me_without_an_employee_record_is_404(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(f"{API}/me", headers=admin)
    assert response.status_code == 404


async def test_ids_out_of_range_are_422_not_500(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert (await client.get(f"{API}/2147483648", headers=admin)).status_code == 422
    assert (await client.get(f"{API}/abc", headers=admin)).status_code == 422
    assert (await client.get(f"{API}/0", headers=admin)).status_code == 422


async def test_hr_cannot_change_an_admins_login_identity(
    client: httpx.AsyncClient, hr: dict[str, str], admin: dict[str, str], make: Factory
) -> None:
    an_admin = await make.employee(
        email="boss@tb-erp.test", roles=["admin"], password="admin-password-1"
    )
    for change in ({"email": "hr-owns-it@tb-erp.test"}, {"status": "on_leave"}):
        refused = await client.patch(f"{API}/{an_admin['id']}", json=change, headers=hr)
        assert refused.status_code == 403, (change, refused.text)
    kept = await client.get(f"{API}/{an_admin['id']}", headers=admin)
    assert kept.json()["email"] == "boss@tb-erp.test"
    assert kept.json()["status"] == "active"
    login = await client.post(
        "/api/v1/auth/login", json={"email": "boss@tb-erp.test", "password": "admin-password-1"}
    )
    assert login.status_code == 200
    # HR may still keep the rest of an admin's record up to date, and an admin may do it all.
    titled = await client.patch(
        f"{API}/{an_admin['id']}", json={"job_title": "Managing director"}, headers=hr
    )
    assert titled.status_code == 200
    moved = await client.patch(
        f"{API}/{an_admin['id']}", json={"email": "director@tb-erp.test"}, headers=admin
    )
    assert moved.status_code == 200
    assert moved.json()["email"] == "director@tb-erp.test"


async def test_reactivating_a_terminated_employee_restores_the_login_only_with_a_password(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee(email="returns@tb-erp.test", password="first-password-1")
    assert (await client.delete(f"{API}/{person['id']}", headers=hr)).status_code == 204

    # A password alone would give a terminated employee a login: refused, nothing changed.
    refused = await client.patch(
        f"{API}/{person['id']}", json={"password": "second-password-2"}, headers=hr
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "employee_terminated"

    # Back at work without a password: active, and the answer says there is no login.
    back = await client.patch(f"{API}/{person['id']}", json={"status": "active"}, headers=hr)
    assert back.status_code == 200
    assert back.json()["status"] == "active"
    assert back.json()["has_login"] is False
    old = await client.post(
        "/api/v1/auth/login", json={"email": "returns@tb-erp.test", "password": "first-password-1"}
    )
    assert old.status_code == 401

    # Terminated again, then reactivated with a password in the same call: the login works.
    assert (await client.delete(f"{API}/{person['id']}", headers=hr)).status_code == 204
    again = await client.patch(
        f"{API}/{person['id']}",
        json={"status": "active", "password": "second-password-2"},
        headers=hr,
    )
    assert again.status_code == 200
    assert again.json()["has_login"] is True
    login = await client.post(
        "/api/v1/auth/login", json={"email": "returns@tb-erp.test", "password": "second-password-2"}
    )
    assert login.status_code == 200


async def test_dates_out_of_range_or_not_iso_text_are_422(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    for hire_date in (0, "0001-01-01", "9999-12-31", "2026/01/05"):
        response = await client.post(
            API,
            json={
                "first_name": "A",
                "last_name": "B",
                "email": "dated@tb-erp.test",
                "hire_date": hire_date,
            },
            headers=admin,
        )
        assert fields_of(response) == ["hire_date"], (hire_date, response.text)


async def test_a_nul_in_the_search_is_a_422_naming_q(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(API, params={"q": "a\x00b"}, headers=admin)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["q"]
