"""Invoices: drafts with lines, the line arithmetic, editing drafts, issuing, lists and overdue."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from tb_platform.uow import FrozenClock

from .conftest import (
    INVOICE_NUMBER,
    INVOICES,
    Factory,
    expected_line,
    line,
    money,
    number_of,
)

MONEY_FIELDS = ("subtotal", "tax_total", "total", "amount_paid", "credited_total", "balance_due")
LINE_MONEY_FIELDS = ("unit_price", "net_amount", "tax_amount", "total")


def assert_totals_are_sums_of_lines(invoice: dict[str, Any]) -> None:
    for field in MONEY_FIELDS:
        money(invoice[field])
    for row in invoice["lines"]:
        for field in LINE_MONEY_FIELDS:
            money(row[field])
        assert money(row["total"]) == money(row["net_amount"]) + money(row["tax_amount"])
    assert money(invoice["subtotal"]) == sum(money(r["net_amount"]) for r in invoice["lines"])
    assert money(invoice["tax_total"]) == sum(money(r["tax_amount"]) for r in invoice["lines"])
    assert money(invoice["total"]) == sum(money(r["total"]) for r in invoice["lines"])


async def test_an_accountant_drafts_an_invoice_with_its_lines_in_one_call(
    client: httpx.AsyncClient, accountant: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(name="Draft Customer", currency="GBP", payment_terms_days=14)
    lines = [
        line("2", "150.00", description="Design work", tax_rate="20"),
        line("3", "19.99", description="Licences", discount_percent="15", tax_rate="7"),
        line("1", "0.00", description="Free setup"),
    ]
    body = {
        "customer_id": customer["id"],
        "issue_date": "2025-06-02",
        "notes": "Thank you",
        "employee_id": 42,
        "lines": lines,
    }
    created = await client.post(INVOICES, json=body, headers=accountant)

    assert created.status_code == 201, created.text
    invoice = created.json()
    assert invoice["status"] == "draft"
    assert invoice["number"] is None
    assert invoice["is_overdue"] is False
    assert invoice["customer_id"] == customer["id"]
    assert invoice["customer_name"] == "Draft Customer"
    assert invoice["currency"] == "GBP"  # the customer's
    assert invoice["issue_date"] == "2025-06-02"
    assert invoice["due_date"] == "2025-06-16"  # + the customer's 14 days
    assert invoice["notes"] == "Thank you"
    assert invoice["employee_id"] == 42
    assert invoice["issued_at"] is None
    assert invoice["voided_at"] is None
    assert [r["description"] for r in invoice["lines"]] == [
        "Design work",
        "Licences",
        "Free setup",
    ]
    positions = [r["position"] for r in invoice["lines"]]
    assert positions == sorted(positions)
    assert len(set(positions)) == 3
    for sent, row in zip(lines, invoice["lines"], strict=True):
        net, tax, total = expected_line(
            sent["quantity"],
            sent["unit_price"],
            sent.get("discount_percent", 0),
            sent.get("tax_rate", 0),
        )
        assert (money(row["net_amount"]), money(row["tax_amount"]), money(row["total"])) == (
            net,
            tax,
            total,
        )
        assert Decimal(row["quantity"]) == Decimal(sent["quantity"])
        assert Decimal(row["discount_percent"]) == Decimal(sent.get("discount_percent", 0))
        assert Decimal(row["tax_rate"]) == Decimal(sent.get("tax_rate", 0))
    assert_totals_are_sums_of_lines(invoice)
    assert invoice["amount_paid"] == "0.00"
    assert invoice["credited_total"] == "0.00"
    assert money(invoice["balance_due"]) == money(invoice["total"])
    assert invoice["payments"] == []
    assert invoice["credit_notes"] == []

    fetched = await make.get(invoice["id"])
    assert fetched == invoice


async def test_dates_and_currency_default_from_today_and_the_customer(
    make: Factory,
    clock: FrozenClock,
) -> None:
    customer = await make.customer(currency="CHF", payment_terms_days=45)
    invoice = await make.draft(customer)
    assert invoice["issue_date"] == clock.today().isoformat()
    assert invoice["due_date"] == (clock.today() + timedelta(days=45)).isoformat()
    assert invoice["currency"] == "CHF"

    other_currency = await make.draft(customer, currency="usd", due_date="2099-01-01")
    assert other_currency["currency"] == "USD"
    assert other_currency["due_date"] == "2099-01-01"


async def test_each_line_rounds_half_up_to_the_cent(make: Factory) -> None:
    invoice = await make.draft(lines=[line(1.5, 0.33, tax_rate=19)])
    row = invoice["lines"][0]
    # 1.5 x 0.33 = 0.495 → 0.50; 19 % of 0.50 = 0.095 → 0.10.
    assert row["net_amount"] == "0.50"
    assert row["tax_amount"] == "0.10"
    assert row["total"] == "0.60"
    assert (invoice["subtotal"], invoice["tax_total"], invoice["total"]) == ("0.50", "0.10", "0.60")


async def test_rounding_happens_per_line_not_on_the_sum(make: Factory) -> None:
    # Three lines of 0.005 each: per line 0.01, so 0.03; rounding the sum would give 0.02.
    lines = [line("0.5", "0.01", description=f"Tiny {n}") for n in range(3)]
    invoice = await make.draft(lines=lines)
    assert [r["net_amount"] for r in invoice["lines"]] == ["0.01", "0.01", "0.01"]
    assert invoice["subtotal"] == "0.03"
    # Tax per line: 3 x round(0.01 x 50 %) = 3 x 0.01, not round(0.03 x 50 %) = 0.02.
    taxed = await make.draft(lines=[line("1", "0.01", tax_rate=50) for _ in range(3)])
    assert taxed["tax_total"] == "0.03"
    assert_totals_are_sums_of_lines(taxed)


async def test_discounts_apply_before_tax(make: Factory) -> None:
    sent = line("3", "19.99", discount_percent="15", tax_rate="7")
    invoice = await make.draft(lines=[sent])
    net, tax, total = expected_line("3", "19.99", "15", "7")
    row = invoice["lines"][0]
    assert (money(row["net_amount"]), money(row["tax_amount"]), money(row["total"])) == (
        net,
        tax,
        total,
    )
    full = await make.draft(lines=[line("2", "50.00", discount_percent="100", tax_rate="20")])
    assert (full["subtotal"], full["tax_total"], full["total"]) == ("0.00", "0.00", "0.00")


async def test_numbers_are_accepted_on_input_and_money_is_answered_as_strings(
    make: Factory,
) -> None:
    invoice = await make.draft(lines=[line(2, 10.5, discount_percent=10, tax_rate=20)])
    net, tax, total = expected_line(2, "10.5", 10, 20)
    row = invoice["lines"][0]
    assert row["unit_price"] == "10.50"
    assert (row["net_amount"], row["tax_amount"], row["total"]) == (
        f"{net:.2f}",
        f"{tax:.2f}",
        f"{total:.2f}",
    )
    big = await make.draft(lines=[line(1, 1234.5)])
    assert big["total"] == "1234.50"


async def test_a_zero_decimal_currency_rounds_each_amount_to_whole_units(make: Factory) -> None:
    customer = await make.customer(currency="JPY")
    # Whole yen, but a fraction of a quantity: 3.35 x 10 = 33.5 rounds half-up to 34.
    invoice = await make.draft(customer, lines=[line("3.35", "10", tax_rate="10")])
    net, tax, total = expected_line("3.35", "10", 0, "10", unit=Decimal(1))
    assert (net, tax) == (34, 3)
    row = invoice["lines"][0]
    amounts = (row["net_amount"], row["tax_amount"], row["total"])
    assert tuple(money(amount, whole=True) for amount in amounts) == (net, tax, total)
    assert money(invoice["total"], whole=True) == total


async def test_a_draft_is_edited_and_its_lines_replaced_whole(
    client: httpx.AsyncClient, accountant: dict[str, str], make: Factory
) -> None:
    invoice = await make.draft(lines=[line("1", "10.00"), line("2", "20.00")])

    notes = await client.patch(
        f"{INVOICES}/{invoice['id']}", json={"notes": "Updated"}, headers=accountant
    )
    assert notes.status_code == 200, notes.text
    assert notes.json()["notes"] == "Updated"
    assert len(notes.json()["lines"]) == 2  # lines not sent → kept

    replaced = await client.patch(
        f"{INVOICES}/{invoice['id']}",
        json={"lines": [line("4", "2.50", tax_rate="10", description="Only line")]},
        headers=accountant,
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert [r["description"] for r in body["lines"]] == ["Only line"]
    assert len(body["lines"]) == 1
    net, tax, total = expected_line("4", "2.50", 0, "10")
    assert (money(body["subtotal"]), money(body["tax_total"]), money(body["total"])) == (
        net,
        tax,
        total,
    )
    assert money(body["balance_due"]) == total
    assert (await make.get(invoice["id"])) == body


async def test_patching_dates_keeps_due_date_after_issue_date(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.draft(issue_date="2025-03-01", due_date="2025-03-31")
    bad = await client.patch(
        f"{INVOICES}/{invoice['id']}", json={"due_date": "2025-02-01"}, headers=admin
    )
    assert bad.status_code == 422, bad.text
    bad_issue = await client.patch(
        f"{INVOICES}/{invoice['id']}", json={"issue_date": "2025-04-15"}, headers=admin
    )
    assert bad_issue.status_code == 422, bad_issue.text
    assert (await make.get(invoice["id"]))["due_date"] == "2025-03-31"


async def test_a_draft_is_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.draft()
    assert (await client.delete(f"{INVOICES}/{invoice['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{INVOICES}/{invoice['id']}", headers=admin)).status_code == 404
    assert (await client.delete(f"{INVOICES}/{invoice['id']}", headers=admin)).status_code == 404


async def test_issuing_numbers_the_invoice_by_its_issue_year(make: Factory) -> None:
    customer = await make.customer()
    first = await make.issued(customer, issue_date="2024-12-31")
    second = await make.issued(customer, issue_date="2024-06-01")
    third = await make.issued(customer, issue_date="2025-01-01")

    for invoice in (first, second, third):
        assert invoice["status"] == "issued"
        assert invoice["issued_at"]
        assert INVOICE_NUMBER.match(invoice["number"]), invoice["number"]
    year_first, n_first = number_of(first)
    year_second, n_second = number_of(second)
    year_third, _ = number_of(third)
    assert (year_first, year_second, year_third) == (2024, 2024, 2025)
    assert n_second == n_first + 1
    assert (await make.get(first["id"]))["number"] == first["number"]


async def test_issuing_keeps_the_amounts_of_the_draft(make: Factory) -> None:
    draft = await make.draft(lines=[line("2.5", "40.00", tax_rate="19", discount_percent="5")])
    issued = await make.issue(draft["id"])
    for field in ("subtotal", "tax_total", "total", "balance_due"):
        assert issued[field] == draft[field]
    assert issued["lines"] == draft["lines"]


async def test_overdue_is_derived_from_the_due_date(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    clock: FrozenClock,
) -> None:
    customer = await make.customer()
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    past = {"issue_date": (clock.today() - timedelta(days=40)).isoformat(), "due_date": yesterday}
    late = await make.issued(customer, **past)
    late_partly = await make.issued(customer, **past)
    await make.pay(late_partly["id"], "10.00")
    late_paid = await make.issued(customer, **past)
    await make.pay(late_paid["id"], late_paid["total"])
    late_draft = await make.draft(customer, **past)
    due_today = await make.issued(customer, due_date=clock.today().isoformat())

    assert late["is_overdue"] is True
    assert (await make.get(late_partly["id"]))["is_overdue"] is True
    assert (await make.get(late_partly["id"]))["status"] == "partially_paid"
    assert (await make.get(late_paid["id"]))["is_overdue"] is False
    assert late_draft["is_overdue"] is False
    assert due_today["is_overdue"] is False

    expected = {late["id"], late_partly["id"]}
    for params in ({"status": "overdue"}, {"overdue": "true"}):
        listed = await client.get(
            INVOICES, params={"customer_id": customer["id"], **params}, headers=admin
        )
        assert listed.status_code == 200, listed.text
        assert {i["id"] for i in listed.json()["items"]} == expected
        assert all(i["is_overdue"] for i in listed.json()["items"])
    not_overdue = await client.get(
        INVOICES, params={"customer_id": customer["id"], "overdue": "false"}, headers=admin
    )
    assert {i["id"] for i in not_overdue.json()["items"]} == {
        late_paid["id"],
        late_draft["id"],
        due_today["id"],
    }
    # Overdue is judged on the clock's today: the next day, what was due today is late.
    clock.advance(timedelta(days=1))
    assert (await make.get(due_today["id"]))["is_overdue"] is True


async def test_list_filters_and_sorts(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(name="Filter Target ZQ4")
    other = await make.customer(name="Someone Else")
    jan = await make.issued(
        customer, issue_date="2023-01-10", lines=[line("1", "300.00")], employee_id=91
    )
    feb = await make.draft(customer, issue_date="2023-02-10", lines=[line("1", "100.00")])
    mar = await make.issued(
        customer, issue_date="2023-03-10", lines=[line("1", "200.00")], notes="Ask for Marvin"
    )
    await make.issued(other, issue_date="2023-02-15")

    async def ids(**params: Any) -> list[int]:
        response = await client.get(INVOICES, params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    mine = {"customer_id": customer["id"]}
    assert await ids(**mine) == [mar["id"], feb["id"], jan["id"]]  # default -issue_date
    assert await ids(**mine, sort="issue_date") == [jan["id"], feb["id"], mar["id"]]
    assert await ids(**mine, sort="total") == [feb["id"], mar["id"], jan["id"]]
    assert await ids(**mine, sort="-total") == [jan["id"], mar["id"], feb["id"]]
    assert await ids(**mine, sort="-id") == sorted([jan["id"], feb["id"], mar["id"]], reverse=True)
    assert await ids(**mine, status="draft") == [feb["id"]]
    assert await ids(**mine, status="issued", sort="issue_date") == [jan["id"], mar["id"]]
    assert await ids(**mine, issued_from="2023-02-01", issued_to="2023-03-10") == [
        mar["id"],
        feb["id"],
    ]
    assert await ids(**mine, employee_id=91) == [jan["id"]]
    assert await ids(q="filter target zq4", sort="issue_date") == [jan["id"], feb["id"], mar["id"]]
    assert await ids(q="marvin") == [mar["id"]]
    assert await ids(q=jan["number"]) == [jan["id"]]
    by_number = await client.get(INVOICES, params={**mine, "sort": "number"}, headers=admin)
    numbers = [i["number"] for i in by_number.json()["items"] if i["number"]]
    assert numbers == sorted(numbers)
    listed = await client.get(INVOICES, params=mine, headers=admin)
    assert listed.json()["total"] == 3
    assert listed.json()["items"][0]["customer_name"] == "Filter Target ZQ4"


async def test_paging_through_a_customer_s_invoices(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer()
    created = [await make.draft(customer) for _ in range(5)]
    seen: list[int] = []
    params: dict[str, Any] = {"customer_id": customer["id"], "limit": 2, "sort": "id"}
    first = await client.get(INVOICES, params=params, headers=admin)
    assert first.json()["total"] == 5
    seen += [i["id"] for i in first.json()["items"]]
    cursor = first.json()["next_cursor"]
    while cursor:
        page = await client.get(INVOICES, params={**params, "cursor": cursor}, headers=admin)
        assert page.status_code == 200, page.text
        seen += [i["id"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert seen == [i["id"] for i in created]
    offset = await client.get(INVOICES, params={**params, "offset": 4}, headers=admin)
    assert [i["id"] for i in offset.json()["items"]] == [created[4]["id"]]
