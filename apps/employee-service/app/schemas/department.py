import datetime as dt
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints

from tb_platform.schemas import InputModel, PatchModel
from tb_platform.types import Id, trimmed

DepartmentName = Annotated[str, trimmed(120)]
DepartmentCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        min_length=1,
        max_length=20,
        pattern=r"^[A-Za-z0-9_-]+$",
    ),
]


class DepartmentCreate(InputModel):
    name: DepartmentName
    code: DepartmentCode | None = None
    parent_id: Id | None = None
    manager_id: Id | None = None


class DepartmentUpdate(PatchModel):
    not_nullable: ClassVar[frozenset[str]] = frozenset({"name"})

    name: DepartmentName | None = None
    code: DepartmentCode | None = None
    parent_id: Id | None = None
    manager_id: Id | None = None


class DepartmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    code: str | None
    parent_id: int | None
    manager_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
