"""Tax records, the monthly summary and the aging report, each with data whose answer is known.

Every test here uses a currency of its own (the concurrency tests commit EUR rows that every
later test can see), so the rows of the report that belong to that currency are this test's only.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tb_platform.uow import FrozenClock

from .conftest import Factory, expected_line, line, money

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
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    clock: FrozenClock,
) -> None:
    customer = await make.customer(currency="PLN")
    invoice = await make.issued(
        customer, issue_date="2020-05-10", lines=[line("2", "50.00", tax_rate="23")]
    )
    net, tax, _ = expected_line("2", "50.00", 0, "23")
    await make.void(invoice["id"])
    voided_draft = await make.draft(customer, lines=[line("1", "10.00", tax_rate="23")])
    await make.void(voided_draft["id"])
    day = clock.today().isoformat()

    may = await _tax_rows(client, admin, "PLN", **{"from": "2020-05-01", "to": "2020-05-31"})
    assert _sums(may) == {Decimal(23): (net, tax, 1)}
    void_day = await _tax_rows(client, admin, "PLN", **{"from": day, "to": day})
    assert _sums(void_day) == {Decimal(23): (-net, -tax, 1)}
    both = await _tax_rows(client, admin, "PLN", **{"from": "2020-05-01", "to": day})
    assert _sums(both) == {Decimal(23): (Decimal(0), Decimal(0), 2)}


async def test_the_monthly_summary_of_invoiced_collected_and_outstanding(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    clock: FrozenClock,
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
    credited, voided = money(credit["total"]), money(void["total"])
    # As on 2021-02-28: the invoice voided today was still open, the credit note not yet issued.
    assert rows == {
        "2021-01": (total_a + total_b + voided, total_b, total_a - 40 + voided),
        "2021-02": (total_c, Decimal(40), total_c),
    }
    totals = [t for t in body["totals"] if t["currency"] == "DKK"]
    assert len(totals) == 1
    assert (
        money(totals[0]["invoiced"]),
        money(totals[0]["collected"]),
        money(totals[0]["outstanding"]),
    ) == (
        total_a + total_b + voided + total_c,
        total_b + 40,
        total_a - 40 + voided + total_c,
    )

    # The credit note and the void count against the month they happened in.
    this_month = clock.today().strftime("%Y-%m")
    now = await client.get(
        SUMMARY, params={"from": clock.today().replace(day=1).isoformat()}, headers=admin
    )
    assert now.status_code == 200, now.text
    current = [r for r in now.json()["items"] if r["currency"] == "DKK"]
    assert [(r["month"], money(r["invoiced"])) for r in current] == [
        (this_month, -credited - voided)
    ]


async def test_aging_puts_each_outstanding_balance_in_its_bucket(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    clock: FrozenClock,
) -> None:
    customer = await make.customer(currency="CZK")
    as_of = clock.today()
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
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    clock: FrozenClock,
) -> None:
    customer = await make.customer(currency="RON")
    due_date = clock.today() - timedelta(days=31)
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

    assert await bucket_of(clock.today()) == {"days_31_60": Decimal(10), "total": Decimal(10)}
    assert await bucket_of(due_date) == {"current": Decimal(10), "total": Decimal(10)}
    assert await bucket_of(due_date + timedelta(days=1)) == {
        "days_1_30": Decimal(10),
        "total": Decimal(10),
    }
    # Without as_of, the aging is as of the clock's today.
    clock.advance(timedelta(days=30))
    response = await client.get(AGING, headers=admin)
    assert response.json()["as_of"] == clock.today().isoformat()
    [row] = [r for r in response.json()["items"] if r["currency"] == "RON"]
    assert money(row["days_61_90"]) == Decimal(10)


def _at(day: date, time: str = "12:00:00") -> str:
    """A paid_at on ``day`` (UTC)."""
    return f"{day.isoformat()}T{time}+00:00"


async def _aging_of(
    client: httpx.AsyncClient, headers: dict[str, str], currency: str, as_of: date
) -> dict[str, Decimal]:
    response = await client.get(AGING, params={"as_of": as_of.isoformat()}, headers=headers)
    assert response.status_code == 200, response.text
    rows = [r for r in response.json()["items"] if r["currency"] == currency]
    assert len(rows) <= 1
    return {k: money(v) for k, v in rows[0].items() if k != "currency" and money(v)} if rows else {}


async def test_aging_at_a_past_date_counts_only_what_had_happened_by_then(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    clock: FrozenClock,
) -> None:
    """Payments (by the UTC day they were made) and credit notes after the date do not count;
    an invoice paid or voided since was still open then; one issued later was not yet."""
    customer = await make.customer(currency="HUF")
    as_of = clock.today() - timedelta(days=40)

    def days(n: int) -> str:
        return (as_of + timedelta(days=n)).isoformat()

    # Current on as_of, paid in full ten days later.
    paid_later = await make.issued(
        customer, lines=[line("1", "100.00")], issue_date=days(-2), due_date=days(28)
    )
    await make.pay(paid_later["id"], "100.00", paid_at=_at(as_of + timedelta(days=10)))
    # 40 days past due on as_of: paid 300 late that evening, 200 just after midnight, then
    # credited 100 today.
    late = await make.issued(
        customer, lines=[line("1", "1000.00")], issue_date=days(-50), due_date=days(-40)
    )
    await make.pay(late["id"], "300.00", paid_at=_at(as_of, "23:30:00"))
    await make.pay(late["id"], "200.00", paid_at=_at(as_of + timedelta(days=1), "00:30:00"))
    await make.credit(late["id"], amount="100.00", tax_rate="0")
    # Issued the day after as_of.
    await make.issued(customer, lines=[line("1", "50.00")], issue_date=days(1), due_date=days(31))
    # One day past due on as_of, voided today.
    voided = await make.issued(
        customer, lines=[line("1", "20.00")], issue_date=days(-10), due_date=days(-1)
    )
    await make.void(voided["id"])
    # Paid in full the day before as_of.
    settled = await make.issued(
        customer, lines=[line("1", "80.00")], issue_date=days(-20), due_date=days(-15)
    )
    await make.pay(settled["id"], "80.00", paid_at=_at(as_of - timedelta(days=1)))
    # Paid before as_of; credited today for more than was still owed, so 10 were refunded.
    refunded = await make.issued(
        customer, lines=[line("1", "60.00")], issue_date=days(-30), due_date=days(-20)
    )
    await make.pay(refunded["id"], "60.00", paid_at=_at(as_of - timedelta(days=2)))
    await make.credit(refunded["id"], amount="10.00", tax_rate="0")
    # A draft is never outstanding.
    await make.draft(customer, lines=[line("1", "999.00")], issue_date=days(-10))

    assert await _aging_of(client, admin, "HUF", as_of) == {
        "current": Decimal(100),
        "days_1_30": Decimal(20),
        "days_31_60": Decimal(1000 - 300),
        "total": Decimal(820),
    }
    assert await _aging_of(client, admin, "HUF", as_of + timedelta(days=5)) == {
        "current": Decimal(100 + 50),
        "days_1_30": Decimal(20),
        "days_31_60": Decimal(1000 - 300 - 200),
        "total": Decimal(670),
    }
    assert await _aging_of(client, admin, "HUF", as_of - timedelta(days=3)) == {
        "current": Decimal(20),
        "days_1_30": Decimal(80 + 60),
        "days_31_60": Decimal(1000),
        "total": Decimal(1160),
    }
    # Today: the void and the credit notes count, and the balances match the invoices'.
    assert await _aging_of(client, admin, "HUF", clock.today()) == {
        "days_1_30": Decimal(50),
        "days_61_90": Decimal(1000 - 300 - 200 - 100),
        "total": Decimal(450),
    }
    assert money((await make.get(late["id"]))["balance_due"]) == Decimal(400)
    assert await _aging_of(client, admin, "HUF", as_of - timedelta(days=60)) == {}


async def _summary_of(
    client: httpx.AsyncClient, headers: dict[str, str], currency: str, **params: str
) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    response = await client.get(SUMMARY, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return {
        r["month"]: (money(r["invoiced"]), money(r["collected"]), money(r["outstanding"]))
        for r in response.json()["items"]
        if r["currency"] == currency
    }


async def test_a_summary_up_to_a_past_date_is_what_was_true_on_that_date(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    make: Factory,
    clock: FrozenClock,
) -> None:
    """Outstanding is what was still due at the end of the range; an invoice voided since was
    invoiced in its month (the void counts in the month it happened, like its tax records)."""
    customer = await make.customer(currency="MXN")
    paid = await make.issued(customer, lines=[line("1", "100.00")], issue_date="2025-03-10")
    await make.pay(paid["id"], "100.00", paid_at="2025-04-05T09:00:00+00:00")
    voided = await make.issued(customer, lines=[line("1", "200.00")], issue_date="2025-03-15")
    await make.void(voided["id"])  # today
    credited = await make.issued(customer, lines=[line("1", "300.00")], issue_date="2025-03-20")
    await make.credit(credited["id"], amount="50.00", tax_rate="0")  # today
    zero = Decimal(0)

    march = {"from": "2025-03-01", "to": "2025-03-31"}
    assert await _summary_of(client, admin, "MXN", **march) == {
        "2025-03": (Decimal(600), zero, Decimal(600)),
    }
    april = {"from": "2025-03-01", "to": "2025-04-30"}
    assert await _summary_of(client, admin, "MXN", **april) == {
        "2025-03": (Decimal(600), zero, Decimal(500)),
        "2025-04": (zero, Decimal(100), zero),
    }
    this_month = clock.today().strftime("%Y-%m")
    assert await _summary_of(client, admin, "MXN", **{"from": "2025-03-01"}) == {
        "2025-03": (Decimal(600), zero, Decimal(250)),
        "2025-04": (zero, Decimal(100), zero),
        this_month: (Decimal(-200 - 50), zero, zero),
    }
