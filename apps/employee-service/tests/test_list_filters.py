"""A filter on every column of the employee list: email, role and hire dates."""

from typing import Any

import httpx
import pytest

from .conftest import Factory
from .test_employees import fields_of

API = "/api/v1/employees"


async def test_the_list_filters_on_email_role_and_hire_date(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    department = await make.department()
    people = {
        "ada": await make.employee(
            email="Ada.Lovelace@Example.test",
            hire_date="2024-01-15",
            roles=["accountant", "employee"],
            department_id=department["id"],
        ),
        "alan": await make.employee(
            email="alan@tb-erp.test", hire_date="2024-03-31", department_id=department["id"]
        ),
        "grace": await make.employee(
            email="grace_h@tb-erp.test",
            hire_date="2024-04-01",
            roles=["hr_manager"],
            department_id=department["id"],
        ),
    }

    async def names(**params: Any) -> set[str]:
        response = await client.get(
            API, params={"department_id": department["id"], **params}, headers=hr
        )
        assert response.status_code == 200, (params, response.text)
        found = {e["id"] for e in response.json()["items"]}
        assert response.json()["total"] == len(found)
        return {name for name, person in people.items() if person["id"] in found}

    assert await names(email="example.TEST") == {"ada"}  # contains, any case
    assert await names(email="tb-erp") == {"alan", "grace"}
    assert await names(email="_") == {"grace"}  # a literal underscore, not a wildcard
    assert await names(role="accountant") == {"ada"}
    assert await names(role="employee") == {"ada", "alan"}
    assert await names(role="admin") == set()
    assert await names(hired_from="2024-03-31") == {"alan", "grace"}  # inclusive
    assert await names(hired_to="2024-03-31") == {"ada", "alan"}  # inclusive
    assert await names(hired_from="2024-01-15", hired_to="2024-01-15") == {"ada"}
    assert await names(role="employee", hired_from="2024-02-01", email="alan") == {"alan"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "root"}, "role"),
        ({"email": "x" * 201}, "email"),
        ({"email": "a\x00b"}, "email"),
        ({"hired_from": "2024-02-30"}, "hired_from"),
        ({"hired_to": "soon"}, "hired_to"),
        ({"hired_from": "2024-05-01", "hired_to": "2024-04-01"}, "hired_from"),
        ({"ids": "1,,2"}, "ids"),
    ],
)
async def test_a_bad_filter_value_is_a_422_naming_the_parameter(
    client: httpx.AsyncClient, hr: dict[str, str], params: dict[str, Any], field: str
) -> None:
    assert fields_of(await client.get(API, params=params, headers=hr)) == [field]
