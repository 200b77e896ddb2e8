"""The invoice service's audit trail: state changes, statement deletes, who may read it."""

from typing import Any

import httpx
from fastapi import FastAPI

from invoice_service.db.events import AUDIT
from tb_platform.audit import verify_chain
from tb_platform.testing import TokenFactory

from .conftest import INVOICES, Factory

AUDIT_URL = "/api/v1/audit"


async def _entries(client: httpx.AsyncClient, headers: dict[str, str], **filters: Any) -> list[Any]:
    response = await client.get(AUDIT_URL, params=filters, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_issuing_an_invoice_is_a_state_change_on_record(
    client: httpx.AsyncClient, make: Factory, accountant: dict[str, str]
) -> None:
    invoice = await make.issued()

    entries = await _entries(client, accountant, entity="invoices", entity_id=str(invoice["id"]))
    actions = [entry["action"] for entry in entries]
    assert actions[-1] == "create"
    [issued] = [entry for entry in entries if entry["action"] == "state_change"]
    assert issued["before"]["status"] == "draft"
    assert issued["after"]["status"] == "issued"
    assert issued["actor_sub"] == "admin-tests"


async def test_deleting_a_draft_by_statement_is_recorded_with_its_values(
    client: httpx.AsyncClient, make: Factory, admin: dict[str, str], app: FastAPI
) -> None:
    draft = await make.draft()
    deleted = await client.delete(f"{INVOICES}/{draft['id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text

    latest = (await _entries(client, admin, entity="invoices", entity_id=str(draft["id"])))[0]
    assert latest["action"] == "delete"
    assert latest["before"]["id"] == draft["id"]
    assert latest["after"] is None
    report = await verify_chain(app.state.database, AUDIT)
    assert report.ok, report


async def test_admins_and_accountants_read_the_audit_log_others_do_not(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    for role in ("admin", "accountant"):
        assert (await client.get(AUDIT_URL, headers=tokens.headers(role))).status_code == 200
    for role in ("hr_manager", "asset_manager", "employee"):
        response = await client.get(AUDIT_URL, headers=tokens.headers(role, employee_id=1))
        assert response.status_code == 403, role
