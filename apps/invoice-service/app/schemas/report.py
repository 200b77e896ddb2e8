import datetime as dt

from pydantic import BaseModel, Field

from tb_platform.money import InCurrency

from .common import Amount, DecimalText


class TaxRecordSum(InCurrency):
    currency: str
    tax_rate: DecimalText
    taxable_amount: Amount
    tax_amount: Amount
    records: int


class TaxRecordSums(BaseModel):
    items: list[TaxRecordSum]
    total: int


class CurrencyTotals(InCurrency):
    currency: str
    invoiced: Amount
    collected: Amount
    outstanding: Amount


class MonthTotals(InCurrency):
    month: str = Field(description="YYYY-MM")
    currency: str
    invoiced: Amount
    collected: Amount
    outstanding: Amount


class Summary(BaseModel):
    items: list[MonthTotals]
    totals: list[CurrencyTotals]


class AgingRow(InCurrency):
    currency: str
    current: Amount
    days_1_30: Amount
    days_31_60: Amount
    days_61_90: Amount
    days_90_plus: Amount
    total: Amount


class Aging(BaseModel):
    as_of: dt.date
    items: list[AgingRow]
