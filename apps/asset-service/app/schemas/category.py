import datetime as dt
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tb_platform.money import Percent
from tb_platform.schemas import InputModel, PatchModel
from tb_platform.types import trimmed

from ..models.enums import DepreciationMethod

CategoryName = Annotated[str, trimmed(100)]
CategoryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9_-]{1,20}$"),
]
LifeMonths = Annotated[int, Field(ge=1, le=600)]


class CategoryCreate(InputModel):
    name: CategoryName
    code: CategoryCode
    default_useful_life_months: LifeMonths
    default_depreciation_method: DepreciationMethod = DepreciationMethod.STRAIGHT_LINE
    default_salvage_percent: Percent = Decimal(0)


class CategoryUpdate(PatchModel):
    not_nullable: ClassVar[frozenset[str]] = frozenset(
        {
            "name",
            "code",
            "default_useful_life_months",
            "default_depreciation_method",
            "default_salvage_percent",
        }
    )

    name: CategoryName | None = None
    code: CategoryCode | None = None
    default_useful_life_months: LifeMonths | None = None
    default_depreciation_method: DepreciationMethod | None = None
    default_salvage_percent: Percent | None = None


class CategoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    code: str
    default_useful_life_months: int
    default_depreciation_method: DepreciationMethod
    default_salvage_percent: Decimal
    created_at: dt.datetime
    updated_at: dt.datetime
