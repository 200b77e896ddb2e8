import datetime as dt
from decimal import Decimal
from typing import Annotated, ClassVar, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from tb_platform.bulk import BulkRequest
from tb_platform.money import (
    CURRENCIES,
    Currency,
    InCurrency,
    Money,
    MoneyByCurrency,
    MoneyOut,
    as_written,
    decimal_type,
)
from tb_platform.schemas import InputModel, PatchModel
from tb_platform.types import BusinessDate, Id, PastUtcDatetime, trimmed

from ..models.asset import gain_loss
from ..models.enums import AssetStatus, DepreciationMethod, MaintenanceKind
from ..services.schedules import value_on

AssetTag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,39}$"
    ),
]
AssetName = Annotated[str, trimmed(200)]
Serial = Annotated[str, trimmed(100)]
Location = Annotated[str, trimmed(200)]
Notes = Annotated[str, trimmed(5000)]
LifeMonths = Annotated[int, Field(ge=1, le=600)]
# Annual percent of a declining-balance method: above 0, at most 100. decimal_type builds the
# Annotated type at run time (its signature says Any), which mypy cannot take as an alias.
DecliningRate: TypeAlias = decimal_type(max_digits=5, decimal_places=2, gt=0, le=100)  # type: ignore[valid-type]


class AssetCreate(InputModel):
    asset_tag: AssetTag | None = None
    name: AssetName
    serial_number: Serial | None = None
    category_id: Id
    location: Location | None = None
    purchase_date: BusinessDate
    purchase_cost: Money
    salvage_value: Money | None = Field(
        default=None, description="Default: cost x the category's salvage percent"
    )
    currency: Currency = "EUR"
    useful_life_months: LifeMonths | None = Field(default=None, description="Default: category's")
    depreciation_method: DepreciationMethod | None = Field(
        default=None, description="Default: the category's"
    )
    declining_rate: DecliningRate | None = Field(
        default=None, description="Annual percent; only for declining_balance"
    )
    notes: Notes | None = None


class AssetUpdate(PatchModel):
    not_nullable: ClassVar[frozenset[str]] = frozenset(
        {
            "asset_tag",
            "name",
            "category_id",
            "purchase_date",
            "purchase_cost",
            "salvage_value",
            "currency",
            "useful_life_months",
            "depreciation_method",
            "status",
        }
    )

    asset_tag: AssetTag | None = None
    name: AssetName | None = None
    serial_number: Serial | None = None
    category_id: Id | None = None
    location: Location | None = None
    purchase_date: BusinessDate | None = None
    purchase_cost: Money | None = None
    salvage_value: Money | None = None
    currency: Currency | None = None
    useful_life_months: LifeMonths | None = None
    depreciation_method: DepreciationMethod | None = None
    declining_rate: DecliningRate | None = None
    notes: Notes | None = None
    status: AssetStatus | None = Field(
        default=None, description="Only in_stock <-> retired; other moves have their own endpoints"
    )


class AssetPublic(BaseModel):
    """Amounts in the asset's currency, with its decimals ("1200.00" EUR, "120000" JPY)."""

    # Read from a row of services.assets.valued_assets (its accumulated_depreciation on the
    # business date) with context={"at": date}: the book value on that date and the gain or loss
    # of a disposal are worked out in _valued, once per row, from the row's own values. _valued
    # also puts every amount in the form its currency writes (tb_platform.money.as_written), so
    # that they are written as plain Decimals: the list's hot path, where MoneyOut's call per
    # amount and InCurrency's per model cost a page of fifty a tenth of its time. The JSON and
    # the OpenAPI schema are MoneyOut's (a string).
    model_config = ConfigDict(from_attributes=True)

    id: int
    asset_tag: str
    name: str
    serial_number: str | None
    category_id: int
    status: AssetStatus
    location: str | None
    purchase_date: dt.date
    purchase_cost: Decimal
    salvage_value: Decimal
    currency: str
    useful_life_months: int
    depreciation_method: DepreciationMethod
    declining_rate: Decimal | None
    assigned_employee_id: int | None
    notes: str | None
    book_value: Decimal | None = None
    accumulated_depreciation: Decimal | None = None
    disposal_date: dt.date | None
    disposal_proceeds: Decimal | None
    disposal_reason: str | None
    book_value_at_disposal: Decimal | None
    gain_loss: Decimal | None = None
    created_by: str
    updated_by: str
    created_at: dt.datetime
    updated_at: dt.datetime

    _AMOUNTS: ClassVar[tuple[str, ...]] = (
        "purchase_cost",
        "salvage_value",
        "book_value",
        "accumulated_depreciation",
        "disposal_proceeds",
        "book_value_at_disposal",
        "gain_loss",
    )

    @model_validator(mode="after")
    def _valued(self, info: ValidationInfo) -> "AssetPublic":
        at = info.context.get("at") if isinstance(info.context, dict) else None
        if at is not None and self.accumulated_depreciation is not None:
            self.book_value = value_on(
                at,
                cost=self.purchase_cost,
                accumulated=self.accumulated_depreciation,
                disposal_date=self.disposal_date,
            )
        self.gain_loss = gain_loss(self.disposal_proceeds, self.book_value_at_disposal)
        if CURRENCIES.get(self.currency, 2) != 2:
            # Amounts read from NUMERIC(14, 2) columns, and their differences, are written as a
            # 2-decimal currency writes them already (PostgreSQL has no negative zero); only
            # another currency's are put in its form (JPY: "120000", not "120000.00").
            values = self.__dict__  # validated above: no __setattr__ for the page's hot path
            for name in self._AMOUNTS:
                amount = values[name]
                if amount is not None:
                    values[name] = as_written(amount, self.currency)
        return self


class AssignBody(InputModel):
    employee_id: Id
    notes: Annotated[str, trimmed(1000)] | None = None


ReturnReason = Annotated[str, trimmed(200)]


class ReturnBody(InputModel):
    notes: Annotated[str, trimmed(1000)] | None = None
    reason: ReturnReason | None = Field(
        default=None, description="Why it came back (kept in the history and the event)"
    )


class AssetBulk(BulkRequest):
    """One action on many assets, by the rules of its single-row endpoint; all or nothing."""

    action_fields = {
        "assign": {"employee_id": True, "note": False},
        "return": {"note": False, "reason": False},
        "set_status": {"status": True},
        "set_category": {"category_id": True},
    }

    action: Literal["assign", "return", "set_status", "set_category"] = Field(
        description="assign and return as their endpoints; set_status and set_category as PATCH"
    )
    employee_id: Id | None = Field(default=None, description="assign: who gets the assets")
    status: Literal[AssetStatus.IN_STOCK, AssetStatus.RETIRED] | None = Field(
        default=None, description="set_status: in_stock or retired (what PATCH may set)"
    )
    category_id: Id | None = Field(default=None, description="set_category: the new category")
    note: Annotated[str, trimmed(1000)] | None = Field(
        default=None, description="assign, return: kept in each asset's assignment history"
    )
    reason: ReturnReason | None = Field(
        default=None, description="return: why they came back (history and event)"
    )


class AssignmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    asset_id: int
    employee_id: int
    assigned_at: dt.datetime
    returned_at: dt.datetime | None
    assigned_by: str
    returned_by: str | None
    return_reason: str | None = Field(
        description='Why it came back: the return\'s reason, or "employee terminated"'
    )
    notes: str | None


class DisposeBody(InputModel):
    date: BusinessDate
    proceeds: Money
    reason: Annotated[str, trimmed(500)]


class MaintenanceCreate(InputModel):
    kind: MaintenanceKind
    description: Annotated[str, trimmed(5000)]
    vendor: Annotated[str, trimmed(200)] | None = None
    cost: Money = Decimal(0)
    started_at: PastUtcDatetime | None = None
    completed_at: PastUtcDatetime | None = None
    next_due_date: BusinessDate | None = None


class MaintenanceComplete(InputModel):
    completed_at: PastUtcDatetime | None = None
    cost: Money | None = None
    next_due_date: BusinessDate | None = None


class MaintenancePublic(InCurrency):
    model_config = ConfigDict(from_attributes=True)

    id: int
    asset_id: int
    kind: MaintenanceKind
    description: str
    vendor: str | None
    currency: str = Field(description="The asset's")
    cost: MoneyOut
    started_at: dt.datetime
    completed_at: dt.datetime | None
    next_due_date: dt.date | None
    created_by: str
    created_at: dt.datetime


class MaintenanceDue(BaseModel):
    asset_id: int
    asset_tag: str
    asset_name: str
    log_id: int
    kind: MaintenanceKind
    next_due_date: dt.date


class SchedulePeriod(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    period: str
    period_start: dt.date
    period_end: dt.date
    depreciation_amount: MoneyOut
    accumulated_depreciation: MoneyOut
    book_value: MoneyOut


class Schedule(InCurrency):
    asset_id: int
    method: DepreciationMethod
    currency: str
    items: list[SchedulePeriod]
    total: int


class BookValue(InCurrency):
    asset_id: int
    at: dt.date
    currency: str
    book_value: MoneyOut
    accumulated_depreciation: MoneyOut


class CategoryCount(BaseModel):
    category_id: int
    name: str
    count: int


class AssetSummary(BaseModel):
    total_assets: int
    by_status: dict[AssetStatus, int]
    by_category: list[CategoryCount]
    total_purchase_cost: MoneyByCurrency
    total_book_value: MoneyByCurrency


class ImportResult(BaseModel):
    imported: int
    ids: list[int]
