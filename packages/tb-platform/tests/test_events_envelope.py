"""The envelope and the catalog: what producers may publish and what consumers read back."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from pydantic import ValidationError

from tb_platform.events import EVENT_TYPES, Envelope, UnknownEventType, transport_from_settings
from tb_platform.events.catalog import (
    AssetAssigned,
    EmployeeDeleted,
    InvoicePaid,
    PaymentRecorded,
)
from tb_platform.events.consumer import handled_types, handles
from tb_platform.events.rabbitmq import RabbitMqTransport
from tb_platform.events.redis_streams import RedisStreamsTransport

PAID_AT = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)


def _payment() -> PaymentRecorded:
    return PaymentRecorded(
        id=12,
        number="INV-2026-000012",
        customer_id=4,
        currency="EUR",
        total=Decimal("1210.00"),
        amount_paid=Decimal("1000.10"),
        balance_due=Decimal("209.90"),
        issue_date=dt.date(2026, 5, 1),
        payment_id=31,
        payment_amount=Decimal("1000.10"),
        paid_at=PAID_AT,
    )


def test_the_catalog_names_every_event_the_services_exchange() -> None:
    assert set(EVENT_TYPES) == {
        "employee.created", "employee.updated", "employee.deleted",
        "asset.created", "asset.updated", "asset.assigned", "asset.returned", "asset.disposed",
        "invoice.issued", "invoice.voided", "invoice.paid", "invoice.credited", "payment.recorded",
    }  # fmt: skip


def test_an_event_is_a_cloudevent_with_money_as_decimal_strings() -> None:
    envelope = Envelope.create(source="invoice-service", data=_payment())
    document = json.loads(envelope.to_json())

    assert document["specversion"] == "1.0"
    assert document["type"] == "payment.recorded"
    assert document["subject"] == "12"  # the invoice: its events stay in order
    assert document["source"] == "invoice-service"
    assert document["dataschema"] == "urn:tb-erp:events:payment.recorded:v1"
    assert document["schemaversion"] == 1
    assert "traceparent" not in document
    assert document["time"].endswith("Z")
    assert uuid.UUID(document["id"])
    assert document["data"]["amount_paid"] == "1000.10"
    assert document["data"]["payment_amount"] == "1000.10"
    assert document["data"]["issue_date"] == "2026-05-01"

    received = Envelope.from_json(envelope.to_json())
    assert received == envelope
    payment = PaymentRecorded.of(received)
    assert payment.balance_due == Decimal("209.90")
    assert payment.paid_at == PAID_AT


def test_a_consumer_ignores_fields_it_does_not_know_yet() -> None:
    envelope = Envelope.create(
        source="asset-service",
        type="asset.assigned",
        data={
            "id": 3, "tag": "AST-3", "name": "Laptop", "status": "assigned", "currency": "EUR",
            "purchase_cost": "1500.00", "book_value": "1250.00", "assigned_employee_id": 8,
            "location": "added by a later producer",
        },
    )  # fmt: skip
    asset = AssetAssigned.of(envelope)
    assert asset.assigned_employee_id == 8
    assert asset.book_value == Decimal("1250.00")


def test_a_producer_cannot_publish_a_wrong_shape_or_an_unknown_type() -> None:
    with pytest.raises(ValidationError, match="balance_due"):
        Envelope.create(source="invoice-service", type="invoice.paid", data={"id": 1})
    with pytest.raises(UnknownEventType, match=r"employee\.fired"):
        Envelope.create(source="employee-service", type="employee.fired", data={"id": 1})
    with pytest.raises(ValueError, match="carries InvoicePaid, not PaymentRecorded"):
        Envelope.create(source="invoice-service", type="invoice.paid", data=_payment())
    with pytest.raises(ValueError, match="timezone-aware"):
        Envelope.create(
            source="invoice-service",
            data=_payment(),
            time=dt.datetime(2026, 1, 1),  # noqa: DTZ001 - the naive time being refused
        )


def test_typed_data_refuses_an_event_of_another_type() -> None:
    envelope = Envelope.create(source="invoice-service", data=_payment())
    with pytest.raises(UnknownEventType, match=r"reads 'invoice\.paid'"):
        InvoicePaid.of(envelope)


def test_a_malformed_trace_header_is_dropped_not_carried() -> None:
    deleted = EmployeeDeleted(
        id=1, first_name="A", last_name="B", email="a@b.test", status="terminated"
    )
    assert Envelope.create(source="s", data=deleted, traceparent="garbage").traceparent is None
    good = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    envelope = Envelope.create(source="s", data=deleted, traceparent=good)
    assert envelope.trace_id == "0af7651916cd43dd8448eb211c80319c"


def test_a_handler_is_declared_for_catalog_types_only() -> None:
    @handles("employee.deleted", "employee.updated")
    async def sync_employee(uow: object, event: Envelope) -> None:
        return None

    assert handled_types(sync_employee) == ("employee.deleted", "employee.updated")
    with pytest.raises(UnknownEventType, match=r"employee\.delted"):
        handles("employee.delted")


def test_the_environment_picks_the_broker() -> None:
    rabbit = transport_from_settings(
        redis_url="redis://127.0.0.1:6379/0", broker_url="amqp://guest:guest@127.0.0.1:5672/"
    )
    assert isinstance(rabbit, RabbitMqTransport)
    redis = transport_from_settings(redis_url="redis://127.0.0.1:6379/0")
    assert isinstance(redis, RedisStreamsTransport)
    assert redis.stream == "tb-erp.events"
    with pytest.raises(ValueError, match="BROKER_URL"):
        transport_from_settings()
