"""Bulk actions: one action applied to many rows in one request, all or nothing.

A service's bulk endpoint takes a body derived from :class:`BulkRequest` (``ids``: 1 to 200
unique ids, plus the action and its fields) and hands :func:`run_bulk` the single-row domain
function, so that every row follows exactly the rules (and publishes exactly the events) of the
single-row endpoint::

    @router.post("/bulk", response_model=BulkResult[AssetPublic], responses=BULK_RESPONSES)
    async def bulk_assets(body: AssetBulk, _: WriteAssets, uow: UnitOfWorkDep) -> ...:
        step = await service.bulk_step(uow, body=body)
        return await run_bulk(uow, action=body.action, ids=body.ids, apply=step, present=...)

Every row runs in a savepoint of the request's unit of work, so a row that fails leaves the
session usable for the next one. When every row succeeds the answer is 200 with each row's item
(in request order) and the unit commits once. When any row fails nothing is kept — neither the
rows that succeeded nor their outbox events — and the answer is a 409 ``bulk_rejected`` listing
why each failing row failed (rows that would have succeeded say ``ok: true`` with no item).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy.exc import IntegrityError

from .errors import AppError, Conflict, InvalidField
from .schemas import InputModel
from .types import Id
from .uow import UnitOfWork

__all__ = [
    "BULK_RESPONSES",
    "MAX_BULK_IDS",
    "BulkIds",
    "BulkRejected",
    "BulkRejectedBody",
    "BulkRequest",
    "BulkResult",
    "BulkRowDone",
    "BulkRowFailed",
    "BulkRowPassed",
    "run_bulk",
]

MAX_BULK_IDS = 200

T = TypeVar("T")
Item = TypeVar("Item")

# What a failing row answers with: the statuses a single-row endpoint refuses a row with. Other
# failures (the database or a backing service being down) fail the whole request as they are.
ROW_STATUSES = frozenset({403, 404, 409, 422})


def _unique(ids: list[int]) -> list[int]:
    seen: set[int] = set()
    repeated = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
    if repeated:
        raise ValueError(f"ids must be unique; repeated: {', '.join(map(str, repeated))}")
    return ids


BulkIds = Annotated[
    list[Id],
    Field(
        min_length=1,
        max_length=MAX_BULK_IDS,
        description=f"The rows to act on: 1 to {MAX_BULK_IDS} unique ids",
        json_schema_extra={"uniqueItems": True},
    ),
    AfterValidator(_unique),
]


class BulkRequest(InputModel):
    """The body of a bulk action: ``action`` (a subclass's ``Literal``), ``ids`` and the fields
    of the actions.

    ``action_fields`` says which of the optional body fields each action uses, and which of
    those it requires: ``{"assign": {"employee_id": True, "note": False}}``. Call
    :meth:`check_action_fields` before running the rows: a required field left out, or a field
    another action uses sent anyway, is a 422 naming that field.
    """

    action_fields: ClassVar[Mapping[str, Mapping[str, bool]]] = {}

    action: str
    ids: BulkIds

    def check_action_fields(self) -> None:
        """422 on the first field the action needs but lacks, or gets but does not use."""
        used = self.action_fields.get(self.action, {})
        for field, required in used.items():
            if required and getattr(self, field) is None:
                raise InvalidField(field, f"{field} is required for action {self.action}")
        others = {field for fields in self.action_fields.values() for field in fields}
        for field in sorted(others - used.keys()):
            if getattr(self, field) is not None:
                users = sorted(a for a, fields in self.action_fields.items() if field in fields)
                raise InvalidField(
                    field, f"{field} is only used by action {' or '.join(users)}, not {self.action}"
                )


class BulkRowDone(BaseModel, Generic[Item]):
    """A row the action was applied to, as the single-row endpoint would answer it."""

    id: int
    ok: Literal[True] = True
    item: Item


class BulkRowPassed(BaseModel):
    """In a rejected bulk action: a row that would have succeeded (nothing was changed)."""

    id: int
    ok: Literal[True] = True
    item: None = None


class BulkRowFailed(BaseModel):
    """A row the action cannot be applied to: the status, code and message the single-row
    endpoint would have answered (``field``: the input a 422 is about)."""

    id: int
    ok: Literal[False] = False
    status: int
    code: str
    detail: str
    field: str | None = None


class BulkResult(BaseModel, Generic[Item]):
    """200: the action was applied to every row, and committed once."""

    action: str
    succeeded: int
    failed: Literal[0] = 0
    results: list[BulkRowDone[Item]]


class BulkRejectedBody(BaseModel):
    """409 ``bulk_rejected``: at least one row cannot take the action, so nothing was changed."""

    detail: str
    code: Literal["bulk_rejected"] = "bulk_rejected"
    action: str
    succeeded: Literal[0] = 0
    failed: int
    results: list[BulkRowPassed | BulkRowFailed]


BULK_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {
        "model": BulkRejectedBody,
        "description": "At least one row cannot take the action: nothing was changed, and "
        "results says why for each row (code bulk_rejected)",
    },
}
"""``responses=`` of a bulk route: its 409 documented with the body it really has."""


class BulkRejected(Conflict):
    """The 409 of a bulk action that failed on at least one row."""

    code = "bulk_rejected"

    def __init__(
        self,
        *,
        action: str,
        total: int,
        results: Sequence[BulkRowPassed | BulkRowFailed],
        done: str,
    ) -> None:
        failed = sum(1 for row in results if not row.ok)
        super().__init__(
            f"{failed} of {total} rows cannot be {done}; nothing was changed",
            extra={
                "action": action,
                "succeeded": 0,
                "failed": failed,
                "results": [row.model_dump(mode="json") for row in results],
            },
        )


def _message(error: AppError) -> tuple[str, str | None]:
    """A row error's message, and the input field it is about (a 422's first failing field)."""
    detail = error.detail
    if isinstance(detail, list) and detail and all(isinstance(d, dict) for d in detail):
        fields = [str(d.get("field", "")) for d in detail]
        message = "; ".join(
            f"{f}: {d.get('msg', '')}" if f else str(d.get("msg", ""))
            for f, d in zip(fields, detail, strict=True)
        )
        return message, fields[0] or None
    return str(detail), None


def _failure(row_id: int, error: AppError) -> BulkRowFailed:
    message, field = _message(error)
    return BulkRowFailed(
        id=row_id, status=error.status_code, code=error.code, detail=message, field=field
    )


async def run_bulk(
    uow: UnitOfWork,
    *,
    action: str,
    ids: Sequence[int],
    apply: Callable[[int], Awaitable[T]],
    present: Callable[[list[T]], Awaitable[Sequence[Item]]],
    done: str | None = None,
) -> BulkResult[Item]:
    """Apply ``apply`` to each of ``ids``, each in a savepoint of ``uow``; all or none.

    Rows are applied in ascending id order (so that concurrent bulk requests lock rows in one
    order), and answered in the request's order.

    ``apply(id)`` is the single-row domain function (it flushes, never commits); an
    :class:`~tb_platform.errors.AppError` it raises with a 403/404/409/422 marks the row as
    failed, and the rows after it still run so that the answer lists every failing row. When
    every row succeeded, ``present`` turns the rows' results into the answer's items (once, for
    all of them) and the request's unit of work commits them. Otherwise :class:`BulkRejected`
    is raised: the unit rolls back, outbox rows included. ``done`` is the action as the message
    says it ("2 of 5 rows cannot be {done}"), by default ``f"{action}ed"``.
    """
    changed: dict[int, T] = {}
    outcomes: dict[int, BulkRowPassed | BulkRowFailed] = {}
    # In id order, whatever the request's: two bulk requests on overlapping rows then lock them
    # in the same order and one waits for the other instead of both deadlocking.
    for row_id in sorted(ids):
        published = len(uow.events)
        try:
            async with uow.session.begin_nested():
                result = await apply(row_id)
        except AppError as error:
            if error.status_code not in ROW_STATUSES:
                raise
            outcome: BulkRowPassed | BulkRowFailed = _failure(row_id, error)
        except IntegrityError:
            # A unique or foreign key the row's checks did not see (another request won a race).
            outcome = BulkRowFailed(
                id=row_id,
                status=409,
                code="conflict",
                detail="The row conflicts with another record",
            )
        else:
            changed[row_id] = result
            outcomes[row_id] = BulkRowPassed(id=row_id)
            continue
        # The savepoint took the row's outbox rows back; the unit forgets their envelopes too.
        del uow.events[published:]
        outcomes[row_id] = outcome
    if len(changed) < len(ids):
        raise BulkRejected(
            action=action,
            total=len(ids),
            results=[outcomes[row_id] for row_id in ids],
            done=done or f"{action}ed",
        )
    items = await present([changed[row_id] for row_id in ids])
    return BulkResult(
        action=action,
        succeeded=len(items),
        results=[
            BulkRowDone(id=row_id, item=item) for row_id, item in zip(ids, items, strict=True)
        ],
    )
