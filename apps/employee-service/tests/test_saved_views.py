"""Saved views: every signed-in person keeps named filters, sort and columns of a list for
themselves; nobody sees, changes or even learns of another's."""

from typing import Any

import httpx
import pytest

from tb_platform.testing import TokenFactory

from .conftest import Factory
from .test_employees import fields_of

VIEWS = "/api/v1/saved-views"


class Person:
    """A signed-in employee with a role, and their saved-view calls."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def save(self, **fields: Any) -> httpx.Response:
        body = {"resource": "assets", "name": "Mine", "filters": {}, **fields}
        return await self.client.post(VIEWS, json=body, headers=self.headers)

    async def saved(self, **fields: Any) -> dict[str, Any]:
        response = await self.save(**fields)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def names(self, **params: Any) -> list[str]:
        response = await self.client.get(VIEWS, params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return [view["name"] for view in response.json()["items"]]


@pytest.fixture
async def people(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> tuple[Person, Person]:
    """A plain employee and an accountant, each signed in as themselves."""
    plain = await make.employee()
    accountant = await make.employee(roles=["accountant"])
    return (
        Person(client, tokens.headers("employee", employee_id=plain["id"])),
        Person(client, tokens.headers("accountant", employee_id=accountant["id"])),
    )


async def test_a_plain_employee_saves_a_view_and_gets_it_back(
    people: tuple[Person, Person],
) -> None:
    me, _ = people

    view = await me.saved(
        resource="assets",
        name="  Laptops in Berlin  ",
        filters={"location": "berlin", "category_id": "3"},
        sort="-purchase_date",
        columns=["asset_tag", "name", "location"],
    )

    assert view["name"] == "Laptops in Berlin"  # trimmed
    assert view["resource"] == "assets"
    assert view["filters"] == {"location": "berlin", "category_id": "3"}
    assert view["sort"] == "-purchase_date"
    assert view["columns"] == ["asset_tag", "name", "location"]
    assert view["created_at"]
    assert view["updated_at"]
    read = await me.client.get(f"{VIEWS}/{view['id']}", headers=me.headers)
    assert read.status_code == 200
    assert read.json() == view
    minimal = await me.saved(resource="invoices", name="All")
    assert (minimal["filters"], minimal["sort"], minimal["columns"]) == ({}, None, None)


async def test_the_list_shows_only_ones_own_views_by_name_and_per_list(
    people: tuple[Person, Person],
) -> None:
    me, colleague = people
    for name in ("zebra", "alpha", "middle"):
        await me.saved(resource="assets", name=name)
    await me.saved(resource="invoices", name="overdue")
    await colleague.saved(resource="assets", name="Colleague's")

    assert await me.names(resource="assets") == ["alpha", "middle", "zebra"]
    assert await me.names(resource="invoices") == ["overdue"]
    assert await me.names() == ["alpha", "middle", "overdue", "zebra"]
    assert await me.names(resource="employees") == []
    assert await colleague.names() == ["Colleague's"]
    # The standard paging.
    page = await me.client.get(VIEWS, params={"resource": "assets", "limit": 2}, headers=me.headers)
    assert page.json()["total"] == 3
    assert [v["name"] for v in page.json()["items"]] == ["alpha", "middle"]
    assert page.json()["next_cursor"]
    rest = await me.client.get(
        VIEWS,
        params={"resource": "assets", "limit": 2, "cursor": page.json()["next_cursor"]},
        headers=me.headers,
    )
    assert [v["name"] for v in rest.json()["items"]] == ["zebra"]


async def test_a_name_is_unique_per_person_and_list_whatever_its_case(
    people: tuple[Person, Person],
) -> None:
    me, colleague = people
    await me.saved(resource="assets", name="My View")

    duplicate = await me.save(resource="assets", name="  my view ")
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.json()["code"] == "duplicate_view_name"
    # Another list, or another person: the same name is fine.
    await me.saved(resource="invoices", name="My View")
    await colleague.saved(resource="assets", name="My View")


async def test_put_replaces_the_whole_view_and_refuses_a_taken_name(
    people: tuple[Person, Person],
) -> None:
    me, _ = people
    view = await me.saved(name="Old", filters={"status": "assigned"}, sort="name", columns=["name"])
    await me.saved(name="Taken")

    replaced = await me.client.put(
        f"{VIEWS}/{view['id']}",
        json={"name": "New", "filters": {"currency": "EUR"}},
        headers=me.headers,
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert (body["id"], body["resource"], body["name"]) == (view["id"], "assets", "New")
    assert (body["filters"], body["sort"], body["columns"]) == ({"currency": "EUR"}, None, None)
    assert await me.names() == ["New", "Taken"]
    # Its own name in another case is fine; another view's is not.
    renamed = await me.client.put(f"{VIEWS}/{view['id']}", json={"name": "NEW"}, headers=me.headers)
    assert renamed.status_code == 200, renamed.text
    taken = await me.client.put(f"{VIEWS}/{view['id']}", json={"name": "taken"}, headers=me.headers)
    assert taken.status_code == 409
    assert taken.json()["code"] == "duplicate_view_name"
    # The view may be sent back whole, its list included; but the list cannot change.
    whole = await me.client.put(
        f"{VIEWS}/{view['id']}",
        json={"resource": "assets", "name": "New", "filters": {}, "sort": None, "columns": None},
        headers=me.headers,
    )
    assert whole.status_code == 200, whole.text
    moved = await me.client.put(
        f"{VIEWS}/{view['id']}", json={"name": "X", "resource": "invoices"}, headers=me.headers
    )
    assert fields_of(moved) == ["resource"]
    assert (await me.client.get(f"{VIEWS}/{view['id']}", headers=me.headers)).json()[
        "name"
    ] == "New"


async def test_delete_removes_the_view(people: tuple[Person, Person]) -> None:
    me, _ = people
    view = await me.saved(name="Temporary")

    deleted = await me.client.delete(f"{VIEWS}/{view['id']}", headers=me.headers)

    assert deleted.status_code == 204
    assert await me.names() == []
    again = await me.client.delete(f"{VIEWS}/{view['id']}", headers=me.headers)
    assert again.status_code == 404


async def test_someone_elses_view_is_not_found_for_every_operation(
    people: tuple[Person, Person], admin: dict[str, str], tokens: TokenFactory, make: Factory
) -> None:
    me, colleague = people
    view = await colleague.saved(name="Private", filters={"q": "secret"})
    path = f"{VIEWS}/{view['id']}"
    # Even an admin, signed in as an employee of their own.
    boss = await make.employee(roles=["admin"])
    as_boss = tokens.headers("admin", employee_id=boss["id"])

    for headers in (me.headers, as_boss):
        read = await me.client.get(path, headers=headers)
        replaced = await me.client.put(path, json={"name": "Mine now"}, headers=headers)
        deleted = await me.client.delete(path, headers=headers)
        for response in (read, replaced, deleted):
            assert response.status_code == 404, response.text
            assert response.json()["code"] == "saved_view_not_found"
    assert await colleague.names() == ["Private"]
    assert (await colleague.client.get(path, headers=colleague.headers)).json()["name"] == "Private"


async def test_a_login_without_an_employee_record_has_no_views(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    listed = await client.get(VIEWS, headers=admin)
    assert listed.status_code == 403
    assert listed.json()["code"] == "no_employee_record"
    saved = await client.post(VIEWS, json={"resource": "assets", "name": "x"}, headers=admin)
    assert saved.status_code == 403
    assert (await client.get(VIEWS)).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"resource": "payments"}, "resource"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"filters": {"Bad-Key": "1"}}, "filters.Bad-Key.[key]"),
        ({"filters": {"k" * 41: "1"}}, f"filters.{'k' * 41}.[key]"),
        ({"filters": {"q": "x" * 501}}, "filters.q"),
        ({"filters": {"q": 5}}, "filters.q"),
        (
            {"filters": {f"f_{chr(97 + i // 26)}{chr(97 + i % 26)}": "1" for i in range(31)}},
            "filters",
        ),
        ({"filters": ["q"]}, "filters"),
        ({"sort": "s" * 61}, "sort"),
        ({"columns": ["name", "Bad Column"]}, "columns.1"),
        ({"columns": [f"c_{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(41)]}, "columns"),
        ({"owner_employee_id": 1}, "owner_employee_id"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    people: tuple[Person, Person], change: dict[str, Any], field: str
) -> None:
    me, _ = people
    assert fields_of(await me.save(**change)) == [field]
    assert await me.names() == []


async def test_30_filters_and_40_columns_are_accepted(people: tuple[Person, Person]) -> None:
    me, _ = people
    filters = {f"f_{chr(97 + i // 26)}{chr(97 + i % 26)}": "v" * 500 for i in range(30)}
    columns = [f"c_{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(40)]

    view = await me.saved(name="Wide", filters=filters, columns=columns, sort="s" * 60)

    assert view["filters"] == filters
    assert view["columns"] == columns
