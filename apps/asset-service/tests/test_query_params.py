"""A mistyped query parameter is a 422 naming it, not a filter silently dropped."""

import httpx

from .conftest import API, Factory

ASSETS = f"{API}/assets"


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


async def test_a_typo_in_a_list_filter_is_refused_instead_of_listing_every_asset(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.asset()
    disposed = await make.dispose(await make.asset())

    typo = await client.get(ASSETS, params={"stauts": "disposed"}, headers=manager)

    assert unknown(typo) == ["stauts"]
    right = await client.get(ASSETS, params={"status": "disposed"}, headers=manager)
    assert right.status_code == 200, right.text
    assert [asset["id"] for asset in right.json()["items"]] == [disposed["id"]]


async def test_a_typo_in_an_export_filter_exports_nothing(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    await make.asset()

    response = await client.get(
        f"{ASSETS}/export", params={"stauts": "disposed", "categry_id": 1}, headers=manager
    )

    assert unknown(response) == ["stauts", "categry_id"]
    assert not response.headers["content-type"].startswith("text/csv")


async def test_reports_and_nested_lists_refuse_unknown_parameters(
    client: httpx.AsyncClient, manager: dict[str, str], make: Factory
) -> None:
    asset = await make.asset()
    book_value = f"{ASSETS}/{asset['id']}/book-value"
    assert unknown(await client.get(f"{book_value}?att=2024-06-30", headers=manager)) == ["att"]
    assert (await client.get(f"{book_value}?at=2024-06-30", headers=manager)).status_code == 200
    due = f"{API}/maintenance/due"
    assert unknown(await client.get(f"{due}?befor=2030-01-01", headers=manager)) == ["befor"]
    assert (await client.get(f"{due}?before=2030-01-01", headers=manager)).status_code == 200
    history = f"{ASSETS}/{asset['id']}/history"
    assert unknown(await client.get(f"{history}?limt=1", headers=manager)) == ["limt"]
    assert unknown(await client.get(f"{API}/assets/summary?at=2024-01-01", headers=manager)) == [
        "at"
    ]
