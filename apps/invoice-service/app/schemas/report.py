import datetime as dt

from pydantic import BaseModel, Field

from .common import Amount


class TaxRecordSum(BaseModel):
    currency: str
    tax_rate: Amount
    taxable_amount: Amount
    tax_amount: Amount
    records: int


class TaxRecordSums(BaseModel):
    items: list[TaxRecordSum]
    total: int


class CurrencyTotals(BaseModel):
    currency: str
    invoiced: Amount
    collected: Amount
    outstanding: Amount


class MonthTotals(BaseModel):
    month: str = Field(description="YYYY-MM")
    currency: str
    invoiced: Amount
    collected: Amount
    outstanding: Amount


class Summary(BaseModel):
    items: list[MonthTotals]
    totals: list[CurrencyTotals]


class AgingRow(BaseModel):
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
