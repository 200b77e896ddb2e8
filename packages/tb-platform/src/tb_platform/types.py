"""Input types every service validates alike."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
)

PG_INT_MAX = 2_147_483_647

# An id as it arrives in a path, query or body: positive and within PostgreSQL's INTEGER, so that
# a huge number is a 422 rather than a database error.
Id = Annotated[int, Field(ge=1, le=PG_INT_MAX)]


def _check_email(value: str) -> str:
    try:
        # No DNS look-up (no network), and internal domains such as *.local are accepted: a
        # company's own mail domain need not be globally deliverable.
        result = validate_email(
            value, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return result.normalized


# ``format: email`` for inputs in the OpenAPI document, so that clients (and generated tests)
# know the field wants an address, not any text. Not for answers: an internationalised address
# that email-validator accepts (``ü@firma.test``) is no ``email`` to a strict JSON Schema reader.
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_check_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}, mode="validation"),
]


def trimmed(max_length: int, *, min_length: int = 1) -> StringConstraints:
    """Constraints of a trimmed string: ``Annotated[str, trimmed(100)]``.

    NUL characters are refused here because PostgreSQL cannot store them in text.
    """
    return StringConstraints(
        strip_whitespace=True,
        min_length=min_length,
        max_length=max_length,
        pattern=r"^[^\x00]*$",
    )


# Free text a list is searched with (``?q=``).
SearchText = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


# The dates a business record may carry. Year 1 or 9999 is a typo, not a transaction, and would
# otherwise number an invoice INV-0001-… and show in every report.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_as_iso_text(value: Any) -> Any:
    # JSON has no date type: a date is the ISO text "2026-07-03". A number (0 would be 1970-01-01
    # as a Unix time) or another layout is refused rather than guessed.
    if isinstance(value, datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date as ISO text, YYYY-MM-DD")
    return value


def _date_in_range(value: date) -> date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"must be between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}")
    return value


# A calendar date of a business record (an invoice, a purchase, a hire, a day of attendance).
BusinessDate = Annotated[date, BeforeValidator(_date_as_iso_text), AfterValidator(_date_in_range)]


def _datetime_as_iso_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date and time as ISO 8601 text with a UTC offset")
    return value


def _to_utc(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date and time is outside the supported range") from exc
    _date_in_range(utc.date())
    return utc


# A timezone-aware instant (a naive one is refused), as ISO text, normalised to UTC, in 1900-2200.
UtcDatetime = Annotated[
    AwareDatetime, BeforeValidator(_datetime_as_iso_text), AfterValidator(_to_utc)
]

# Clocks of browsers, the web app and the services drift a little; later than this is a typo.
CLOCK_SKEW = timedelta(minutes=5)


def _not_in_future(value: datetime) -> datetime:
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return value


# An instant that has happened (a check-in, a payment, a repair), within the clock skew.
PastUtcDatetime = Annotated[UtcDatetime, AfterValidator(_not_in_future)]
