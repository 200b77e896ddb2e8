"""Column types the invoice tables share (the values of the enum columns are in ``enums``)."""

from sqlalchemy import Numeric

from tb_platform.columns import MONEY, string_enum

QUANTITY = Numeric(12, 3)
PERCENT = Numeric(5, 2)

__all__ = ["MONEY", "PERCENT", "QUANTITY", "string_enum"]
