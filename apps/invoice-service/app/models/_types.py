"""Column types the invoice tables share."""

import datetime as dt

from sqlalchemy import Numeric

from tb_platform.columns import MONEY

QUANTITY = Numeric(12, 3)
PERCENT = Numeric(5, 2)

__all__ = ["MONEY", "PERCENT", "QUANTITY", "dt"]
