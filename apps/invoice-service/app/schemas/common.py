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

# Nothing the company records predates this; it also keeps clear of 0001-01-01, which the driver
# would store as -infinity.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def _not_before_1900(value: dt.datetime) -> dt.datetime:
    if value < EARLIEST:
        raise ValueError("must not be before 1900-01-01")
    return value


NotBefore1900 = AfterValidator(_not_before_1900)

Reason = Annotated[str, trimmed(500)]
