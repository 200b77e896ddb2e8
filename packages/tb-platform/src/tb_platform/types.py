"""Input types every service validates alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

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


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_check_email)
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


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date and time is outside the supported range") from exc


# A timezone-aware instant (a naive one is refused), normalised to UTC.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]

# Clocks of browsers, the web app and the services drift a little; later than this is a typo.
CLOCK_SKEW = timedelta(minutes=5)


def _not_in_future(value: datetime) -> datetime:
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return value


# An instant that has happened (a check-in, a payment, a repair), within the clock skew.
PastUtcDatetime = Annotated[UtcDatetime, AfterValidator(_not_in_future)]
