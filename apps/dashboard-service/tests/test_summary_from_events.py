"""Events move the summary: headcount by department, asset counts and values, invoicing by month."""

from typing import Any

import httpx

from tb_platform.events.catalog import (
    AssetAssigned,
    AssetCreated,
    AssetDisposed,
    AssetReturned,
    AssetUpdated,
    EmployeeCreated,
    EmployeeDeleted,
    EmployeeUpdated,
    InvoiceCredited,
    InvoiceIssued,
    InvoicePaid,
    InvoiceVoided,
    PaymentRecorded,
)

from .conftest import (
    Feed,
    asset,
    at,
    employee,
    event,
    headcount_of,
    invoice,
    money,
    month_of,
    summary,
    totals_of,
)

ENGINEERING, SALES = (10, "Engineering"), (20, "Sales")
LAPTOPS, VEHICLES = (1, "Laptops"), (2, "Vehicles")


async def test_an_empty_read_model_answers_zeros(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    figures = await summary(client, admin)
    assert figures == {
        "assets": {
            "count": 0,
            "by_status": {
                "in_stock": 0,
                "assigned": 0,
                "in_maintenance": 0,
                "retired": 0,
                "disposed": 0,
            },
            "by_category": [],
            "totals": [],
        },
        "headcount": {"total": 0, "by_department": []},
        "invoices": {"by_month": []},
        "updated_at": None,
    }


async def test_headcount_counts_active_and_on_leave_employees_per_department(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    await feed.apply(
        event(EmployeeCreated(**employee(1, department=ENGINEERING)), time=at(1)),
        event(
            EmployeeCreated(**employee(2, status="on_leave", department=ENGINEERING)), time=at(2)
        ),
        event(EmployeeCreated(**employee(3, department=SALES)), time=at(3)),
        event(EmployeeCreated(**employee(4, department=SALES)), time=at(4)),
        event(EmployeeCreated(**employee(5)), time=at(5)),
    )
    figures = await summary(client, admin)
    assert figures["headcount"]["total"] == 5
    assert headcount_of(figures) == {
        10: ("Engineering", 2),
        20: ("Sales", 2),
        None: (None, 1),
    }

    # Someone leaves, someone moves to Engineering (whose name the event brings up to date).
    await feed.apply(
        event(EmployeeDeleted(**employee(3, status="terminated", department=SALES)), time=at(6)),
        event(EmployeeUpdated(**employee(4, department=(10, "R&D"))), time=at(7)),
    )
    figures = await summary(client, admin)
    assert figures["headcount"]["total"] == 4
    # Sales has nobody left: it is not listed.
    assert headcount_of(figures) == {10: ("R&D", 3), None: (None, 1)}
    assert figures["updated_at"] is not None

    # Back from termination (the employee service's reactivation).
    await feed.apply(
        event(EmployeeUpdated(**employee(3, department=SALES)), time=at(8)),
    )
    assert headcount_of(await summary(client, admin))[20] == ("Sales", 1)


async def test_assets_count_every_status_and_disposed_ones_leave_the_money_totals(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    await feed.apply(
        event(AssetCreated(**asset(1, cost="1200.00", book_value="900.50")), time=at(1)),
        event(AssetCreated(**asset(2, cost="800.25")), time=at(2)),
        event(
            AssetCreated(**asset(3, category=VEHICLES, currency="USD", cost="30000.00")),
            time=at(3),
        ),
        event(
            AssetCreated(**asset(4, category=VEHICLES, currency="JPY", cost="150000")),
            time=at(4),
        ),
    )
    figures = await summary(client, admin)
    assert figures["assets"]["count"] == 4
    assert figures["assets"]["by_status"]["in_stock"] == 4
    assert totals_of(figures, "EUR") == {
        "currency": "EUR",
        "cost": "2000.25",
        "book_value": "1700.75",
    }
    # A currency without minor unit is written without decimals.
    assert totals_of(figures, "JPY") == {
        "currency": "JPY",
        "cost": "150000",
        "book_value": "150000",
    }

    await feed.apply(
        event(
            AssetAssigned(
                **asset(1, status="assigned", cost="1200.00", book_value="900.50", holder=5)
            ),
            time=at(5),
        ),
        event(AssetUpdated(**asset(2, status="retired", cost="800.25")), time=at(6)),
        event(
            AssetDisposed(
                **asset(
                    3,
                    status="disposed",
                    category=VEHICLES,
                    currency="USD",
                    cost="30000.00",
                    book_value="0.00",
                )
            ),
            time=at(7),
        ),
    )
    figures = await summary(client, admin)
    assets = figures["assets"]
    assert assets["count"] == 4
    assert assets["by_status"] == {
        "in_stock": 1,
        "assigned": 1,
        "in_maintenance": 0,
        "retired": 1,
        "disposed": 1,
    }
    assert assets["by_category"] == [
        {"category_id": 1, "name": "Laptops", "count": 2},
        {"category_id": 2, "name": "Vehicles", "count": 2},
    ]
    # The retired laptop still counts; the disposed vehicle's currency has nothing left.
    assert [row["currency"] for row in assets["totals"]] == ["EUR", "JPY"]
    assert money(totals_of(figures, "EUR")["cost"]) == money("2000.25")

    await feed.apply(
        event(
            AssetReturned(**asset(1, cost="1200.00", book_value="880.00", holder=None)),
            time=at(8),
        ),
    )
    figures = await summary(client, admin)
    assert figures["assets"]["by_status"]["assigned"] == 0
    assert totals_of(figures, "EUR")["book_value"] == "1680.25"


async def test_invoicing_per_month_of_issue_and_collection_per_month_of_payment(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    await feed.apply(
        event(InvoiceIssued(**invoice(1, issued="2026-03-10", total="1190.00")), time=at(1)),
        event(InvoiceIssued(**invoice(2, issued="2026-03-20", total="500.50")), time=at(2)),
        event(InvoiceIssued(**invoice(3, issued="2026-04-02", total="300.00")), time=at(3)),
        event(
            InvoiceIssued(**invoice(4, issued="2026-04-05", total="10000", currency="JPY")),
            time=at(4),
        ),
    )
    march = month_of(await summary(client, admin), "2026-03", "EUR")
    assert march == {
        "month": "2026-03",
        "currency": "EUR",
        "invoiced": "1690.50",
        "collected": "0.00",
        "outstanding": "1690.50",
    }

    # Invoice 1 is paid in two parts, in March and in April; invoice 2 is credited.
    await feed.apply(
        event(
            PaymentRecorded(
                **invoice(1, issued="2026-03-10", total="1190.00", paid="190.00"),
                payment_id=11,
                payment_amount="190.00",
                paid_at="2026-03-28T23:30:00-02:00",  # 2026-03-29 01:30 UTC
            ),
            time=at(5),
        ),
        event(
            PaymentRecorded(
                **invoice(1, issued="2026-03-10", total="1190.00", paid="1190.00"),
                payment_id=12,
                payment_amount="1000.00",
                paid_at="2026-04-01T00:30:00+02:00",  # still March in UTC
            ),
            time=at(6),
        ),
        event(
            InvoicePaid(**invoice(1, issued="2026-03-10", total="1190.00", paid="1190.00")),
            time=at(6),
        ),
        event(
            InvoiceCredited(
                **invoice(2, issued="2026-03-20", total="500.50", credited="100.50"),
                credit_note_id=1,
                credit_amount="100.50",
                credit_date="2026-04-03",
            ),
            time=at(7),
        ),
        event(
            PaymentRecorded(
                **invoice(3, issued="2026-04-02", total="300.00", paid="50.00"),
                payment_id=13,
                payment_amount="50.00",
                paid_at="2026-05-01T08:00:00Z",
            ),
            time=at(8),
        ),
        event(
            InvoiceVoided(**invoice(4, issued="2026-04-05", total="10000", currency="JPY")),
            time=at(9),
        ),
    )
    figures = await summary(client, admin)
    assert [(row["month"], row["currency"]) for row in figures["invoices"]["by_month"]] == [
        ("2026-03", "EUR"),
        ("2026-04", "EUR"),
        ("2026-05", "EUR"),
    ]
    assert month_of(figures, "2026-03", "EUR") == {
        "month": "2026-03",
        "currency": "EUR",
        "invoiced": "1590.00",  # 1190.00 + 500.50 - 100.50 credited
        "collected": "1190.00",
        "outstanding": "400.00",  # what invoice 2 still owes
    }
    assert month_of(figures, "2026-04", "EUR") == {
        "month": "2026-04",
        "currency": "EUR",
        "invoiced": "300.00",
        "collected": "0.00",
        "outstanding": "250.00",
    }
    # Collected in May for an April invoice; the voided JPY invoice counts nowhere.
    may = month_of(figures, "2026-05", "EUR")
    assert (may["invoiced"], may["collected"], may["outstanding"]) == ("0.00", "50.00", "0.00")


async def test_a_refund_is_a_negative_collection_in_its_month(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    paid: dict[str, Any] = invoice(1, issued="2026-03-10", total="200.00", paid="200.00")
    await feed.apply(
        event(InvoiceIssued(**invoice(1, issued="2026-03-10", total="200.00")), time=at(1)),
        event(
            PaymentRecorded(
                **paid,
                payment_id=1,
                payment_amount="200.00",
                paid_at="2026-03-11T10:00:00Z",
            ),
            time=at(2),
        ),
    )
    refunded = invoice(1, issued="2026-03-10", total="200.00", paid="150.00", credited="50.00")
    await feed.apply(
        event(
            InvoiceCredited(
                **refunded, credit_note_id=1, credit_amount="50.00", credit_date="2026-04-01"
            ),
            time=at(3),
        ),
        event(
            PaymentRecorded(
                **refunded,
                payment_id=2,
                payment_amount="-50.00",
                paid_at="2026-04-01T09:00:00Z",
            ),
            time=at(3),
        ),
    )
    figures = await summary(client, admin)
    march, april = month_of(figures, "2026-03", "EUR"), month_of(figures, "2026-04", "EUR")
    assert (march["invoiced"], march["collected"], march["outstanding"]) == (
        "150.00",
        "200.00",
        "0.00",
    )
    assert april["collected"] == "-50.00"
