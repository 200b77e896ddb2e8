"""Departments: the organisation's tree, who may change it, and how it is listed."""

import base64
import json
from typing import Any

import httpx
import pytest

from tb_platform.testing import TokenFactory

from .conftest import Factory

URL = "/api/v1/departments"
PG_INT_MAX = 2_147_483_647


def assert_invalid(response: httpx.Response, field: str | None = None) -> list[dict[str, Any]]:
    """A 422 in the shared error shape; when ``field`` is given, that field is among the errors."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_error"
    assert isinstance(body["detail"], list), body
    assert body["detail"], body
    if field is not None:
        assert field in [error["field"] for error in body["detail"]], body
    return body["detail"]


def assert_conflict(response: httpx.Response, code: str) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["code"] == code


async def list_all(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    response = await client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


# --- create, read, update, delete -------------------------------------------------------------


async def test_hr_creates_a_department_and_reads_it_back(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    manager = await make.employee(first_name="Mona", last_name="Manager")
    parent = await make.department(name="Operations", code="OPS")

    created = await client.post(
        URL,
        json={
            "name": "  Logistics  ",
            "code": " log-1 ",
            "parent_id": parent["id"],
            "manager_id": manager["id"],
        },
        headers=hr,
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "Logistics"
    assert body["code"] == "LOG-1"  # trimmed and upper-cased
    assert body["parent_id"] == parent["id"]
    assert body["manager_id"] == manager["id"]
    assert body["created_at"]
    assert body["updated_at"]

    read = await client.get(f"{URL}/{body['id']}", headers=hr)
    assert read.status_code == 200
    assert read.json() == body


async def test_code_is_optional(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    created = await client.post(URL, json={"name": "Skunkworks"}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["code"] is None
    assert created.json()["parent_id"] is None


async def test_update_changes_only_the_fields_sent_and_null_clears(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    manager = await make.employee()
    parent = await make.department(name="Head Office", code="HQ")
    department = await make.department(
        name="Finance", code="FIN", parent_id=parent["id"], manager_id=manager["id"]
    )

    renamed = await client.patch(
        f"{URL}/{department['id']}", json={"name": "Finance & Control"}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Finance & Control"
    assert renamed.json()["code"] == "FIN"
    assert renamed.json()["parent_id"] == parent["id"]
    assert renamed.json()["manager_id"] == manager["id"]

    cleared = await client.patch(
        f"{URL}/{department['id']}",
        json={"parent_id": None, "manager_id": None, "code": "fc"},
        headers=admin,
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["parent_id"] is None
    assert cleared.json()["manager_id"] is None
    assert cleared.json()["code"] == "FC"

    stored = (await client.get(f"{URL}/{department['id']}", headers=admin)).json()
    assert stored == cleared.json()


async def test_name_cannot_be_set_to_null(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    department = await make.department(name="Legal")
    response = await client.patch(f"{URL}/{department['id']}", json={"name": None}, headers=admin)
    assert_invalid(response, "name")
    assert (await client.get(f"{URL}/{department['id']}", headers=admin)).json()["name"] == "Legal"


async def test_an_empty_department_can_be_deleted_and_is_then_gone(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    department = await make.department(name="Temporary Taskforce")

    deleted = await client.delete(f"{URL}/{department['id']}", headers=admin)
    assert deleted.status_code == 204
    assert deleted.content == b""

    gone = await client.get(f"{URL}/{department['id']}", headers=admin)
    assert gone.status_code == 404
    assert gone.json()["code"] == "not_found"
    again = await client.delete(f"{URL}/{department['id']}", headers=admin)
    assert again.status_code == 404


# --- uniqueness ---------------------------------------------------------------------------------


async def test_department_names_are_unique_whatever_their_case(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    await make.department(name="Research", code="RND")

    same = await client.post(URL, json={"name": "Research"}, headers=admin)
    assert_conflict(same, "name_taken")
    other_case = await client.post(URL, json={"name": "  rESEARCH "}, headers=admin)
    assert_conflict(other_case, "name_taken")

    assert [d["name"] for d in await list_all(client, admin, q="research")] == ["Research"]


async def test_renaming_onto_another_departments_name_is_a_conflict(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    await make.department(name="Sales")
    marketing = await make.department(name="Marketing")

    taken = await client.patch(f"{URL}/{marketing['id']}", json={"name": "SALES"}, headers=admin)
    assert_conflict(taken, "name_taken")

    # Changing only the case of its own name is not a clash with itself.
    recased = await client.patch(
        f"{URL}/{marketing['id']}", json={"name": "MARKETING"}, headers=admin
    )
    assert recased.status_code == 200, recased.text
    assert recased.json()["name"] == "MARKETING"


async def test_department_codes_are_unique_after_upper_casing(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    first = await make.department(name="Quality", code="qa")
    assert first["code"] == "QA"

    clash = await client.post(URL, json={"name": "Quality Assurance", "code": "QA"}, headers=admin)
    assert_conflict(clash, "code_taken")
    lower_clash = await client.post(URL, json={"name": "QA Two", "code": "qa"}, headers=admin)
    assert_conflict(lower_clash, "code_taken")

    other = await make.department(name="Support", code="SUP")
    patched = await client.patch(f"{URL}/{other['id']}", json={"code": "Qa"}, headers=admin)
    assert_conflict(patched, "code_taken")


async def test_a_code_must_be_letters_digits_dashes_or_underscores(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert_invalid(await client.post(URL, json={"name": "X", "code": "A B"}, headers=admin), "code")
    assert_invalid(await client.post(URL, json={"name": "X", "code": "A" * 21}, headers=admin))
    assert await list_all(client, admin) == []


# --- the tree -----------------------------------------------------------------------------------


async def test_parent_must_exist(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    created = await client.post(URL, json={"name": "Orphan", "parent_id": 999_999}, headers=admin)
    assert_invalid(created, "parent_id")

    department = await make.department(name="Adoptee")
    updated = await client.patch(
        f"{URL}/{department['id']}", json={"parent_id": 999_999}, headers=admin
    )
    assert_invalid(updated, "parent_id")


async def test_a_department_cannot_become_its_own_parent_or_ancestor(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    top = await make.department(name="Group")
    middle = await make.department(name="Division", parent_id=top["id"])
    bottom = await make.department(name="Team", parent_id=middle["id"])

    itself = await client.patch(f"{URL}/{top['id']}", json={"parent_id": top["id"]}, headers=admin)
    assert_invalid(itself, "parent_id")
    child = await client.patch(
        f"{URL}/{top['id']}", json={"parent_id": middle["id"]}, headers=admin
    )
    assert_invalid(child, "parent_id")
    grandchild = await client.patch(
        f"{URL}/{top['id']}", json={"parent_id": bottom["id"]}, headers=admin
    )
    assert_invalid(grandchild, "parent_id")

    assert (await client.get(f"{URL}/{top['id']}", headers=admin)).json()["parent_id"] is None

    # Moving a leaf elsewhere in the tree is fine.
    moved = await client.patch(
        f"{URL}/{bottom['id']}", json={"parent_id": top["id"]}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] == top["id"]


async def test_manager_must_exist_and_not_be_terminated(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    leaver = await make.employee()
    terminated = await client.delete(f"/api/v1/employees/{leaver['id']}", headers=admin)
    assert terminated.status_code == 204

    missing = await client.post(URL, json={"name": "Nobody", "manager_id": 999_999}, headers=admin)
    assert_invalid(missing, "manager_id")
    ghost = await client.post(
        URL, json={"name": "Ghost Town", "manager_id": leaver["id"]}, headers=admin
    )
    assert_invalid(ghost, "manager_id")

    department = await make.department(name="Procurement")
    updated = await client.patch(
        f"{URL}/{department['id']}", json={"manager_id": leaver["id"]}, headers=admin
    )
    assert_invalid(updated, "manager_id")

    on_leave = await make.employee(status="on_leave")
    allowed = await client.patch(
        f"{URL}/{department['id']}", json={"manager_id": on_leave["id"]}, headers=admin
    )
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["manager_id"] == on_leave["id"]


# --- delete guards ------------------------------------------------------------------------------


async def test_a_department_with_employees_cannot_be_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    department = await make.department(name="Warehouse")
    worker = await make.employee(department_id=department["id"])

    refused = await client.delete(f"{URL}/{department['id']}", headers=admin)
    assert_conflict(refused, "department_not_empty")
    assert (await client.get(f"{URL}/{department['id']}", headers=admin)).status_code == 200

    # Moving the employee out empties the department.
    moved = await client.patch(
        f"/api/v1/employees/{worker['id']}", json={"department_id": None}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert (await client.delete(f"{URL}/{department['id']}", headers=admin)).status_code == 204


async def test_terminated_employees_still_keep_their_department(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    department = await make.department(name="Old Plant")
    leaver = await make.employee(department_id=department["id"])
    assert (
        await client.delete(f"/api/v1/employees/{leaver['id']}", headers=admin)
    ).status_code == 204

    refused = await client.delete(f"{URL}/{department['id']}", headers=admin)
    assert_conflict(refused, "department_not_empty")
    assert (await client.get(f"{URL}/{department['id']}", headers=admin)).status_code == 200


async def test_a_department_with_sub_departments_cannot_be_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    parent = await make.department(name="Engineering")
    child = await make.department(name="Platform", parent_id=parent["id"])

    refused = await client.delete(f"{URL}/{parent['id']}", headers=admin)
    assert_conflict(refused, "department_has_children")

    assert (await client.delete(f"{URL}/{child['id']}", headers=admin)).status_code == 204
    assert (await client.delete(f"{URL}/{parent['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{URL}/{parent['id']}", headers=admin)).status_code == 404


# --- a department's employees -------------------------------------------------------------------


async def test_department_employees_lists_only_its_own_and_pages(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: TokenFactory, make: Factory
) -> None:
    department = await make.department(name="Customer Care")
    other = await make.department(name="Billing")
    members = [
        await make.employee(last_name=name, department_id=department["id"])
        for name in ("Adams", "Baker", "Clark")
    ]
    await make.employee(last_name="Aardvark", department_id=other["id"])
    await make.employee(last_name="Abbott")  # in no department

    url = f"{URL}/{department['id']}/employees"
    everyone = await client.get(url, headers=admin)
    assert everyone.status_code == 200, everyone.text
    assert everyone.json()["total"] == 3
    assert [e["id"] for e in everyone.json()["items"]] == [m["id"] for m in members]
    assert {e["department_id"] for e in everyone.json()["items"]} == {department["id"]}

    first = (await client.get(url, params={"limit": 2}, headers=admin)).json()
    assert [e["last_name"] for e in first["items"]] == ["Adams", "Baker"]
    assert first["total"] == 3
    second = (await client.get(url, params={"limit": 2, "offset": 2}, headers=admin)).json()
    assert [e["last_name"] for e in second["items"]] == ["Clark"]
    assert second["next_cursor"] is None
    by_cursor = await client.get(
        url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    )
    assert [e["last_name"] for e in by_cursor.json()["items"]] == ["Clark"]

    reader = tokens.headers("accountant", employee_id=members[0]["id"])
    assert (await client.get(url, headers=reader)).json()["total"] == 3

    missing = await client.get(f"{URL}/{PG_INT_MAX}/employees", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


# --- listing ------------------------------------------------------------------------------------


async def test_list_searches_name_or_code_case_insensitively(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    await make.department(name="Human Resources", code="HR")
    await make.department(name="IT Services", code="ITS")
    await make.department(name="Facilities", code="FAC")

    assert [d["name"] for d in await list_all(client, admin, q="sERVICES")] == ["IT Services"]
    assert [d["name"] for d in await list_all(client, admin, q="fac")] == ["Facilities"]
    by_code = await list_all(client, admin, q="its")
    assert [d["code"] for d in by_code] == ["ITS"]
    # LIKE wildcards are matched literally.
    assert await list_all(client, admin, q="%") == []
    assert len(await list_all(client, admin, q="   ")) == 3


async def test_list_filters_by_parent(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    root = await make.department(name="Company")
    a = await make.department(name="Alpha Unit", parent_id=root["id"])
    b = await make.department(name="Beta Unit", parent_id=root["id"])
    await make.department(name="Alpha Team", parent_id=a["id"])

    children = await client.get(URL, params={"parent_id": root["id"]}, headers=admin)
    assert children.status_code == 200
    assert [d["id"] for d in children.json()["items"]] == [a["id"], b["id"]]
    assert children.json()["total"] == 2

    assert_invalid(await client.get(URL, params={"parent_id": PG_INT_MAX + 1}, headers=admin))


async def test_list_sorts_by_name_both_ways(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    for name in ("Marketing", "Audit", "Zoning", "Finance"):
        await make.department(name=name)

    ascending = [d["name"] for d in await list_all(client, admin, sort="name")]
    assert ascending == ["Audit", "Finance", "Marketing", "Zoning"]
    default = [d["name"] for d in await list_all(client, admin)]
    assert default == ascending
    descending = [d["name"] for d in await list_all(client, admin, sort="-name")]
    assert descending == ["Zoning", "Marketing", "Finance", "Audit"]


async def test_offset_paging_reports_the_total(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    names = [f"Unit {n:02d}" for n in range(7)]
    for name in names:
        await make.department(name=name)

    page = await client.get(URL, params={"limit": 3, "offset": 3}, headers=admin)
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 7
    assert body["limit"] == 3
    assert body["offset"] == 3
    assert [d["name"] for d in body["items"]] == names[3:6]

    tail = (await client.get(URL, params={"limit": 3, "offset": 6}, headers=admin)).json()
    assert [d["name"] for d in tail["items"]] == names[6:]
    assert tail["next_cursor"] is None
    beyond = (await client.get(URL, params={"offset": 50}, headers=admin)).json()
    assert beyond["items"] == []
    assert beyond["total"] == 7


@pytest.mark.parametrize("sort", ["name", "-name", "id", "-created_at"])
async def test_cursor_paging_visits_every_department_once(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, sort: str
) -> None:
    created = [await make.department(name=f"Branch {n:02d}") for n in range(11)]

    seen: list[int] = []
    first = (await client.get(URL, params={"limit": 4, "sort": sort}, headers=admin)).json()
    seen += [d["id"] for d in first["items"]]
    cursor = first["next_cursor"]
    pages = 1
    while cursor is not None:
        response = await client.get(
            URL, params={"limit": 4, "sort": sort, "cursor": cursor}, headers=admin
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] is None  # keyset pages skip the count
        seen += [d["id"] for d in body["items"]]
        cursor = body["next_cursor"]
        pages += 1

    assert pages == 3
    assert sorted(seen) == sorted(d["id"] for d in created)
    assert len(seen) == len(set(seen))
    everything = [d["id"] for d in await list_all(client, admin, sort=sort, limit=200)]
    assert seen == everything


async def test_a_cursor_from_another_sort_order_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    for n in range(3):
        await make.department(name=f"Desk {n}")
    cursor = (await client.get(URL, params={"limit": 1}, headers=admin)).json()["next_cursor"]
    assert cursor

    assert_invalid(
        await client.get(URL, params={"cursor": cursor, "sort": "-name"}, headers=admin), "cursor"
    )
    assert_invalid(await client.get(URL, params={"cursor": "garbage!"}, headers=admin), "cursor")
    assert_invalid(
        await client.get(URL, params={"cursor": cursor, "offset": 0}, headers=admin), "cursor"
    )


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({}, "name"),
        ({"name": "N" * 121}, "name"),
        ({"name": "Ok", "colour": "blue"}, "colour"),
        ({"name": "Ok", "parent_id": 0}, "parent_id"),
        ({"name": "Ok", "parent_id": PG_INT_MAX + 1}, "parent_id"),
        ({"name": "Ok", "manager_id": PG_INT_MAX + 1}, "manager_id"),
    ],
)
async def test_invalid_bodies_are_refused_with_422(
    client: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await client.post(URL, json=body, headers=admin)
    errors = assert_invalid(response, field)
    assert all({"loc", "field", "msg", "type"} <= error.keys() for error in errors)
    assert await list_all(client, admin) == []


async def test_unknown_fields_are_refused_on_update_too(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    department = await make.department(name="Security")
    response = await client.patch(f"{URL}/{department['id']}", json={"nmae": "X"}, headers=admin)
    assert_invalid(response, "nmae")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"offset": -1}, "offset"),
        ({"sort": "unknown"}, "sort"),
        ({"sort": "-manager_id"}, "sort"),
        ({"q": "x" * 201}, "q"),
    ],
)
async def test_invalid_list_parameters_are_refused_with_422(
    client: httpx.AsyncClient, admin: dict[str, str], params: dict[str, Any], field: str
) -> None:
    assert_invalid(await client.get(URL, params=params, headers=admin), field)


async def test_limit_200_is_the_largest_page(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(URL, params={"limit": 200}, headers=admin)
    assert response.status_code == 200
    assert response.json()["limit"] == 200


async def test_unknown_department_is_404(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for response in (
        await client.get(f"{URL}/424242", headers=admin),
        await client.patch(f"{URL}/424242", json={"name": "X"}, headers=admin),
        await client.delete(f"{URL}/424242", headers=admin),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("department_id", [str(PG_INT_MAX + 1), "99999999999999999999", "0", "x"])
async def test_ids_outside_the_integer_range_are_422_not_500(
    client: httpx.AsyncClient, admin: dict[str, str], department_id: str
) -> None:
    for response in (
        await client.get(f"{URL}/{department_id}", headers=admin),
        await client.patch(f"{URL}/{department_id}", json={"name": "X"}, headers=admin),
        await client.delete(f"{URL}/{department_id}", headers=admin),
        await client.get(f"{URL}/{department_id}/employees", headers=admin),
    ):
        assert_invalid(response, "department_id")


async def test_the_largest_valid_id_is_simply_not_found(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(f"{URL}/{PG_INT_MAX}", headers=admin)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "hr_manager"])
async def test_admin_and_hr_manager_can_write(
    client: httpx.AsyncClient, tokens: TokenFactory, role: str
) -> None:
    headers = tokens.headers(role, sub=f"{role}-writer")

    created = await client.post(URL, json={"name": f"{role} unit", "code": role}, headers=headers)
    assert created.status_code == 201, created.text
    department_id = created.json()["id"]
    updated = await client.patch(
        f"{URL}/{department_id}", json={"name": f"{role} renamed"}, headers=headers
    )
    assert updated.status_code == 200, updated.text
    assert (await client.delete(f"{URL}/{department_id}", headers=headers)).status_code == 204


@pytest.mark.parametrize("role", ["asset_manager", "accountant"])
async def test_asset_manager_and_accountant_can_read_but_not_write(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, admin: dict[str, str], role: str
) -> None:
    department = await make.department(name="Treasury", code="TRS")
    headers = tokens.headers(role, sub=f"{role}-reader")

    listed = await client.get(URL, headers=headers)
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["items"]] == [department["id"]]
    read = await client.get(f"{URL}/{department['id']}", headers=headers)
    assert read.status_code == 200
    assert read.json() == department
    members = await client.get(f"{URL}/{department['id']}/employees", headers=headers)
    assert members.status_code == 200

    for response in (
        await client.post(URL, json={"name": "Shadow IT"}, headers=headers),
        await client.patch(f"{URL}/{department['id']}", json={"name": "Mine"}, headers=headers),
        await client.delete(f"{URL}/{department['id']}", headers=headers),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "forbidden"

    unchanged = await client.get(f"{URL}/{department['id']}", headers=admin)
    assert unchanged.json() == department
    assert [d["name"] for d in await list_all(client, admin)] == ["Treasury"]


async def test_a_plain_employee_can_neither_read_nor_write_departments(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, admin: dict[str, str]
) -> None:
    department = await make.department(name="Board")
    person = await make.employee(department_id=department["id"])
    headers = tokens.headers("employee", employee_id=person["id"])

    for response in (
        await client.get(URL, headers=headers),
        await client.get(f"{URL}/{department['id']}", headers=headers),
        await client.get(f"{URL}/{department['id']}/employees", headers=headers),
        await client.post(URL, json={"name": "My Own Department"}, headers=headers),
        await client.patch(f"{URL}/{department['id']}", json={"name": "Mine"}, headers=headers),
        await client.delete(f"{URL}/{department['id']}", headers=headers),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "forbidden"

    assert [d["name"] for d in await list_all(client, admin)] == ["Board"]


async def test_without_a_token_departments_are_401(client: httpx.AsyncClient) -> None:
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(URL, json={"name": "Anonymous"})).status_code == 401


# --- bugs ---------------------------------------------------------------------------------------


async def test_an_offset_too_large_for_the_database_is_422(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert_invalid(await client.get(URL, params={"offset": 2**63}, headers=admin), "offset")


def _tampered(cursor: str, **changes: Any) -> str:
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw = json.dumps({**payload, **changes}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("row_id", ["abc", 2**70])
async def test_a_tampered_cursor_is_422(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, row_id: Any
) -> None:
    for n in range(2):
        await make.department(name=f"Desk {n}")
    cursor = (await client.get(URL, params={"limit": 1}, headers=admin)).json()["next_cursor"]

    response = await client.get(URL, params={"cursor": _tampered(cursor, id=row_id)}, headers=admin)

    assert_invalid(response, "cursor")


async def test_a_nul_character_in_a_name_is_422(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert_invalid(await client.post(URL, json={"name": "Night\x00Shift"}, headers=admin), "name")
