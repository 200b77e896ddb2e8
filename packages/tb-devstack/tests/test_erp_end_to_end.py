"""The whole ERP as `up` runs it — five services, their workers, Redis and the SMTP sink — used as
a person would: events must carry every change to the services that depend on it.

One stack for the module (starting it takes a while); each test leaves the demo data usable.
"""

from __future__ import annotations

import email
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from erp_stack import (
    ASSETS,
    DASHBOARD,
    EMPLOYEES,
    INVOICES,
    NOTIFICATIONS,
    eventually,
    login,
    running_erp,
    url,
)

from tb_devstack.stack import DevStack


@pytest.fixture(scope="module")
def erp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with running_erp(tmp_path_factory.mktemp("erp")) as stack:
        yield stack


def mails(root: Path) -> list[Message]:
    new = root / ".data" / "smtp-sink" / "new"
    return [email.message_from_bytes(path.read_bytes()) for path in sorted(new.glob("*"))]


def test_paying_an_invoice_in_full_sends_one_receipt_and_moves_the_dashboard(
    erp: DevStack,
) -> None:
    accountant = login(erp, "accountant")
    invoices, dashboard = url(erp, INVOICES), url(erp, DASHBOARD)

    def collected_this_month() -> dict[str, str]:
        summary = httpx.get(dashboard + "/api/v1/dashboard/summary", headers=accountant).json()
        month = time.strftime("%Y-%m", time.gmtime())
        return {
            row["currency"]: row["collected"]
            for row in summary["invoices"]["by_month"]
            if row["month"] == month
        }

    before = collected_this_month().get("CHF", "0")
    customer = httpx.post(
        invoices + "/api/v1/customers",
        json={"name": "Uhrwerk AG", "email": "buchhaltung@uhrwerk.example", "currency": "CHF"},
        headers=accountant,
    ).json()
    invoice = httpx.post(
        invoices + "/api/v1/invoices",
        json={
            "customer_id": customer["id"],
            "lines": [{"description": "Service", "quantity": 1, "unit_price": "250.00"}],
        },
        headers=accountant,
    ).json()
    issued = httpx.post(invoices + f"/api/v1/invoices/{invoice['id']}/issue", headers=accountant)
    assert issued.status_code == 200, issued.text
    for amount in ("100.00", "150.00"):  # the second payment settles it
        paid = httpx.post(
            invoices + f"/api/v1/invoices/{invoice['id']}/payments",
            json={"amount": amount, "method": "bank_transfer"},
            headers=accountant,
        )
        assert paid.status_code == 201, paid.text

    number = issued.json()["number"]
    receipts = eventually(
        lambda: [m for m in mails(erp.root) if number in str(m["Subject"])], within=15
    )
    assert len(receipts) == 1
    (receipt,) = receipts
    assert receipt["To"] == "buchhaltung@uhrwerk.example"
    assert [part.get_content_type() for part in receipt.walk()].count("application/pdf") == 1
    assert eventually(lambda: collected_this_month().get("CHF") == _plus(before, "250.00"))

    # A settled invoice takes no more money, and nothing else is sent for it.
    again = httpx.post(
        invoices + f"/api/v1/invoices/{invoice['id']}/payments",
        json={"amount": "1.00", "method": "cash"},
        headers=accountant,
    )
    assert again.status_code == 422
    time.sleep(1.5)
    assert len([m for m in mails(erp.root) if number in str(m["Subject"])]) == 1
    listed = httpx.get(
        url(erp, NOTIFICATIONS) + "/api/v1/notifications",
        params={"invoice_id": invoice["id"]},
        headers=accountant,
    ).json()
    assert [(n["status"], n["attempts"]) for n in listed["items"]] == [("sent", 1)]


def _plus(amount: str, more: str) -> str:
    return str(Decimal(amount) + Decimal(more))


def test_terminating_an_employee_hands_their_assets_back_and_updates_the_headcount(
    erp: DevStack,
) -> None:
    hr, admin = login(erp, "hr_manager"), login(erp, "admin")
    employees, assets, dashboard = url(erp, EMPLOYEES), url(erp, ASSETS), url(erp, DASHBOARD)

    def headcount() -> int:
        summary = httpx.get(dashboard + "/api/v1/dashboard/summary", headers=admin).json()
        return int(summary["headcount"]["total"])

    before = headcount()
    person = httpx.post(
        employees + "/api/v1/employees",
        json={"first_name": "Lea", "last_name": "Leaving", "email": "lea@tb-erp.example"},
        headers=hr,
    ).json()
    eventually(lambda: headcount() == before + 1)
    # Hired a moment ago: assignable at once, before any event could have told the asset service.
    stock = httpx.get(
        assets + "/api/v1/assets", params={"status": "in_stock", "limit": 3}, headers=admin
    ).json()["items"]
    assert len(stock) == 3
    for asset in stock:
        assigned = httpx.post(
            assets + f"/api/v1/assets/{asset['id']}/assign",
            json={"employee_id": person["id"]},
            headers=admin,
        )
        assert assigned.status_code == 200, assigned.text

    gone = httpx.delete(employees + f"/api/v1/employees/{person['id']}", headers=hr)
    assert gone.status_code == 204

    def held() -> list[dict[str, Any]]:
        return httpx.get(
            assets + "/api/v1/assets",
            params={"assigned_employee_id": person["id"]},
            headers=admin,
        ).json()["items"]

    eventually(lambda: held() == [], within=10)
    for asset in stock:
        back = httpx.get(assets + f"/api/v1/assets/{asset['id']}", headers=admin).json()
        assert back["status"] == "in_stock"
        history = httpx.get(assets + f"/api/v1/assets/{asset['id']}/history", headers=admin).json()[
            "items"
        ]
        (theirs,) = [entry for entry in history if entry["employee_id"] == person["id"]]
        assert theirs["return_reason"] == "employee terminated"
        assert theirs["returned_at"] is not None
    eventually(lambda: headcount() == before)
    refused = httpx.post(
        assets + f"/api/v1/assets/{stock[0]['id']}/assign",
        json={"employee_id": person["id"]},
        headers=admin,
    )
    assert refused.status_code == 422


def test_a_terminated_employees_token_is_refused_by_every_service_within_a_second(
    erp: DevStack,
) -> None:
    admin = login(erp, "admin")
    employees = url(erp, EMPLOYEES)
    person = httpx.post(
        employees + "/api/v1/employees",
        json={
            "first_name": "Rex",
            "last_name": "Revoked",
            "email": "rex@tb-erp.example",
            "password": "revoked-at-once-2027",
            "roles": ["admin"],
        },
        headers=admin,
    ).json()
    signed_in = httpx.post(
        employees + "/api/v1/auth/login",
        json={"email": "rex@tb-erp.example", "password": "revoked-at-once-2027"},
    )
    assert signed_in.status_code == 200, signed_in.text
    theirs = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    reads = {
        EMPLOYEES: "/api/v1/employees/me",
        ASSETS: "/api/v1/assets?limit=1",
        INVOICES: "/api/v1/invoices?limit=1",
        DASHBOARD: "/api/v1/dashboard/summary",
        NOTIFICATIONS: "/api/v1/notifications?limit=1",
    }
    for service, path in reads.items():
        answer = httpx.get(url(erp, service) + path, headers=theirs)
        assert answer.status_code == 200, (service, answer.text)

    gone = httpx.delete(employees + f"/api/v1/employees/{person['id']}", headers=admin)
    assert gone.status_code == 204
    terminated = time.monotonic()

    def last_acceptance(service: str) -> float:
        # Asked by every service at once until it refuses: how long after the termination the
        # last request it still ACCEPTED was sent (0 when it refused at once). Measured at the
        # sending, so a slow answer on a loaded machine does not count against the service.
        accepted_at = 0.0
        with httpx.Client(base_url=url(erp, service), headers=theirs) as http:
            while True:
                sent = time.monotonic()
                answer = http.get(reads[service])
                if answer.status_code == 401:
                    assert answer.json()["code"] == "token_revoked", (service, answer.text)
                    return accepted_at
                assert answer.status_code == 200, (service, answer.text)
                accepted_at = sent - terminated
                assert accepted_at < 5.0, f"{service} still accepts the token"
                time.sleep(0.02)

    with ThreadPoolExecutor(max_workers=len(reads)) as pool:
        accepted_until = dict(zip(reads, pool.map(last_acceptance, reads), strict=True))
    # No service accepted the token in a request sent a second or more after the termination.
    assert max(accepted_until.values()) < 1.0, accepted_until
    # And it stays refused: the token is dead for good.
    for service, path in reads.items():
        assert httpx.get(url(erp, service) + path, headers=theirs).status_code == 401
