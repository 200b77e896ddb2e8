"""Payments: recording them, the balance they leave, and idempotent retries."""

from datetime import UTC, datetime, timedelta

import httpx

from tb_platform.uow import FrozenClock

from .conftest import INVOICES, Factory, line, money


async def test_an_accountant_records_a_payment(
    client: httpx.AsyncClient, accountant: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("1", "250.00", tax_rate="20")])
    paid_at = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    response = await client.post(
        f"{INVOICES}/{invoice['id']}/payments",
        json={
            "amount": 100,
            "method": "bank_transfer",
            "reference": "SEPA 123",
            "paid_at": paid_at.isoformat(),
        },
        headers=accountant,
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["invoice_id"] == invoice["id"]
    assert payment["amount"] == "100.00"
    assert payment["method"] == "bank_transfer"
    assert payment["reference"] == "SEPA 123"
    assert datetime.fromisoformat(payment["paid_at"]) == paid_at
    assert payment["created_at"]

    after = await make.get(invoice["id"])
    assert after["status"] == "partially_paid"
    assert after["amount_paid"] == "100.00"
    assert money(after["balance_due"]) == money(invoice["total"]) - 100
    assert [p["id"] for p in after["payments"]] == [payment["id"]]

    listed = await client.get(f"{INVOICES}/{invoice['id']}/payments", headers=accountant)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"] if isinstance(listed.json(), dict) else listed.json()
    assert [p["id"] for p in items] == [payment["id"]]


async def test_paid_at_defaults_to_now(make: Factory, clock: FrozenClock) -> None:
    invoice = await make.issued()
    payment = await make.pay(invoice["id"], "1.00", method="cash")
    assert datetime.fromisoformat(payment["paid_at"]) == clock.now()
    assert payment["reference"] is None


async def test_every_method_is_accepted(make: Factory) -> None:
    invoice = await make.issued(lines=[line("1", "10.00")])
    for method in ("bank_transfer", "card", "cash", "other"):
        assert (await make.pay(invoice["id"], "1.00", method=method))["method"] == method
    assert (await make.get(invoice["id"]))["amount_paid"] == "4.00"


async def test_paying_the_whole_balance_marks_the_invoice_paid(make: Factory) -> None:
    invoice = await make.issued(lines=[line("3", "33.33", tax_rate="19")])
    await make.pay(invoice["id"], invoice["total"])
    paid = await make.get(invoice["id"])
    assert paid["status"] == "paid"
    assert paid["balance_due"] == "0.00"
    assert paid["amount_paid"] == invoice["total"]
    assert paid["is_overdue"] is False


async def test_a_retry_with_the_same_key_records_one_payment(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    url = f"{INVOICES}/{invoice['id']}/payments"
    body = {"amount": "25.00", "method": "card", "reference": "retry me"}
    headers = {**admin, "Idempotency-Key": "pay-once-8f2c"}

    first = await client.post(url, json=body, headers=headers)
    again = await client.post(url, json=body, headers=headers)

    assert first.status_code == 201, first.text
    assert first.headers.get("Idempotent-Replayed") in (None, "false")
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    after = await make.get(invoice["id"])
    assert [p["id"] for p in after["payments"]] == [first.json()["id"]]
    assert after["amount_paid"] == "25.00"


async def test_the_same_key_with_another_body_is_a_conflict(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    url = f"{INVOICES}/{invoice['id']}/payments"
    headers = {**admin, "Idempotency-Key": "pay-once-77aa"}
    first = await client.post(url, json={"amount": "25.00", "method": "card"}, headers=headers)
    assert first.status_code == 201, first.text
    for other in (
        {"amount": "26.00", "method": "card"},
        {"amount": "25.00", "method": "cash"},
        {"amount": "25.00", "method": "card", "reference": "different"},
    ):
        reused = await client.post(url, json=other, headers=headers)
        assert reused.status_code == 409, reused.text
        assert reused.json()["code"] == "idempotency_key_reused"
    after = await make.get(invoice["id"])
    assert after["amount_paid"] == "25.00"
    assert len(after["payments"]) == 1


async def test_different_keys_are_different_payments(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued()
    url = f"{INVOICES}/{invoice['id']}/payments"
    body = {"amount": "5.00", "method": "cash"}
    a = await client.post(url, json=body, headers={**admin, "Idempotency-Key": "key-a-1"})
    b = await client.post(url, json=body, headers={**admin, "Idempotency-Key": "key-b-1"})
    no_key = await client.post(url, json=body, headers=admin)
    assert {a.status_code, b.status_code, no_key.status_code} == {201}
    assert len({a.json()["id"], b.json()["id"], no_key.json()["id"]}) == 3
    assert (await make.get(invoice["id"]))["amount_paid"] == "15.00"


async def test_a_refused_payment_does_not_burn_its_key(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("1", "50.00")])
    url = f"{INVOICES}/{invoice['id']}/payments"
    headers = {**admin, "Idempotency-Key": "too-much-then-right"}
    too_much = await client.post(url, json={"amount": "60.00", "method": "cash"}, headers=headers)
    assert too_much.status_code == 422, too_much.text
    assert (await make.get(invoice["id"]))["payments"] == []
    # The refusal left no trace, so the key is free for the corrected request.
    right = await client.post(url, json={"amount": "50.00", "method": "cash"}, headers=headers)
    assert right.status_code == 201, right.text
    assert (await make.get(invoice["id"]))["status"] == "paid"


async def test_payments_are_listed_with_their_fields(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    invoice = await make.issued(lines=[line("1", "90.00")])
    now = datetime.now(UTC).replace(microsecond=0)
    second = await make.pay(invoice["id"], "20.00", paid_at=(now - timedelta(days=1)).isoformat())
    first = await make.pay(invoice["id"], "10.00", paid_at=(now - timedelta(days=3)).isoformat())
    listed = await client.get(f"{INVOICES}/{invoice['id']}/payments", headers=hr)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"] if isinstance(listed.json(), dict) else listed.json()
    assert {p["id"] for p in items} == {first["id"], second["id"]}
    for payment in items:
        assert set(payment) >= {
            "id",
            "invoice_id",
            "amount",
            "paid_at",
            "method",
            "reference",
            "created_by",
            "created_at",
        }
        money(payment["amount"])
