"""Credit notes: by lines or by amount, their limits, numbering, tax records and refunds."""

from decimal import Decimal
from typing import Any

import httpx

from tb_platform.uow import FrozenClock

from .conftest import (
    CREDIT_NOTE_NUMBER,
    INVOICES,
    Factory,
    expected_line,
    fields_of,
    line,
    money,
    number_of,
    round_half_up,
)


def _items(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    return body["items"] if isinstance(body, dict) else body


async def test_an_accountant_credits_part_of_a_line_and_a_whole_line(
    client: httpx.AsyncClient,
    accountant: dict[str, str],
    make: Factory,
    clock: FrozenClock,
) -> None:
    invoice = await make.issued(
        lines=[
            line("4", "25.00", tax_rate="20", description="Seats"),
            line("1", "50.00", tax_rate="10", description="Setup"),
        ]
    )
    seats, setup = invoice["lines"]

    partial = await client.post(
        f"{INVOICES}/{invoice['id']}/credit-notes",
        json={"reason": "One seat unused", "lines": [{"line_id": seats["id"], "quantity": "1"}]},
        headers=accountant,
    )
    assert partial.status_code == 201, partial.text
    note = partial.json()
    net, tax, total = expected_line("1", "25.00", 0, "20")
    assert (money(note["subtotal"]), money(note["tax_total"]), money(note["total"])) == (
        net,
        tax,
        total,
    )
    assert note["invoice_id"] == invoice["id"]
    assert note["reason"] == "One seat unused"
    assert note["issue_date"] == clock.today().isoformat()
    assert note["refund_amount"] == "0.00"
    assert len(note["lines"]) == 1
    number_of(note, CREDIT_NOTE_NUMBER)

    whole = await make.credit(invoice["id"], lines=[{"line_id": setup["id"]}])
    assert whole["total"] == setup["total"]
    assert whole["subtotal"] == setup["net_amount"]

    after = await make.get(invoice["id"])
    credited = total + money(setup["total"])
    assert money(after["credited_total"]) == credited
    assert money(after["balance_due"]) == money(invoice["total"]) - credited
    assert after["status"] == "issued"
    assert {n["id"] for n in after["credit_notes"]} == {note["id"], whole["id"]}
    listed = await client.get(f"{INVOICES}/{invoice['id']}/credit-notes", headers=accountant)
    assert {n["id"] for n in _items(listed)} == {note["id"], whole["id"]}


async def test_a_line_is_never_credited_beyond_its_quantity(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("4", "25.00"), line("1", "500.00")])
    seats = invoice["lines"][0]
    url = f"{INVOICES}/{invoice['id']}/credit-notes"
    await make.credit(invoice["id"], lines=[{"line_id": seats["id"], "quantity": "1.5"}])

    too_many = await client.post(
        url,
        json={"reason": "r", "lines": [{"line_id": seats["id"], "quantity": "2.501"}]},
        headers=admin,
    )
    assert too_many.status_code == 422, too_many.text
    # Without a quantity: what is left of the line (2.5 seats), and then nothing more.
    rest = await make.credit(invoice["id"], lines=[{"line_id": seats["id"]}])
    assert Decimal(rest["lines"][0]["quantity"]) == Decimal("2.5")
    assert money(rest["subtotal"]) == expected_line("2.5", "25.00")[0]
    after = await make.get(invoice["id"])
    assert money(after["credited_total"]) == Decimal("100.00")
    nothing_left = await client.post(
        url, json={"reason": "r", "lines": [{"line_id": seats["id"]}]}, headers=admin
    )
    assert nothing_left.status_code == 422, nothing_left.text


async def test_bad_credit_lines_are_refused(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("4", "25.00")])
    elsewhere = await make.issued()
    url = f"{INVOICES}/{invoice['id']}/credit-notes"
    own_line = invoice["lines"][0]["id"]
    for lines in (
        [{"line_id": elsewhere["lines"][0]["id"]}],  # a line of another invoice
        [{"line_id": own_line, "quantity": "0"}],
        [{"line_id": own_line, "quantity": "-1"}],
        [{"line_id": own_line, "quantity": "1.0001"}],
        [],
    ):
        response = await client.post(url, json={"reason": "r", "lines": lines}, headers=admin)
        assert response.status_code == 422, (lines, response.text)
    assert (await make.get(invoice["id"]))["credit_notes"] == []


async def test_a_credit_by_amount_is_split_into_net_and_tax(make: Factory) -> None:
    invoice = await make.issued(lines=[line("1", "100.00", tax_rate="19")])
    note = await make.credit(invoice["id"], amount="11.90", tax_rate="19")
    amount, rate = Decimal("11.90"), Decimal(19)
    net = round_half_up(amount * 100 / (100 + rate))
    assert money(note["total"]) == amount
    assert money(note["subtotal"]) == net
    assert money(note["tax_total"]) == amount - net
    assert money((await make.get(invoice["id"]))["balance_due"]) == money(invoice["total"]) - amount

    numeric = await make.credit(invoice["id"], amount=23.8, tax_rate=19)
    assert numeric["total"] == "23.80"
    assert numeric["subtotal"] == "20.00"
    assert numeric["tax_total"] == "3.80"


async def test_a_credit_by_amount_must_use_one_of_the_invoice_s_rates(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("1", "100.00", tax_rate="19")])
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/credit-notes",
        json={"reason": "r", "amount": "10.00", "tax_rate": "7"},
        headers=admin,
    )
    assert "tax_rate" in fields_of(response)


async def test_a_credit_never_exceeds_what_is_still_creditable(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("1", "100.00", tax_rate="19")])
    total = money(invoice["total"])
    url = f"{INVOICES}/{invoice['id']}/credit-notes"

    over = await client.post(
        url,
        json={"reason": "r", "amount": str(total + Decimal("0.01")), "tax_rate": "19"},
        headers=admin,
    )
    assert over.status_code == 422, over.text
    await make.credit(invoice["id"], amount="11.90", tax_rate="19")
    rest = total - Decimal("11.90")
    over_rest = await client.post(
        url,
        json={"reason": "r", "amount": str(rest + Decimal("0.01")), "tax_rate": "19"},
        headers=admin,
    )
    assert over_rest.status_code == 422, over_rest.text
    exact = await make.credit(invoice["id"], amount=str(rest), tax_rate="19")
    assert money(exact["total"]) == rest
    after = await make.get(invoice["id"])
    assert money(after["credited_total"]) == total
    assert after["balance_due"] == "0.00"
    assert after["status"] == "paid"  # balance zero → paid
    nothing_left = await client.post(
        url, json={"reason": "r", "amount": "0.01", "tax_rate": "19"}, headers=admin
    )
    assert nothing_left.status_code in (409, 422), nothing_left.text


async def test_credit_notes_are_numbered_from_their_own_sequence(
    make: Factory, clock: FrozenClock
) -> None:
    invoice = await make.issued(lines=[line("1", "100.00")])
    first = await make.credit(invoice["id"], amount="10.00", tax_rate="0")
    another_invoice = await make.issued(lines=[line("1", "100.00")])
    second = await make.credit(another_invoice["id"], amount="10.00", tax_rate="0")
    year, n = number_of(first, CREDIT_NOTE_NUMBER)
    assert year == clock.today().year
    assert number_of(second, CREDIT_NOTE_NUMBER) == (year, n + 1)
    # Invoices keep their own sequence: the credit notes did not advance it.
    after = await make.issued(lines=[line("1", "1.00")])
    assert number_of(after)[1] == number_of(another_invoice)[1] + 1


async def test_credit_notes_write_negative_tax_records(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    clock: FrozenClock,
) -> None:
    customer = await make.customer(currency="NOK")
    invoice = await make.issued(
        customer,
        lines=[line("4", "25.00", tax_rate="25"), line("2", "10.00", tax_rate="12")],
    )
    seats = invoice["lines"][0]
    await make.credit(invoice["id"], lines=[{"line_id": seats["id"], "quantity": "1"}])
    credit_net, credit_tax, _ = expected_line("1", "25.00", 0, "25")

    day = clock.today().isoformat()
    response = await client.get(
        "/api/v1/tax-records", params={"from": day, "to": day}, headers=admin
    )
    assert response.status_code == 200, response.text
    rows = {Decimal(r["tax_rate"]): r for r in response.json()["items"] if r["currency"] == "NOK"}
    assert set(rows) == {Decimal(25), Decimal(12)}
    net25, tax25, _ = expected_line("4", "25.00", 0, "25")
    assert money(rows[Decimal(25)]["taxable_amount"]) == net25 - credit_net
    assert money(rows[Decimal(25)]["tax_amount"]) == tax25 - credit_tax
    assert rows[Decimal(25)]["records"] == 2  # the invoice's and the credit note's (negative)
    net12, tax12, _ = expected_line("2", "10.00", 0, "12")
    assert money(rows[Decimal(12)]["taxable_amount"]) == net12
    assert money(rows[Decimal(12)]["tax_amount"]) == tax12
    assert rows[Decimal(12)]["records"] == 1


async def test_a_credit_on_a_paid_invoice_is_refunded(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("1", "100.00")])
    await make.pay(invoice["id"], "100.00")
    note = await make.credit(invoice["id"], amount="30.00", tax_rate="0")

    assert note["refund_amount"] == "30.00"
    after = await make.get(invoice["id"])
    assert after["amount_paid"] == "70.00"
    assert after["credited_total"] == "30.00"
    assert after["balance_due"] == "0.00"
    assert after["status"] == "paid"
    payments = _items(await client.get(f"{INVOICES}/{invoice['id']}/payments", headers=admin))
    refunds = [p for p in payments if money(p["amount"]) < 0]
    assert len(payments) == 2
    assert len(refunds) == 1
    assert refunds[0]["amount"] == "-30.00"
    assert refunds[0]["method"] == "other"
    assert refunds[0]["reference"].startswith("refund CN-")
    assert note["number"] in refunds[0]["reference"]


async def test_only_what_exceeds_the_amount_owed_is_refunded(make: Factory) -> None:
    invoice = await make.issued(lines=[line("1", "100.00")])
    await make.pay(invoice["id"], "80.00")
    note = await make.credit(invoice["id"], amount="30.00", tax_rate="0")
    assert note["refund_amount"] == "10.00"
    after = await make.get(invoice["id"])
    assert (after["amount_paid"], after["credited_total"], after["balance_due"]) == (
        "70.00",
        "30.00",
        "0.00",
    )
    assert after["status"] == "paid"


async def test_a_credit_on_an_unpaid_invoice_only_lowers_the_balance(make: Factory) -> None:
    invoice = await make.issued(lines=[line("1", "100.00")])
    note = await make.credit(invoice["id"], amount="30.00", tax_rate="0")
    assert note["refund_amount"] == "0.00"
    after = await make.get(invoice["id"])
    assert (after["amount_paid"], after["credited_total"], after["balance_due"]) == (
        "0.00",
        "30.00",
        "70.00",
    )
    assert after["status"] == "issued"
    assert after["payments"] == []


async def test_a_credit_settling_a_partly_paid_invoice_marks_it_paid(make: Factory) -> None:
    invoice = await make.issued(lines=[line("1", "100.00")])
    await make.pay(invoice["id"], "60.00")
    note = await make.credit(invoice["id"], amount="40.00", tax_rate="0")
    assert note["refund_amount"] == "0.00"
    after = await make.get(invoice["id"])
    assert after["status"] == "paid"
    assert after["balance_due"] == "0.00"
    assert after["amount_paid"] == "60.00"
