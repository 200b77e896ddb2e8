"""Every role but employee reads the dashboard; no token is 401, a bad one too."""

from collections.abc import Callable

import httpx
import pytest

from tb_platform.testing import TokenFactory

from .conftest import SUMMARY


@pytest.mark.parametrize("role", ["admin", "hr_manager", "asset_manager", "accountant"])
async def test_every_role_but_employee_reads_the_summary(
    client: httpx.AsyncClient, tokens_for: Callable[[str], dict[str, str]], role: str
) -> None:
    response = await client.get(SUMMARY, headers=tokens_for(role))
    assert response.status_code == 200, response.text


async def test_an_employee_is_forbidden(
    client: httpx.AsyncClient, tokens_for: Callable[[str], dict[str, str]]
) -> None:
    response = await client.get(SUMMARY, headers=tokens_for("employee"))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_an_employee_who_is_also_a_manager_may_read(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    headers = tokens.headers("employee", "hr_manager", employee_id=7)
    assert (await client.get(SUMMARY, headers=headers)).status_code == 200


async def test_without_a_valid_token_the_answer_is_401(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    assert (await client.get(SUMMARY)).status_code == 401
    forged = tokens.token(roles=["admin"], secret="another-secret-that-is-long-enough-0123456789")
    response = await client.get(SUMMARY, headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_an_unknown_query_parameter_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(SUMMARY, params={"month": "2026-03"}, headers=admin)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["month"]
