"""``invoice-service seed-demo``: demo customers and invoices in every status. Safe to rerun.

Everything goes through the domain functions, in one unit of work, so numbers, tax records,
balances and the events other services learn them from are exactly what the API would have
produced. Dates are relative to today, so that "current" and "overdue" stay true whenever the
demo is seeded.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from tb_platform.db import Database
from tb_platform.employee_directory import EmployeeDirectory
from tb_platform.employees import employee_ids_by_email
from tb_platform.uow import Actor, UnitOfWork, unit_of_work

from ..core.config import InvoiceSettings
from ..db.events import EMPLOYEES, EVENTS
from ..models import Customer, Invoice, PaymentMethod
from ..schemas.credit_note import CreditLineInput, CreditNoteCreate
from ..schemas.customer import CustomerCreate
from ..schemas.invoice import InvoiceCreate, LineInput
from ..schemas.payment import PaymentCreate
from .credit_notes import create_credit_note
from .customers import create_customer
from .invoices import create_invoice, issue_invoice, void_invoice
from .payments import record_payment

ACTOR = Actor.system("seed-demo")
# The demo login "employee" is responsible for some invoices, so it sees those (and only those).
DEMO_EMPLOYEE_EMAIL = "employee@tb-erp.example"

DEMO_CUSTOMERS = [
    CustomerCreate(
        name="Northwind Traders Ltd",
        email="accounts@northwind.example",
        billing_address="12 Harbour Road\nBristol BS1 4DJ\nUnited Kingdom",
        tax_id="GB987654321",
        currency="EUR",
        payment_terms_days=30,
    ),
    CustomerCreate(
        name="Globex Corporation",
        email="ap@globex.example",
        billing_address="500 Oak Avenue\nSpringfield, IL 62701\nUSA",
        tax_id="US-47-1234567",
        currency="USD",
        payment_terms_days=45,
    ),
    CustomerCreate(
        name="Initech GmbH",
        email="rechnungen@initech.example",
        billing_address="Hauptstraße 5\n10115 Berlin\nGermany",
        tax_id="DE123456789",
        currency="EUR",
        payment_terms_days=14,
    ),
    CustomerCreate(
        name="Umbrella Retail SARL",
        email="compta@umbrella.example",
        billing_address="8 rue de la Paix\n75002 Paris\nFrance",
        tax_id="FR40303265045",
        currency="EUR",
        payment_terms_days=30,
    ),
]


def _line(description: str, quantity: str, price: str, tax: str, discount: str = "0") -> LineInput:
    return LineInput(
        description=description,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        discount_percent=Decimal(discount),
        tax_rate=Decimal(tax),
    )


@dataclass
class _Demo:
    customer: int  # index into DEMO_CUSTOMERS
    days_ago: int  # issue date = today - days_ago
    lines: list[LineInput]
    issue: bool = True
    notes: str | None = None
    for_demo_employee: bool = False
    # (days after issue, share of the total paid, method); a share of 1 pays the rest.
    payments: list[tuple[int, Decimal, PaymentMethod]] = field(default_factory=list)
    void_reason: str | None = None
    credit_first_line: Decimal | None = None  # quantity of the first line to credit


DEMO_INVOICES = [
    _Demo(  # paid, months ago
        customer=2,
        days_ago=150,
        lines=[
            _line("Network audit", "16", "95.00", "19"),
            _line("Travel costs", "1", "240.00", "19"),
        ],
        payments=[(12, Decimal(1), PaymentMethod.BANK_TRANSFER)],
    ),
    _Demo(  # issued, long overdue (90+ days), USD
        customer=1,
        days_ago=140,
        lines=[_line("Consulting retainer Q3", "1", "4500.00", "0")],
        notes="Reverse charge: customer accounts for the tax.",
    ),
    _Demo(  # voided
        customer=3,
        days_ago=120,
        lines=[_line("Display shelving", "4", "310.00", "20")],
        void_reason="Issued to the wrong customer entity",
    ),
    _Demo(  # paid in two instalments, USD
        customer=1,
        days_ago=95,
        lines=[_line("Software licences", "25", "48.00", "0", discount="10")],
        payments=[
            (10, Decimal("0.5"), PaymentMethod.CARD),
            (40, Decimal(1), PaymentMethod.BANK_TRANSFER),
        ],
    ),
    _Demo(  # issued, overdue 31-60 days
        customer=3,
        days_ago=75,
        lines=[_line("Store fit-out", "1", "2800.00", "20"), _line("Signage", "3", "145.50", "20")],
        for_demo_employee=True,
    ),
    _Demo(  # partially paid, overdue 1-30 days
        customer=0,
        days_ago=40,
        lines=[
            _line("Laptop 14-inch", "3", "1099.00", "20"),
            _line("Docking station", "3", "189.99", "20"),
            _line("Setup service (hours)", "4.5", "65.00", "20"),
        ],
        payments=[(5, Decimal("0.4"), PaymentMethod.BANK_TRANSFER)],
        for_demo_employee=True,
    ),
    _Demo(  # issued, with a credit note for part of a line
        customer=0,
        days_ago=20,
        lines=[_line("Office chairs", "10", "229.00", "20"), _line("Delivery", "1", "80.00", "20")],
        credit_first_line=Decimal(2),
    ),
    _Demo(  # issued, current
        customer=2,
        days_ago=5,
        lines=[
            _line("Support contract (month)", "1", "750.00", "19"),
            _line("Printed manuals", "20", "12.40", "7"),
        ],
    ),
    _Demo(  # draft
        customer=0,
        days_ago=1,
        issue=False,
        lines=[_line("Monitor 27-inch", "6", "289.00", "20")],
        notes="Waiting for the purchase order number.",
    ),
]


async def _seed(
    uow: UnitOfWork, *, demo_employee_id: int | None, employees: EmployeeDirectory
) -> None:
    customers = [await create_customer(uow, data=data) for data in DEMO_CUSTOMERS]
    today = uow.clock.today()
    for demo in DEMO_INVOICES:
        customer = customers[demo.customer]
        assert customer.id is not None
        issue_date = today - dt.timedelta(days=demo.days_ago)
        invoice: Invoice = await create_invoice(
            uow,
            data=InvoiceCreate(
                customer_id=customer.id,
                issue_date=issue_date,
                notes=demo.notes,
                employee_id=demo_employee_id if demo.for_demo_employee else None,
                lines=demo.lines,
            ),
            employees=employees,
        )
        assert invoice.id is not None
        if not demo.issue:
            continue
        invoice = await issue_invoice(uow, invoice_id=invoice.id)
        assert invoice.id is not None
        if demo.void_reason:
            await void_invoice(uow, invoice_id=invoice.id, reason=demo.void_reason)
            continue
        if demo.credit_first_line is not None:
            line_id = invoice.lines[0].id
            assert line_id is not None
            await create_credit_note(
                uow,
                invoice_id=invoice.id,
                data=CreditNoteCreate(
                    reason="Two chairs returned damaged",
                    lines=[CreditLineInput(line_id=line_id, quantity=demo.credit_first_line)],
                ),
            )
        for days_after, share, method in demo.payments:
            await uow.session.refresh(invoice)
            amount = (
                invoice.balance_due
                if share == 1
                else (invoice.total * share).quantize(Decimal("0.01"))
            )
            paid_at = dt.datetime.combine(
                issue_date + dt.timedelta(days=days_after), dt.time(10, 30), tzinfo=dt.UTC
            )
            await record_payment(
                uow,
                invoice_id=invoice.id,
                data=PaymentCreate(
                    amount=amount, paid_at=paid_at, method=method, reference=f"DEMO-{invoice.id}"
                ),
                idempotency_key=None,
            )


async def seed_demo(settings: InvoiceSettings) -> list[str]:
    """Demo customers and invoices; does nothing when the demo customers are already there."""
    demo_employee_id = (await employee_ids_by_email(settings)).get(DEMO_EMPLOYEE_EMAIL)
    database = Database.connect(settings.require_database_url(), pool_size=1, max_overflow=0)
    employees = EmployeeDirectory(EMPLOYEES, settings)
    emails = [customer.email for customer in DEMO_CUSTOMERS]
    try:
        async with unit_of_work(database, actor=ACTOR, outbox=EVENTS) as uow:
            existing: Any = await uow.session.scalar(
                select(col(Customer.id)).where(col(Customer.email).in_(emails)).limit(1)
            )
            if existing is None:
                await _seed(uow, demo_employee_id=demo_employee_id, employees=employees)
                note = "added"
            else:
                note = "already present, nothing added"
    finally:
        await employees.aclose()
        await database.dispose()
    names = ", ".join(customer.name for customer in DEMO_CUSTOMERS)
    return [
        f"customers: {len(DEMO_CUSTOMERS)} demo customers ({names}) - {note}",
        f"invoices: {len(DEMO_INVOICES)} demo invoices in every status"
        " (draft, issued, overdue, partially_paid, paid, void, credited) - " + note,
    ]
