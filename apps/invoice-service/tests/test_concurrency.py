"""Concurrent requests with real commits: numbering, payments, credits and idempotency keys.

These tests use ``committed_client`` (the app's own sessionmaker), so every request runs in its
own transaction on its own connection and ``asyncio.gather`` really races them. The rows stay in
this run's throw-away database: the tests use a customer of their own, EUR only, and compare
numbers relative to what existed before.
"""

import asyncio
from decimal import Decimal
from typing import Any

import httpx

from .conftest import CREDIT_NOTE_NUMBER, INVOICES, Factory, line, money, number_of

YEAR = 2013  # a year no other test issues invoices in


async def _max_number(client: httpx.AsyncClient, admin: dict[str, str], year: int) -> int:
    """The highest invoice number of ``year`` issued so far (0 when none)."""
    numbers = [0]
    params: dict[str, Any] = {
        "issued_from": f"{year}-01-01",
        "issued_to": f"{year}-12-31",
        "limit": 200,
    }
    while True:
        response = await client.get(INVOICES, params=params, headers=admin)
        assert response.status_code == 200, response.text
        for invoice in response.json()["items"]:
            if invoice["number"]:
                numbers.append(number_of(invoice)[1])
        cursor = response.json()["next_cursor"]
        if not cursor:
            return max(numbers)
        params = {**params, "cursor": cursor}
        params.pop("offset", None)


async def test_twenty_parallel_issues_get_consecutive_numbers(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Parallel Issues", currency="EUR")
    drafts = [
        await make_committed.draft(customer, issue_date=f"{YEAR}-05-{n % 28 + 1:02d}")
        for n in range(20)
    ]
    before = await _max_number(committed_client, admin, YEAR)

    responses = await asyncio.gather(
        *(committed_client.post(f"{INVOICES}/{d['id']}/issue", headers=admin) for d in drafts)
    )

    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    numbers = sorted(number_of(r.json())[1] for r in responses)
    assert {number_of(r.json())[0] for r in responses} == {YEAR}
    assert numbers == list(range(before + 1, before + 21))
    assert await _max_number(committed_client, admin, YEAR) == before + 20


async def test_issuing_the_same_draft_twice_at_once_numbers_it_once(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Double Issue", currency="EUR")
    draft = await make_committed.draft(customer, issue_date=f"{YEAR}-07-01")
    before = await _max_number(committed_client, admin, YEAR)

    responses = await asyncio.gather(
        *(committed_client.post(f"{INVOICES}/{draft['id']}/issue", headers=admin) for _ in range(5))
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409, 409, 409, 409], [r.text for r in responses]
    issued = await make_committed.get(draft["id"])
    assert number_of(issued) == (YEAR, before + 1)
    assert await _max_number(committed_client, admin, YEAR) == before + 1


async def test_deleted_drafts_and_refused_issues_leave_no_gap(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="No Gaps", currency="EUR")
    first = await make_committed.draft(customer, issue_date=f"{YEAR}-08-01")
    doomed = await make_committed.draft(customer, issue_date=f"{YEAR}-08-02")
    empty = await make_committed.draft(customer, issue_date=f"{YEAR}-08-03", lines=[])
    last = await make_committed.draft(customer, issue_date=f"{YEAR}-08-04")
    before = await _max_number(committed_client, admin, YEAR)

    one = await make_committed.issue(first["id"])
    deleted = await committed_client.delete(f"{INVOICES}/{doomed['id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    refused = await committed_client.post(f"{INVOICES}/{empty['id']}/issue", headers=admin)
    assert refused.status_code == 409, refused.text
    again = await committed_client.post(f"{INVOICES}/{one['id']}/issue", headers=admin)
    assert again.status_code == 409, again.text
    two = await make_committed.issue(last["id"])

    assert number_of(one) == (YEAR, before + 1)
    assert number_of(two) == (YEAR, before + 2)


async def test_parallel_payments_never_exceed_the_total(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Parallel Payer", currency="EUR")
    invoice = await make_committed.issued(customer, lines=[line("1", "100.00")])
    url = f"{INVOICES}/{invoice['id']}/payments"

    responses = await asyncio.gather(
        *(
            committed_client.post(url, json={"amount": "30.00", "method": "card"}, headers=admin)
            for _ in range(10)
        )
    )

    codes = [r.status_code for r in responses]
    assert codes.count(201) == 3, [r.text for r in responses]
    assert all(code in (201, 409, 422) for code in codes), [r.text for r in responses]
    after = await make_committed.get(invoice["id"])
    assert after["amount_paid"] == "90.00"
    assert after["balance_due"] == "10.00"
    assert after["status"] == "partially_paid"
    assert len(after["payments"]) == 3


async def test_parallel_payments_of_the_exact_balance_pay_it_once(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Exact Payer", currency="EUR")
    invoice = await make_committed.issued(customer, lines=[line("1", "75.50")])
    url = f"{INVOICES}/{invoice['id']}/payments"

    responses = await asyncio.gather(
        *(
            committed_client.post(url, json={"amount": "75.50", "method": "cash"}, headers=admin)
            for _ in range(8)
        )
    )

    assert sorted(r.status_code for r in responses)[0] == 201
    assert [r.status_code for r in responses].count(201) == 1, [r.text for r in responses]
    after = await make_committed.get(invoice["id"])
    assert (after["status"], after["amount_paid"], after["balance_due"]) == (
        "paid",
        "75.50",
        "0.00",
    )


async def test_the_same_idempotency_key_in_parallel_records_one_payment(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Impatient Retrier", currency="EUR")
    invoice = await make_committed.issued(customer, lines=[line("1", "100.00")])
    url = f"{INVOICES}/{invoice['id']}/payments"
    headers = {**admin, "Idempotency-Key": f"parallel-{invoice['id']}"}
    body = {"amount": "20.00", "method": "bank_transfer", "reference": "same"}

    responses = await asyncio.gather(
        *(committed_client.post(url, json=body, headers=headers) for _ in range(8))
    )

    codes = [r.status_code for r in responses]
    assert 201 in codes, [r.text for r in responses]
    # A request racing the first may be told to retry (409), but never a 500 or a second row.
    assert all(code in (201, 409) for code in codes), [r.text for r in responses]
    assert len({r.json()["id"] for r in responses if r.status_code == 201}) == 1
    after = await make_committed.get(invoice["id"])
    assert after["amount_paid"] == "20.00"
    assert len(after["payments"]) == 1
    retry = await committed_client.post(url, json=body, headers=headers)
    assert retry.status_code == 201, retry.text
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json()["id"] == after["payments"][0]["id"]


async def test_parallel_credit_notes_never_exceed_the_creditable_amount(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Parallel Credits", currency="EUR")
    invoice = await make_committed.issued(customer, lines=[line("1", "100.00")])
    url = f"{INVOICES}/{invoice['id']}/credit-notes"

    responses = await asyncio.gather(
        *(
            committed_client.post(
                url, json={"reason": "r", "amount": "30.00", "tax_rate": "0"}, headers=admin
            )
            for _ in range(10)
        )
    )

    codes = [r.status_code for r in responses]
    assert codes.count(201) == 3, [r.text for r in responses]
    assert all(code in (201, 409, 422) for code in codes), [r.text for r in responses]
    notes = [r.json() for r in responses if r.status_code == 201]
    numbers = sorted(number_of(n, CREDIT_NOTE_NUMBER)[1] for n in notes)
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    after = await make_committed.get(invoice["id"])
    assert after["credited_total"] == "90.00"
    assert after["balance_due"] == "10.00"


async def test_a_payment_racing_a_void_never_lands_on_a_void_invoice(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Void Race", currency="EUR")
    for _ in range(5):
        invoice = await make_committed.issued(customer, lines=[line("1", "50.00")])
        void, pay = await asyncio.gather(
            committed_client.post(
                f"{INVOICES}/{invoice['id']}/void", json={"reason": "race"}, headers=admin
            ),
            committed_client.post(
                f"{INVOICES}/{invoice['id']}/payments",
                json={"amount": "10.00", "method": "cash"},
                headers=admin,
            ),
        )
        assert sorted([void.status_code, pay.status_code]) in ([200, 409], [201, 409]), (
            void.text,
            pay.text,
        )
        after = await make_committed.get(invoice["id"])
        if void.status_code == 200:
            assert (after["status"], after["payments"]) == ("void", [])
        else:
            assert (after["status"], money(after["amount_paid"])) == (
                "partially_paid",
                Decimal(10),
            )


async def test_editing_a_draft_while_it_is_issued_keeps_lines_totals_and_tax_records_in_step(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Edit Race", currency="EUR")
    new_lines = [line("3", "7.77", tax_rate="19"), line("1", "5.00", tax_rate="7")]
    for day in range(1, 6):
        issue_date = f"2014-03-{day:02d}"
        draft = await make_committed.draft(
            customer, issue_date=issue_date, lines=[line("1", "100.00", tax_rate="19")]
        )
        patch, issue = await asyncio.gather(
            committed_client.patch(
                f"{INVOICES}/{draft['id']}", json={"lines": new_lines}, headers=admin
            ),
            committed_client.post(f"{INVOICES}/{draft['id']}/issue", headers=admin),
        )
        assert issue.status_code == 200, issue.text
        assert patch.status_code in (200, 409), patch.text
        after = await make_committed.get(draft["id"])
        assert after["status"] == "issued"
        assert money(after["total"]) == sum(money(r["total"]) for r in after["lines"])
        if patch.status_code == 200:
            assert len(after["lines"]) == 2
        taxes = await committed_client.get(
            "/api/v1/tax-records", params={"from": issue_date, "to": issue_date}, headers=admin
        )
        assert taxes.status_code == 200, taxes.text
        recorded = {
            Decimal(r["tax_rate"]): (money(r["taxable_amount"]), money(r["tax_amount"]))
            for r in taxes.json()["items"]
            if r["currency"] == "EUR"
        }
        expected: dict[Decimal, tuple[Decimal, Decimal]] = {}
        for row in after["lines"]:
            rate = Decimal(row["tax_rate"])
            net, tax = expected.get(rate, (Decimal(0), Decimal(0)))
            expected[rate] = (net + money(row["net_amount"]), tax + money(row["tax_amount"]))
        assert recorded == expected


async def test_a_payment_and_a_credit_at_once_never_leave_a_negative_balance(
    committed_client: httpx.AsyncClient, admin: dict[str, str], make_committed: Factory
) -> None:
    customer = await make_committed.customer(name="Pay Credit Race", currency="EUR")
    for _ in range(5):
        invoice = await make_committed.issued(customer, lines=[line("1", "100.00")])
        pay, credit = await asyncio.gather(
            committed_client.post(
                f"{INVOICES}/{invoice['id']}/payments",
                json={"amount": "100.00", "method": "card"},
                headers=admin,
            ),
            committed_client.post(
                f"{INVOICES}/{invoice['id']}/credit-notes",
                json={"reason": "r", "amount": "100.00", "tax_rate": "0"},
                headers=admin,
            ),
        )
        assert credit.status_code == 201, credit.text
        assert pay.status_code in (201, 422), pay.text
        after = await make_committed.get(invoice["id"])
        assert after["status"] == "paid"
        assert (after["credited_total"], after["balance_due"], after["amount_paid"]) == (
            "100.00",
            "0.00",
            "0.00",
        )
        refund = "100.00" if pay.status_code == 201 else "0.00"
        assert credit.json()["refund_amount"] == refund


async def test_customers_created_at_once_with_one_tax_id_leave_one_customer(
    committed_client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    bodies = [
        {"name": f"Racing Twin {n}", "tax_id": spelling}
        for n, spelling in enumerate(["NL 8594 52 109 B01", "nl859452109b01"] * 5)
    ]

    responses = await asyncio.gather(
        *(committed_client.post("/api/v1/customers", json=body, headers=admin) for body in bodies)
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 9, [r.text for r in responses]
    [winner] = [r.json() for r in responses if r.status_code == 201]
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["code"] == "duplicate_tax_id", refused.text
        assert refused.json()["existing_customer"] == {"id": winner["id"], "name": winner["name"]}
    listed = await committed_client.get(
        "/api/v1/customers", params={"q": "Racing Twin"}, headers=admin
    )
    assert listed.json()["total"] == 1
