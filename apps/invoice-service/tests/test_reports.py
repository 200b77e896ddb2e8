"""Tax records, the monthly summary and the aging report, each with data whose answer is known.

Every test here uses a currency of its own (the concurrency tests commit EUR rows that every
later test can see), so the rows of the report that belong to that currency are this test's only.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from .conftest import Factory, expected_line, line, money, today

TAX_RECORDS = "/api/v1/tax-records"
SUMMARY = "/api/v1/invoices/summary"
AGING = "/api/v1/invoices/aging"


async def _tax_rows(
    client: httpx.AsyncClient, headers: dict[str, str], currency: str, **params: str
) -> dict[Decimal, dict[str, Any]]:
    response = await client.get(TAX_RECORDS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    rows: dict[Decimal, dict[str, Any]] = {}
    for row in body["items"]:
        money(row["taxable_amount"])
        money(row["tax_amount"])
        if row["currency"] == currency:
            rate = Decimal(row["tax_rate"])
            assert rate not in rows, "one row per currency and rate"
            rows[rate] = row
    return rows


def _sums(rows: dict[Decimal, dict[str, Any]]) -> dict[Decimal, tuple[Decimal, Decimal, int]]:
    return {
        rate: (money(r["taxable_amount"]), money(r["tax_amount"]), r["records"])
        for rate, r in rows.items()
    }


async def test_tax_records_sum_per_rate_over_an_inclusive_date_range(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(currency="SEK")
    invoices = {
        "2020-02-10": [line("1", "100.00", tax_rate="19"), line("2", "25.00", tax_rate="7")],
        "2020-02-20": [line("3", "66.67", tax_rate="19", discount_percent="10")],
        "2020-03-05": [line("1", "300.00", tax_rate="19")],
    }
    for issue_date, lines in invoices.items():
        await make.issued(customer, lines=lines, issue_date=issue_date)
    await make.draft(customer, lines=[line("1", "999.00", tax_rate="19")], issue_date="2020-02-15")

    def expected(dates: list[str]) -> dict[Decimal, tuple[Decimal, Decimal, int]]:
        sums: dict[Decimal, list[Any]] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
        for issue_date in dates:
            rates_seen = set()
            for sent in invoices[issue_date]:
                net, tax, _ = expected_line(
                    sent["quantity"],
                    sent["unit_price"],
                    sent.get("discount_percent", 0),
                    sent["tax_rate"],
                )
                rate = Decimal(sent["tax_rate"])
                sums[rate][0] += net
                sums[rate][1] += tax
                rates_seen.add(rate)
            for rate in rates_seen:  # one record per invoice and rate
                sums[rate][2] += 1
        return {rate: (s[0], s[1], s[2]) for rate, s in sums.items()}

    february = await _tax_rows(client, hr, "SEK", **{"from": "2020-02-01", "to": "2020-02-29"})
    assert _sums(february) == expected(["2020-02-10", "2020-02-20"])
    inclusive = await _tax_rows(client, hr, "SEK", **{"from": "2020-02-10", "to": "2020-02-20"})
    assert _sums(inclusive) == expected(["2020-02-10", "2020-02-20"])
    later = await _tax_rows(client, hr, "SEK", **{"from": "2020-02-11"})
    assert _sums(later) == expected(["2020-02-20", "2020-03-05"])
    earlier = await _tax_rows(client, hr, "SEK", to="2020-02-10")
    assert _sums(earlier) == expected(["2020-02-10"])
    everything = await _tax_rows(client, hr, "SEK")
    assert _sums(everything) == expected(list(invoices))
    assert await _tax_rows(client, hr, "SEK", **{"from": "2020-04-01", "to": "2020-04-30"}) == {}


async def test_voiding_an_issued_invoice_reverses_its_tax_records_on_the_void_date(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(currency="PLN")
    invoice = await make.issued(
        customer, issue_date="2020-05-10", lines=[line("2", "50.00", tax_rate="23")]
    )
    net, tax, _ = expected_line("2", "50.00", 0, "23")
    await make.void(invoice["id"])
    voided_draft = await make.draft(customer, lines=[line("1", "10.00", tax_rate="23")])
    await make.void(voided_draft["id"])
    day = today().isoformat()

    may = await _tax_rows(client, admin, "PLN", **{"from": "2020-05-01", "to": "2020-05-31"})
    assert _sums(may) == {Decimal(23): (net, tax, 1)}
    void_day = await _tax_rows(client, admin, "PLN", **{"from": day, "to": day})
    assert _sums(void_day) == {Decimal(23): (-net, -tax, 1)}
    both = await _tax_rows(client, admin, "PLN", **{"from": "2020-05-01", "to": day})
    assert _sums(both) == {Decimal(23): (Decimal(0), Decimal(0), 2)}


async def test_the_monthly_summary_of_invoiced_collected_and_outstanding(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(currency="DKK")
    a = await make.issued(customer, issue_date="2021-01-15", lines=[line("1", "100.00")])
    b = await make.issued(customer, issue_date="2021-01-20", lines=[line("2", "25.00")])
    c = await make.issued(
        customer, issue_date="2021-02-10", lines=[line("1", "180.00", tax_rate="25")]
    )
    await make.draft(customer, issue_date="2021-01-10", lines=[line("1", "999.00")])
    void = await make.issued(customer, issue_date="2021-01-12", lines=[line("1", "77.00")])
    await make.void(void["id"])
    await make.pay(a["id"], "40.00", paid_at="2021-02-05T10:00:00+00:00")
    await make.pay(b["id"], b["total"], paid_at="2021-01-25T10:00:00+00:00")
    credit = await make.credit(c["id"], amount="25.00", tax_rate="25")  # dated today

    response = await client.get(
        SUMMARY, params={"from": "2021-01-01", "to": "2021-02-28"}, headers=admin
    )
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {
        r["month"]: (money(r["invoiced"]), money(r["collected"]), money(r["outstanding"]))
        for r in body["items"]
        if r["currency"] == "DKK"
    }
    total_a, total_b, total_c = money(a["total"]), money(b["total"]), money(c["total"])
    credited = money(credit["total"])
    assert rows == {
        "2021-01": (total_a + total_b, total_b, total_a - 40),
        "2021-02": (total_c, Decimal(40), total_c - credited),
    }
    totals = [t for t in body["totals"] if t["currency"] == "DKK"]
    assert len(totals) == 1
    assert (
        money(totals[0]["invoiced"]),
        money(totals[0]["collected"]),
        money(totals[0]["outstanding"]),
    ) == (
        total_a + total_b + total_c,
        total_b + 40,
        total_a - 40 + total_c - credited,
    )

    # The credit note counts against the month it was issued in.
    this_month = today().strftime("%Y-%m")
    now = await client.get(
        SUMMARY, params={"from": today().replace(day=1).isoformat()}, headers=admin
    )
    assert now.status_code == 200, now.text
    current = [r for r in now.json()["items"] if r["currency"] == "DKK"]
    assert [(r["month"], money(r["invoiced"])) for r in current] == [(this_month, -credited)]


async def test_aging_puts_each_outstanding_balance_in_its_bucket(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(currency="CZK")
    as_of = today()
    expected = dict.fromkeys(
        ("current", "days_1_30", "days_31_60", "days_61_90", "days_90_plus"), Decimal(0)
    )

    async def due(days_past_due: int, amount: str) -> dict[str, Any]:
        due_date = as_of - timedelta(days=days_past_due)
        issue_date = min(due_date - timedelta(days=10), as_of)
        return await make.issued(
            customer,
            lines=[line("1", amount)],
            issue_date=issue_date.isoformat(),
            due_date=due_date.isoformat(),
        )

    buckets = [
        (-5, "1.00", "current"),
        (0, "2.00", "current"),
        (1, "4.00", "days_1_30"),
        (30, "8.00", "days_1_30"),
        (31, "16.00", "days_31_60"),
        (60, "32.00", "days_31_60"),
        (61, "64.00", "days_61_90"),
        (90, "128.00", "days_61_90"),
        (91, "256.00", "days_90_plus"),
    ]
    for days, amount, bucket in buckets:
        await due(days, amount)
        expected[bucket] += Decimal(amount)
    partly = await due(400, "512.00")
    await make.pay(partly["id"], "12.00")
    expected["days_90_plus"] += Decimal(500)
    credited = await due(10, "8192.00")
    await make.credit(credited["id"], amount="8000.00", tax_rate="0")
    expected["days_1_30"] += Decimal(192)
    paid = await due(45, "1024.00")
    await make.pay(paid["id"], "1024.00")
    void = await due(45, "2048.00")
    await make.void(void["id"])
    await make.draft(
        customer,
        lines=[line("1", "4096.00")],
        issue_date=(as_of - timedelta(days=60)).isoformat(),
        due_date=(as_of - timedelta(days=45)).isoformat(),
    )

    for params in ({}, {"as_of": as_of.isoformat()}):
        response = await client.get(AGING, params=params, headers=admin)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["as_of"] == as_of.isoformat()
        rows = [r for r in body["items"] if r["currency"] == "CZK"]
        assert len(rows) == 1
        got = {bucket: money(rows[0][bucket]) for bucket in expected}
        assert got == expected
        assert money(rows[0]["total"]) == sum(expected.values())


async def test_aging_as_of_another_day_moves_the_buckets(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(currency="RON")
    due_date = today() - timedelta(days=31)
    await make.issued(
        customer,
        lines=[line("1", "10.00")],
        issue_date=(due_date - timedelta(days=10)).isoformat(),
        due_date=due_date.isoformat(),
    )

    async def bucket_of(as_of: date) -> dict[str, Decimal]:
        response = await client.get(AGING, params={"as_of": as_of.isoformat()}, headers=admin)
        assert response.status_code == 200, response.text
        rows = [r for r in response.json()["items"] if r["currency"] == "RON"]
        assert len(rows) == 1
        return {k: money(v) for k, v in rows[0].items() if k != "currency" and money(v)}

    assert await bucket_of(today()) == {"days_31_60": Decimal(10), "total": Decimal(10)}
    assert await bucket_of(due_date) == {"current": Decimal(10), "total": Decimal(10)}
    assert await bucket_of(due_date + timedelta(days=1)) == {
        "days_1_30": Decimal(10),
        "total": Decimal(10),
    }
