"""Types the response and request models share."""

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

from tb_platform.money import MoneyOut, decimal_type
from tb_platform.types import trimmed

# An amount as it leaves the API: a string with the decimals of the currency of the response
# ("1234.50" EUR, "1235" JPY), whatever its sign. The models holding one derive from
# tb_platform.money.InCurrency, or are nested in one.
Amount = MoneyOut

# Any other decimal as it leaves the API (a quantity, a rate): a string with its stored digits.
DecimalText = Annotated[
    Decimal, PlainSerializer(lambda value: str(value), return_type=str, when_used="json")
]

Quantity = decimal_type(max_digits=12, decimal_places=3, gt=0)


Reason = Annotated[str, trimmed(500)]
