"""Types the response and request models share."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer

from tb_platform.money import decimal_type
from tb_platform.types import trimmed

# A decimal as it leaves the API: a string ("1234.50"), whatever its sign.
Amount = Annotated[
    Decimal, PlainSerializer(lambda value: str(value), return_type=str, when_used="json")
]

Quantity = decimal_type(max_digits=12, decimal_places=3, gt=0)

# Clocks drift a little; a later instant is a typo, not a payment.
CLOCK_SKEW = dt.timedelta(minutes=5)


# Nothing the company records predates this; it also keeps clear of 0001-01-01, which the driver
# would store as -infinity.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def _not_in_future(value: dt.datetime) -> dt.datetime:
    if value > dt.datetime.now(dt.UTC) + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    if value < EARLIEST:
        raise ValueError("must not be before 1900-01-01")
    return value


NotFuture = AfterValidator(_not_in_future)

Reason = Annotated[str, trimmed(500)]
