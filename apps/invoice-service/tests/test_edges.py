"""Edges: extreme dates and amounts, odd headers, replays after the fact, and awkward PDFs."""

from decimal import Decimal

import httpx
import pytest

from .conftest import CUSTOMERS, INVOICES, Factory, expected_line, fields_of, line, money

FAR = ("0001-01-01", "9999-12-31")
EDGES = ("1900-01-01", "2200-12-31")


def _report_paths(low: str, high: str) -> list[str]:
    return [
        f"/api/v1/invoices/aging?as_of={high}",
        f"/api/v1/invoices/aging?as_of={low}",
        f"/api/v1/invoices/summary?from={low}&to={high}",
        f"/api/v1/tax-records?from={low}&to={high}",
        f"{INVOICES}?issued_from={low}&issued_to={high}",
    ]


@pytest.mark.parametrize("path", _report_paths(*EDGES))
async def test_report_dates_at_the_edges_of_the_range_answer_200(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, path: str
) -> None:
    customer = await make.customer(currency="ISK")
    await make.issued(customer, issue_date="2020-01-01", due_date="2020-01-31")
    response = await client.get(path, headers=admin)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", _report_paths(*FAR))
async def test_report_dates_outside_1900_to_2200_are_422_naming_the_parameter(
    client: httpx.AsyncClient, admin: dict[str, str], path: str
) -> None:
    response = await client.get(path, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "query"


async def test_an_inverted_date_range_is_empty_or_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(
        INVOICES, params={"issued_from": "2025-12-31", "issued_to": "2025-01-01"}, headers=admin
    )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["items"] == []


async def test_a_due_date_past_the_calendar_is_422_not_500(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(payment_terms_days=30)
    response = await client.post(
        INVOICES,
        json={"customer_id": customer["id"], "issue_date": "9999-12-20", "lines": [line()]},
        headers=admin,
    )
    assert response.status_code == 422, response.text


async def test_amounts_too_large_to_store_are_422_not_500(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer()
    for lines in (
        [line("10000", "999999999.99")],  # the line's net overflows
        [line("1", "999999999999.99", tax_rate="100")],  # the line's total overflows
        [line("1", "600000000000.00"), line("1", "600000000000.00")],  # the sum overflows
    ):
        response = await client.post(
            INVOICES, json={"customer_id": customer["id"], "lines": lines}, headers=admin
        )
        assert response.status_code == 422, (lines, response.text)
    invoice = await make.issued(customer)
    payment = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "1e15", "method": "cash"},
        headers=admin,
    )
    assert fields_of(payment) == ["amount"]


@pytest.mark.parametrize(
    "change",
    [
        {"paid_at": "0001-01-01T00:00:00+01:00"},
        {"paid_at": "0001-01-01T00:00:00+00:00"},
        {"reference": "r" * 10_000},
    ],
)
async def test_odd_payments_are_never_a_500(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, change: dict[str, str]
) -> None:
    invoice = await make.issued()
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "1.00", "method": "cash", **change},
        headers=admin,
    )
    assert response.status_code in (201, 422), response.text


async def test_long_texts_are_refused_or_kept_never_a_500(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer()
    created = await client.post(
        INVOICES,
        json={"customer_id": customer["id"], "notes": "n" * 20_000, "lines": [line()]},
        headers=admin,
    )
    assert created.status_code in (201, 422), created.text
    invoice = await make.issued(customer)
    voided = await client.post(
        f"{INVOICES}/{invoice['id']}/void", json={"reason": "v" * 20_000}, headers=admin
    )
    assert voided.status_code in (200, 422), voided.text
    no_reason = await client.post(f"{INVOICES}/{invoice['id']}/void", json={}, headers=admin)
    assert no_reason.status_code in (200, 409, 422), no_reason.text


async def test_422_details_carry_loc_field_msg_and_type(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(CUSTOMERS, json={"name": ""}, headers=admin)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert set(error) >= {"loc", "field", "msg", "type"}
    assert error["field"] == "name"


async def test_an_empty_idempotency_key_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={"amount": "10.00", "method": "cash"},
        headers={**admin, "Idempotency-Key": ""},
    )
    assert response.status_code == 422, response.text


async def test_a_retry_after_the_invoice_is_paid_still_answers_the_payment(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("1", "40.00")])
    url = f"{INVOICES}/{invoice['id']}/payments"
    headers = {**admin, "Idempotency-Key": "settle-it"}
    body = {"amount": "40.00", "method": "card"}
    first = await client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    retry = await client.post(url, json=body, headers=headers)
    assert retry.status_code == 201, retry.text
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json()["id"] == first.json()["id"]


async def test_a_credit_note_names_lines_or_an_amount_not_both_nor_neither(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    url = f"{INVOICES}/{invoice['id']}/credit-notes"
    line_id = invoice["lines"][0]["id"]
    for body in (
        {"reason": "both", "lines": [{"line_id": line_id}], "amount": "1.00", "tax_rate": "0"},
        {"reason": "neither"},
        {"reason": "", "amount": "1.00", "tax_rate": "0"},
        {"amount": "1.00", "tax_rate": "0"},
        {"reason": "zero", "amount": "0", "tax_rate": "0"},
        {"reason": "negative", "amount": "-1.00", "tax_rate": "0"},
    ):
        response = await client.post(url, json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
    assert (await make.get(invoice["id"]))["credit_notes"] == []


async def test_crediting_a_line_in_parts_never_credits_more_than_the_line(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    # 3 x 0.01 less 50 % is 0.015 → 0.02 for the line, but 0.005 → 0.01 for each single unit.
    invoice = await make.issued(lines=[line("3", "0.01", discount_percent="50")])
    row = invoice["lines"][0]
    assert money(row["total"]) == expected_line("3", "0.01", "50")[2]
    credited = Decimal(0)
    for _ in range(2):
        response = await client.post(
            f"{INVOICES}/{invoice['id']}/credit-notes",
            json={"reason": "unit", "lines": [{"line_id": row["id"], "quantity": "1"}]},
            headers=admin,
        )
        # Each unit is credited its rounded share of the line so far; a unit whose share rounds
        # to nothing is refused, and nothing of it is recorded.
        if response.status_code == 422:
            assert "rounding" in response.text
            continue
        assert response.status_code == 201, response.text
        credited += money(response.json()["total"])
        assert credited <= money(row["total"])
    rest = await client.post(
        f"{INVOICES}/{invoice['id']}/credit-notes",
        json={"reason": "the rest", "lines": [{"line_id": row["id"]}]},
        headers=admin,
    )
    assert rest.status_code == 201, rest.text
    credited += money(rest.json()["total"])
    assert credited == money(row["total"])
    after = await make.get(invoice["id"])
    assert money(after["credited_total"]) == money(row["total"])
    assert after["balance_due"] == "0.00"


async def test_a_draft_started_without_lines_is_completed_and_issued(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    draft = await make.draft(lines=[])
    patched = await client.patch(
        f"{INVOICES}/{draft['id']}", json={"lines": [line("2", "12.50")]}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["total"] == "25.00"
    issued = await make.issue(draft["id"])
    assert issued["status"] == "issued"


async def test_moving_a_draft_to_another_customer_renames_it(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    draft = await make.draft()
    other = await make.customer(name="The New Customer")
    patched = await client.patch(
        f"{INVOICES}/{draft['id']}", json={"customer_id": other["id"]}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["customer_id"] == other["id"]
    assert patched.json()["customer_name"] == "The New Customer"
    unknown = await client.patch(
        f"{INVOICES}/{draft['id']}", json={"customer_id": 2_147_483_647}, headers=admin
    )
    assert fields_of(unknown) == ["customer_id"]


async def test_search_wildcards_are_literal(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(name="Wild W7Q")
    literal = await make.draft(customer, notes="100% W7Q done")
    await make.draft(customer, notes="100 W7Q pending")
    response = await client.get(INVOICES, params={"q": "100%"}, headers=admin)
    assert response.status_code == 200, response.text
    assert [i["id"] for i in response.json()["items"]] == [literal["id"]]


async def test_a_long_awkward_invoice_still_prints(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    import io

    import pypdf

    customer = await make.customer(
        name="N" * 200, billing_address="A" * 1000, tax_id="T" * 50, email="long@print.test"
    )
    lines = [line("1.5", "3.33", description="D" * 500, tax_rate="19")] + [
        line(str(n), "1.01", description=f"Line {n} " + "word " * 90, tax_rate=str(n % 3 * 7))
        for n in range(1, 60)
    ]
    invoice = await make.issued(customer, lines=lines)
    await make.pay(invoice["id"], "1.00")
    await make.credit(invoice["id"], lines=[{"line_id": invoice["lines"][1]["id"]}])
    response = await client.get(f"{INVOICES}/{invoice['id']}/pdf", headers=admin)
    assert response.status_code == 200, response.text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert invoice["number"] in text


async def _page_through(
    client: httpx.AsyncClient, admin: dict[str, str], params: dict[str, object]
) -> list[int]:
    seen: list[int] = []
    response = await client.get(INVOICES, params=params, headers=admin)
    while True:
        assert response.status_code == 200, response.text
        seen += [i["id"] for i in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if not cursor:
            return seen
        response = await client.get(INVOICES, params={**params, "cursor": cursor}, headers=admin)


@pytest.mark.parametrize("sort", ["number", "-number", "total", "-total", "due_date", "-id"])
async def test_cursor_paging_sees_every_invoice_once_whatever_the_sort(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory, sort: str
) -> None:
    customer = await make.customer()
    created = [await make.issued(customer, issue_date="2022-04-01") for _ in range(3)]
    created += [await make.draft(customer, issue_date="2022-04-01") for _ in range(3)]
    seen = await _page_through(
        client, admin, {"customer_id": customer["id"], "limit": 2, "sort": sort}
    )
    assert sorted(seen) == sorted(i["id"] for i in created)


async def test_refunds_count_against_what_was_collected_that_month(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(currency="AUD")
    invoice = await make.issued(customer, lines=[line("1", "100.00", tax_rate="10")])
    total = money(invoice["total"])
    await make.pay(invoice["id"], str(total))
    note = await make.credit(invoice["id"], amount="33.00", tax_rate="10")
    assert note["refund_amount"] == "33.00"

    response = await client.get(
        "/api/v1/invoices/summary",
        params={"from": invoice["issue_date"], "to": invoice["issue_date"]},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    rows = [r for r in response.json()["items"] if r["currency"] == "AUD"]
    assert len(rows) == 1
    assert rows[0]["month"] == invoice["issue_date"][:7]
    assert money(rows[0]["invoiced"]) == total - Decimal("33.00")
    assert money(rows[0]["collected"]) == total - Decimal("33.00")
    assert money(rows[0]["outstanding"]) == Decimal(0)

    day = invoice["issue_date"]
    taxes = await client.get("/api/v1/tax-records", params={"from": day, "to": day}, headers=admin)
    [row] = [r for r in taxes.json()["items"] if r["currency"] == "AUD"]
    net = money(invoice["subtotal"]) - money(note["subtotal"])
    assert money(row["taxable_amount"]) == net
    assert money(row["tax_amount"]) == money(invoice["tax_total"]) - money(note["tax_total"])
    assert row["records"] == 2


async def test_a_zero_rate_line_still_writes_a_tax_record(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(currency="NZD")
    lines = [line("2", "15.00"), line("1", "10.00", tax_rate="15")]
    await make.issued(customer, issue_date="2019-09-09", lines=lines)
    response = await client.get(
        "/api/v1/tax-records", params={"from": "2019-09-09", "to": "2019-09-09"}, headers=admin
    )
    assert response.status_code == 200, response.text
    rows = {
        Decimal(r["tax_rate"]): (money(r["taxable_amount"]), money(r["tax_amount"]), r["records"])
        for r in response.json()["items"]
        if r["currency"] == "NZD"
    }
    expected = {}
    for sent in lines:
        net, tax, _ = expected_line(
            sent["quantity"], sent["unit_price"], 0, sent.get("tax_rate", 0)
        )
        expected[Decimal(sent.get("tax_rate", 0))] = (net, tax, 1)
    assert rows == expected
