"""A mistyped query parameter is a 422 naming it, not a filter silently dropped."""

import httpx

from .conftest import Factory

API = "/api/v1"


def unknown(response: httpx.Response) -> list[str]:
    """The query parameters a 422 names as unknown (in the shared error shape)."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_error", body
    for error in body["detail"]:
        assert error["type"] == "extra_forbidden", error
        assert error["loc"] == ["query", error["field"]], error
        assert error["msg"].startswith(f"Unknown query parameter {error['field']!r}"), error
    return [error["field"] for error in body["detail"]]


async def test_a_typo_in_a_list_filter_is_refused_instead_of_listing_everyone(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    department = await make.department()
    member = await make.employee(department_id=department["id"])
    await make.employee()

    typo = await client.get(
        f"{API}/employees", params={"departement_id": department["id"]}, headers=hr
    )

    assert unknown(typo) == ["departement_id"]
    right = await client.get(
        f"{API}/employees", params={"department_id": department["id"]}, headers=hr
    )
    assert right.status_code == 200, right.text
    assert [employee["id"] for employee in right.json()["items"]] == [member["id"]]
    batch = await client.get(f"{API}/employees", params={"ids": str(member["id"])}, headers=hr)
    assert [employee["id"] for employee in batch.json()["items"]] == [member["id"]]


async def test_attendance_ranges_and_summaries_refuse_unknown_parameters(
    client: httpx.AsyncClient, hr: dict[str, str]
) -> None:
    attendance = f"{API}/attendance"
    # ``date_from`` is only the Python name of ``from``: a client using it would filter nothing.
    response = await client.get(f"{attendance}?date_from=2025-01-01&too=2025-01-31", headers=hr)
    assert unknown(response) == ["date_from", "too"]
    ok = await client.get(f"{attendance}?from=2025-01-01&to=2025-01-31", headers=hr)
    assert ok.status_code == 200, ok.text
    summary = f"{attendance}/summary?month=2025-01&employe_id=1"
    assert unknown(await client.get(summary, headers=hr)) == ["employe_id"]
    departments = f"{API}/departments?parentid=1"
    assert unknown(await client.get(departments, headers=hr)) == ["parentid"]
