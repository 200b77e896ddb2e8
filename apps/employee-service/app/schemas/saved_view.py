import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tb_platform.schemas import InputModel
from tb_platform.types import trimmed

from ..models import SavedViewResource

# A filter's or a column's name as the lists' query parameters and fields are named.
ListFieldName = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
FilterValue = Annotated[str, StringConstraints(max_length=500, pattern=r"^[^\x00]*$")]
MAX_FILTERS = 30
MAX_COLUMNS = 40


class SavedViewContent(InputModel):
    """What a saved view holds; PUT replaces all of it."""

    name: Annotated[str, trimmed(80)] = Field(
        description="1 to 80 characters (trimmed); unique per list for its owner, whatever its case"
    )
    filters: dict[ListFieldName, FilterValue] = Field(
        default_factory=dict,
        max_length=MAX_FILTERS,
        description=f"The list's query filters: at most {MAX_FILTERS}, name → value (text)",
    )
    sort: Annotated[str, trimmed(60)] | None = Field(
        default=None, description="The list's sort, e.g. -purchase_date"
    )
    columns: list[ListFieldName] | None = Field(
        default=None,
        max_length=MAX_COLUMNS,
        description=f"The columns shown, in order (at most {MAX_COLUMNS}); null: the default",
    )


class SavedViewCreate(SavedViewContent):
    resource: SavedViewResource = Field(description="The list the view is for")


class SavedViewReplace(SavedViewContent):
    """PUT's body: the whole content again. ``resource`` may be sent back as it is (a client may
    send the view as it created it), but a view cannot move to another list (422)."""

    resource: SavedViewResource | None = Field(
        default=None, description="Optional; when sent, the view's own list"
    )


class SavedViewPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_employee_id: int
    resource: SavedViewResource
    name: str
    filters: dict[str, str]
    sort: str | None
    columns: list[str] | None
    created_at: dt.datetime
    updated_at: dt.datetime
