"""The registry of integration events: one pydantic model per event type, shared by every service.

Producers build the model and publish it (``await uow.publish(EmployeeDeleted(...))``); consumers
read it back from the envelope (``EmployeeDeleted.of(event)``). Because both sides import this one
module, a field renamed on one side is a type error on the other, not a silent ``None`` at run time.

Rules that keep old consumers working while producers move on:

- models ignore fields they do not know (a producer may add a field; a consumer on the previous
  version still reads the event);
- a change that removes or retypes a field is a new ``schema_version`` of the type;
- money is a decimal *string* in JSON (``"1234.50"``), never a float, and a ``Decimal`` in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
)

if TYPE_CHECKING:
    from .envelope import Envelope


class UnknownEventType(ValueError):
    """An event type that is not in the catalog (a typo, or a type nobody registered)."""


def _no_float(value: Any) -> Any:
    # A float has already lost the exact amount (0.1 is 0.1000000000000000055…); its str() is the
    # amount the sender meant, and a bool is never an amount.
    if isinstance(value, bool):
        raise ValueError("must be a decimal string")
    if isinstance(value, float):
        return str(value)
    return value


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite amount")
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    AfterValidator(_finite),
    PlainSerializer(str, return_type=str, when_used="json"),
]
"""An exact amount of money: ``Decimal`` in Python, a decimal string (``"1234.50"``) in JSON."""


class EventData(BaseModel):
    """The ``data`` of one event type. Subclasses set ``event_type`` (and ``schema_version``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1

    id: int

    def subject(self) -> str:
        """The aggregate the event is about (``subject`` of the envelope): its id, as a string.

        Consumers may rely on events of one subject arriving in the order they were written.
        """
        return str(self.id)

    @classmethod
    def of(cls, event: Envelope) -> Self:
        """The typed data of ``event``; refuses an event of another type."""
        if cls.event_type and event.type != cls.event_type:
            raise UnknownEventType(f"{cls.__name__} reads {cls.event_type!r}, not {event.type!r}")
        return cls.model_validate(event.data)


# --- employees (employee-service) -----------------------------------------------------------


class EmployeeData(EventData):
    """An employee as other services need to know them."""

    first_name: str
    last_name: str
    email: str
    status: str
    department_id: int | None = None
    department_name: str | None = None


class EmployeeCreated(EmployeeData):
    event_type: ClassVar[str] = "employee.created"


class EmployeeUpdated(EmployeeData):
    event_type: ClassVar[str] = "employee.updated"


class EmployeeDeleted(EmployeeData):
    """Published when an employee is terminated (the row stays; the status says ``terminated``)."""

    event_type: ClassVar[str] = "employee.deleted"


# --- assets (asset-service) -----------------------------------------------------------------


class AssetData(EventData):
    """An asset with its money figures and who holds it."""

    tag: str
    name: str
    category_id: int | None = None
    category_name: str | None = None
    status: str
    currency: str
    purchase_cost: Amount
    book_value: Amount
    assigned_employee_id: int | None = None
    # Why the asset came back (``asset.returned``): e.g. "employee terminated".
    reason: str | None = None


class AssetCreated(AssetData):
    event_type: ClassVar[str] = "asset.created"


class AssetUpdated(AssetData):
    event_type: ClassVar[str] = "asset.updated"


class AssetAssigned(AssetData):
    event_type: ClassVar[str] = "asset.assigned"


class AssetReturned(AssetData):
    event_type: ClassVar[str] = "asset.returned"


class AssetDisposed(AssetData):
    event_type: ClassVar[str] = "asset.disposed"


# --- invoices (invoice-service) -------------------------------------------------------------


class InvoiceData(EventData):
    """An invoice's totals after the change the event reports; ``id`` is the invoice's id."""

    number: str | None = None
    customer_id: int
    customer_name: str | None = None
    customer_email: str | None = None
    employee_id: int | None = None
    status: str | None = None
    currency: str
    total: Amount
    amount_paid: Amount
    credited_total: Amount = Decimal(0)
    balance_due: Amount
    issue_date: dt.date
    due_date: dt.date | None = None


class InvoiceIssued(InvoiceData):
    event_type: ClassVar[str] = "invoice.issued"


class InvoiceVoided(InvoiceData):
    event_type: ClassVar[str] = "invoice.voided"


class InvoicePaid(InvoiceData):
    """The balance due reached zero."""

    event_type: ClassVar[str] = "invoice.paid"


class InvoiceCredited(InvoiceData):
    """A credit note lowered what the customer owes."""

    event_type: ClassVar[str] = "invoice.credited"

    credit_note_id: int
    credit_amount: Amount
    credit_date: dt.date


class PaymentRecorded(InvoiceData):
    """A payment against an invoice; the subject is the invoice, so its events stay in order."""

    event_type: ClassVar[str] = "payment.recorded"

    payment_id: int
    payment_amount: Amount
    paid_at: AwareDatetime


EVENT_TYPES: Mapping[str, type[EventData]] = {
    model.event_type: model
    for model in (
        EmployeeCreated,
        EmployeeUpdated,
        EmployeeDeleted,
        AssetCreated,
        AssetUpdated,
        AssetAssigned,
        AssetReturned,
        AssetDisposed,
        InvoiceIssued,
        InvoiceVoided,
        InvoicePaid,
        InvoiceCredited,
        PaymentRecorded,
    )
}
"""Every event type of TB ERP → the model of its data."""


def data_model(event_type: str) -> type[EventData]:
    """The model of ``event_type``'s data; :class:`UnknownEventType` if it is not in the catalog."""
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(f"{event_type!r} is not an event type of the catalog") from None
