"""Properties over random invoices and payment sequences, checked against an independent model.

The expected values are computed here with ``Decimal`` and ROUND_HALF_UP from the README formula,
never taken from the service.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import INVOICES, Factory, expected_line, fields_of, money

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _scaled(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


def _wire(value: Decimal, as_number: bool) -> Any:
    """A decimal as the client sends it: a string, or a JSON number (int or float)."""
    if not as_number:
        return str(value)
    return int(value) if value == value.to_integral_value() else float(value)


RATES = st.one_of(
    st.sampled_from([Decimal(r) for r in ("0", "5", "7", "10", "19", "20", "21", "25", "100")]),
    _scaled(0, 10_000, 2),
)
LINES = st.lists(
    st.fixed_dictionaries(
        {
            "quantity": _scaled(1, 10_000_000, 3),  # 0.001 … 10000.000
            "unit_price": _scaled(0, 10_000_000, 2),  # 0.00 … 100000.00
            "discount_percent": st.one_of(st.just(Decimal(0)), _scaled(0, 10_000, 2)),
            "tax_rate": RATES,
            "as_number": st.booleans(),
        }
    ),
    min_size=1,
    max_size=8,
)


@PROPERTY_SETTINGS
@given(lines=LINES)
async def test_every_random_invoice_adds_up(
    client: httpx.AsyncClient, admin: dict[str, str], lines: list[dict[str, Any]]
) -> None:
    make = Factory(client, admin)
    body_lines = [
        {
            "description": f"Item {n}",
            **{
                key: _wire(spec[key], spec["as_number"])
                for key in ("quantity", "unit_price", "discount_percent", "tax_rate")
            },
        }
        for n, spec in enumerate(lines)
    ]
    invoice = await make.draft(lines=body_lines)

    expected = [
        expected_line(
            spec["quantity"], spec["unit_price"], spec["discount_percent"], spec["tax_rate"]
        )
        for spec in lines
    ]
    got = [
        (money(row["net_amount"]), money(row["tax_amount"]), money(row["total"]))
        for row in invoice["lines"]
    ]
    assert got == expected
    assert money(invoice["subtotal"]) == sum(net for net, _, _ in expected)
    assert money(invoice["tax_total"]) == sum(tax for _, tax, _ in expected)
    assert money(invoice["total"]) == sum(total for _, _, total in expected)
    assert money(invoice["balance_due"]) == money(invoice["total"])
    for spec, row in zip(lines, invoice["lines"], strict=True):
        assert Decimal(row["quantity"]) == spec["quantity"]
        assert money(row["unit_price"]) == spec["unit_price"]


@PROPERTY_SETTINGS
@given(
    total_cents=st.integers(100, 100_000),
    payments=st.lists(st.integers(1, 60_000), min_size=1, max_size=6),
    settle=st.booleans(),
)
async def test_random_payment_sequences_keep_the_balance(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    total_cents: int,
    payments: list[int],
    settle: bool,
) -> None:
    make = Factory(client, admin)
    total = Decimal(total_cents).scaleb(-2)
    invoice = await make.issued(
        lines=[{"description": "Service", "quantity": "1", "unit_price": str(total)}]
    )
    assert money(invoice["total"]) == total
    url = f"{INVOICES}/{invoice['id']}/payments"

    paid = Decimal(0)
    amounts = [Decimal(cents).scaleb(-2) for cents in payments]
    if settle:
        amounts.append(Decimal(-1))  # placeholder: whatever is left
    for amount in amounts:
        if amount < 0:
            amount = total - paid
            if amount == 0:
                continue
        response = await client.post(
            url, json={"amount": str(amount), "method": "cash"}, headers=admin
        )
        if amount <= total - paid:
            assert response.status_code == 201, response.text
            paid += amount
        else:
            assert fields_of(response) == ["amount"]

        current = await make.get(invoice["id"])
        assert money(current["amount_paid"]) == paid
        assert money(current["balance_due"]) == total - paid
        if paid == total:
            assert current["status"] == "paid"
        elif paid > 0:
            assert current["status"] == "partially_paid"
        else:
            assert current["status"] == "issued"
        assert sum(money(p["amount"]) for p in current["payments"]) == paid


CREDITS = st.lists(
    st.one_of(
        st.tuples(st.just("line"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("amount"), st.integers(0, 2), st.integers(1, 30_000)),
    ),
    min_size=1,
    max_size=4,
)


@PROPERTY_SETTINGS
@given(
    specs=st.lists(
        st.tuples(st.integers(1, 5), st.integers(100, 20_000), st.sampled_from([0, 10, 20])),
        min_size=1,
        max_size=3,
    ),
    paid_share=st.integers(0, 100),
    credits=CREDITS,
)
async def test_random_credit_notes_keep_balance_payments_and_refunds_consistent(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    specs: list[tuple[int, int, int]],
    paid_share: int,
    credits: list[tuple[str, int, int]],
) -> None:
    make = Factory(client, admin)
    lines = [
        {
            "description": f"Item {n}",
            "quantity": str(q),
            "unit_price": str(Decimal(cents).scaleb(-2)),
            "tax_rate": str(rate),
        }
        for n, (q, cents, rate) in enumerate(specs)
    ]
    invoice = await make.issued(lines=lines)
    line_totals = [
        expected_line(sent["quantity"], sent["unit_price"], 0, sent["tax_rate"])[2]
        for sent in lines
    ]
    total = sum(line_totals, Decimal(0))
    assert money(invoice["total"]) == total
    invoiced_at: dict[Decimal, Decimal] = {}
    for sent, line_total in zip(lines, line_totals, strict=True):
        rate = Decimal(sent["tax_rate"])
        invoiced_at[rate] = invoiced_at.get(rate, Decimal(0)) + line_total
    rates = sorted(invoiced_at)

    paid = round_half_up_cents(total * paid_share / 100)
    if paid > 0:
        await make.pay(invoice["id"], str(paid))
    credited = Decimal(0)
    credited_at = dict.fromkeys(rates, Decimal(0))
    credited_lines: set[int] = set()
    url = f"{INVOICES}/{invoice['id']}/credit-notes"

    for kind, index, cents in credits:
        if kind == "line":
            index %= len(lines)
            amount = line_totals[index]
            rate = Decimal(lines[index]["tax_rate"])
            body: dict[str, Any] = {
                "reason": "r",
                "lines": [{"line_id": invoice["lines"][index]["id"]}],
            }
            allowed = index not in credited_lines and amount <= total - credited
        else:
            rate = rates[index % len(rates)]
            amount = Decimal(cents).scaleb(-2)
            body = {"reason": "r", "amount": str(amount), "tax_rate": str(rate)}
            # Never more than is still creditable, in all and at that rate.
            allowed = amount <= total - credited and amount <= invoiced_at[rate] - credited_at[rate]
        response = await client.post(url, json=body, headers=admin)
        if not allowed:
            assert response.status_code == 422, (body, response.text)
            continue
        assert response.status_code == 201, (body, response.text)
        note = response.json()
        assert money(note["total"]) == amount
        if kind == "amount":
            net = round_half_up_cents(amount * 100 / (100 + rate))
            assert (money(note["subtotal"]), money(note["tax_total"])) == (net, amount - net)
        else:
            credited_lines.add(index)
        owed = total - credited - paid
        refund = max(Decimal(0), amount - owed)
        assert money(note["refund_amount"]) == refund
        credited += amount
        credited_at[rate] += amount
        paid -= refund

        current = await make.get(invoice["id"])
        assert money(current["credited_total"]) == credited
        assert money(current["amount_paid"]) == paid
        assert money(current["balance_due"]) == total - credited - paid
        if total - credited - paid == 0:
            assert current["status"] == "paid"
        elif paid > 0:
            assert current["status"] == "partially_paid"
        else:
            assert current["status"] == "issued"


def round_half_up_cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
