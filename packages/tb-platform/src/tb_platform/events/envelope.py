"""The envelope every integration event travels in: CloudEvents 1.0 attributes, JSON data.

One envelope is written to the outbox, published to the broker and handed to the consumers
unchanged; its ``id`` is what consumers de-duplicate on.
"""

from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from .catalog import EventData, data_model

TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
"""A W3C ``traceparent`` header value: version-traceid-spanid-flags."""


def valid_traceparent(value: str | None) -> str | None:
    """``value`` when it is a well-formed W3C traceparent, else None (a bad one is dropped)."""
    return value if value and TRACEPARENT.match(value) else None


EventType = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", max_length=100)
]

D = TypeVar("D", bound=BaseModel)


def dataschema_for(event_type: str, version: int) -> str:
    """The ``dataschema`` URI of one version of an event type's data."""
    return f"urn:tb-erp:events:{event_type}:v{version}"


class Envelope(BaseModel):
    """A CloudEvents 1.0 event (structured JSON mode) with the ``data`` as a JSON object.

    Extension attributes: ``schemaversion`` (the version of ``data``'s shape) and ``traceparent``
    (the W3C trace context of the operation that produced the event, when there was one).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID
    type: EventType
    source: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    schemaversion: int = Field(default=1, ge=1)
    traceparent: str | None = None
    data: dict[str, Any]

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_validator("traceparent")
    @classmethod
    def _valid_traceparent(cls, value: str | None) -> str | None:
        # A malformed trace header from a client is dropped rather than carried along.
        return valid_traceparent(value)

    @classmethod
    def create(
        cls,
        *,
        source: str,
        data: EventData | Mapping[str, Any],
        type: str | None = None,
        subject: str | None = None,
        time: datetime | None = None,
        id: uuid.UUID | None = None,
        traceparent: str | None = None,
    ) -> Envelope:
        """A new event of a catalog type, its ``data`` checked against the catalog's model.

        ``type`` defaults to the model's type and ``subject`` to the data's ``id``; ``time``
        defaults to now (UTC). Data of the wrong shape for ``type`` raises ``ValidationError``,
        and a type missing from the catalog raises :class:`~.catalog.UnknownEventType`.
        """
        event_type = type or (data.event_type if isinstance(data, EventData) else "")
        model = data_model(event_type)
        if isinstance(data, EventData) and not isinstance(data, model):
            raise ValueError(
                f"{event_type!r} carries {model.__name__}, not {data.__class__.__name__}"
            )
        checked = data if isinstance(data, model) else model.model_validate(data)
        if time is not None and time.tzinfo is None:
            raise ValueError("event time must be timezone-aware")
        return cls(
            id=id or uuid.uuid4(),
            type=event_type,
            source=source,
            subject=subject or checked.subject(),
            time=time or datetime.now(UTC),
            dataschema=dataschema_for(event_type, model.schema_version),
            schemaversion=model.schema_version,
            traceparent=traceparent,
            data=checked.model_dump(mode="json"),
        )

    @property
    def trace_id(self) -> str | None:
        """The trace id part of ``traceparent``."""
        return self.traceparent.split("-")[1] if self.traceparent else None

    def data_as(self, model: builtins.type[D]) -> D:
        """``data`` read as ``model`` (for catalog types prefer ``Model.of(event)``)."""
        return model.model_validate(self.data)

    def to_json(self) -> bytes:
        """The structured-mode CloudEvents JSON document, as bytes for the broker."""
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        """Parse a structured-mode CloudEvents JSON document (``ValidationError`` if malformed)."""
        return cls.model_validate_json(body)
