"""Base classes of request bodies, shared so that every service validates input the same way."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


class InputModel(BaseModel):
    """A request body: unknown fields are refused so that a typo is a 422, not silently ignored.

    A number field takes finite numbers only: ``"NaN"`` or ``"1e400"`` as text (JSON's own
    ``NaN`` and ``1e400`` are refused before, by :mod:`tb_platform.limits`) is no quantity.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class PatchModel(InputModel):
    """A partial update: absent fields stay as they are, ``null`` clears a nullable field.

    Fields named in ``not_nullable`` are declared optional (they may be absent) but refuse an
    explicit ``null``.
    """

    not_nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_nullable:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their new values."""
        return self.model_dump(exclude_unset=True)
