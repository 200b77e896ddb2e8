import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from tb_platform.bulk import BULK_RESPONSES, BulkResult, run_bulk
from tb_platform.db import replica_read
from tb_platform.errors import InvalidField
from tb_platform.money import Currency, Money
from tb_platform.paging import ListParamsDep, Page
from tb_platform.query import parse_id_list
from tb_platform.types import BusinessDate, Id, SearchText
from tb_platform.uow import UnitOfWork

from ....core.cache import ASSET_PAGE, AssetPagesDep
from ....core.permissions import ReadAssets, ReadReports, WriteAssets
from ....models import Asset, AssetStatus
from ....schemas.asset import (
    AssetBulk,
    AssetCreate,
    AssetPublic,
    AssetSummary,
    AssetUpdate,
    AssignBody,
    AssignmentPublic,
    BookValue,
    DisposeBody,
    ImportResult,
    ReturnBody,
    Schedule,
    SchedulePeriod,
)
from ....services import assets as service
from ....services import csv_io
from ....services.assets import AssetFilters
from ....services.schedules import accumulated_at, book_value, schedule_of
from ...deps import DirectoryDep, ReadableAsset, UnitOfWorkDep

router = APIRouter(prefix="/assets", tags=["assets"])


async def _asset_filters(
    q: Annotated[SearchText | None, Query(description="Tag, name or serial contains")] = None,
    status: Annotated[AssetStatus | None, Query()] = None,
    category_id: Annotated[Id | None, Query()] = None,
    assigned_employee_id: Annotated[Id | None, Query()] = None,
    location: Annotated[
        SearchText | None, Query(description="Location contains (any case)")
    ] = None,
    serial_number: Annotated[
        SearchText | None, Query(description="Serial number contains (any case)")
    ] = None,
    currency: Annotated[Currency | None, Query(description="ISO 4217 code, e.g. EUR")] = None,
    purchased_from: Annotated[
        BusinessDate | None, Query(description="Purchase date from (inclusive)")
    ] = None,
    purchased_to: Annotated[
        BusinessDate | None, Query(description="Purchase date to (inclusive)")
    ] = None,
    cost_min: Annotated[Money | None, Query(description="Purchase cost at least")] = None,
    cost_max: Annotated[Money | None, Query(description="Purchase cost at most")] = None,
    ids: Annotated[
        str | None,
        Query(description="Only these: comma-separated ids (at most 500), e.g. a selection"),
    ] = None,
) -> AssetFilters:
    """The filters a list and an export share, checked alike (422 naming the parameter)."""
    if purchased_from and purchased_to and purchased_from > purchased_to:
        raise InvalidField(
            "purchased_from", "purchased_from is after purchased_to", location="query"
        )
    if cost_min is not None and cost_max is not None and cost_min > cost_max:
        raise InvalidField("cost_min", "cost_min is more than cost_max", location="query")
    return AssetFilters(
        q=q,
        status=status,
        category_id=category_id,
        assigned_employee_id=assigned_employee_id,
        location=location,
        serial_number=serial_number,
        currency=currency,
        purchased_from=purchased_from,
        purchased_to=purchased_to,
        cost_min=cost_min,
        cost_max=cost_max,
        ids=parse_id_list(ids) if ids is not None else None,
    )


AssetFiltersDep = Annotated[AssetFilters, Depends(_asset_filters)]


_PUBLIC_LIST = TypeAdapter(list[AssetPublic])


def _present(rows: Sequence[dict[str, Any]], *, at: dt.date) -> list[AssetPublic]:
    """:func:`service.valued_assets` rows (dicts) as the API shows them, valued on ``at``: one
    validation for the page (reading a Row's attributes one by one, and failing on the fields it
    has not, cost a list a fifth of its time)."""
    return _PUBLIC_LIST.validate_python(rows, context={"at": at})


async def _public(uow: UnitOfWork, assets: Sequence[Asset]) -> list[AssetPublic]:
    """The assets as the API shows them, with their book value on the unit's business date."""
    at = uow.clock.today()
    await uow.session.flush()  # a new asset has its id from here on
    rows = await service.valued_rows(uow.session, ids=[cast(int, a.id) for a in assets], at=at)
    return _present(rows, at=at)


async def _one(uow: UnitOfWork, asset: Asset) -> AssetPublic:
    return (await _public(uow, [asset]))[0]


@router.get(
    "",
    response_model=Page[AssetPublic],
    responses={200: {"headers": {"X-Cache": {"description": "hit or miss (the page cache)"}}}},
)
@replica_read
async def list_assets(
    request: Request,
    response: Response,
    grant: ReadAssets,
    uow: UnitOfWorkDep,
    params: ListParamsDep,
    filters: AssetFiltersDep,
    pages: AssetPagesDep,
) -> Response:
    """Filter and page the register.

    Sort by ``asset_tag`` (default), ``name``, ``purchase_date``, ``purchase_cost``,
    ``created_at`` or ``id``; prefix ``-`` for descending. A page is answered from the cache
    until the register changes; ``Cache-Control: no-cache`` reads it again.
    """
    at = uow.clock.today()
    filters = dataclasses.replace(filters, only_employee_id=grant.only_employee_id)

    async def read() -> bytes:
        result = await service.list_assets(uow.session, params=params, filters=filters, at=at)
        page: Page[AssetPublic] = Page(
            items=_present(result.rows, at=at),
            total=result.total,
            total_is_estimate=result.total_is_estimate,
            limit=result.limit,
            offset=result.offset,
            next_cursor=result.next_cursor,
        )
        return ASSET_PAGE.dump_json(page)

    return await pages.respond(request, response, pages.key(at, params, filters), read)


@router.post("", response_model=AssetPublic, status_code=status.HTTP_201_CREATED)
async def create_asset(body: AssetCreate, _: WriteAssets, uow: UnitOfWorkDep) -> AssetPublic:
    asset = await service.create_asset(uow, data=body)
    return await _one(uow, asset)


@router.get("/summary", response_model=AssetSummary)
@replica_read
async def asset_summary(_: ReadReports, uow: UnitOfWorkDep) -> AssetSummary:
    """Counts by status and category; purchase cost and book value today, per currency."""
    return AssetSummary.model_validate(await service.summary(uow.session, at=uow.clock.today()))


@router.get("/export", response_class=StreamingResponse)
@replica_read
async def export_assets(
    _: ReadReports, request: Request, uow: UnitOfWorkDep, filters: AssetFiltersDep
) -> StreamingResponse:
    """The assets of the filter (the list's filters) as CSV: the import's columns, then id,
    status, holder, value."""
    rows = csv_io.export_rows(
        request.app.state.database, actor=uow.actor, clock=uow.clock, filters=filters
    )
    filename = f"assets-{uow.clock.today().isoformat()}.csv"
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/import", response_model=ImportResult, status_code=status.HTTP_201_CREATED)
async def import_assets(
    file: UploadFile, _: WriteAssets, uow: UnitOfWorkDep, directory: DirectoryDep
) -> ImportResult:
    """Import a CSV: every row is checked; all are imported, or none (422 lists each bad row)."""
    content = await file.read(csv_io.MAX_BYTES + 1)
    ids = await csv_io.import_csv(uow, content=content, directory=directory)
    return ImportResult(imported=len(ids), ids=ids)


@router.post("/bulk", response_model=BulkResult[AssetPublic], responses=BULK_RESPONSES)
async def bulk_assets(
    body: AssetBulk, _: WriteAssets, uow: UnitOfWorkDep, directory: DirectoryDep
) -> BulkResult[AssetPublic]:
    """One action on up to 200 assets, each by the rules (and with the event) of its single-row
    endpoint: ``assign`` (``employee_id``, ``note``), ``return`` (``note``, ``reason``),
    ``set_status`` (``status``: in_stock or retired) or ``set_category`` (``category_id``).

    All or nothing: 200 with every asset when each could take the action; otherwise 409
    ``bulk_rejected``, nothing changed, and ``results`` tells each failing asset's status, code
    and reason. 422 for a bad body (a field the action needs is missing, or the employee or
    category is unusable for every row alike).
    """
    step, done = await service.bulk_step(uow, body=body, directory=directory)

    async def present(assets: list[Asset]) -> list[AssetPublic]:
        return await _public(uow, assets)

    return await run_bulk(
        uow, action=body.action, ids=body.ids, apply=step, present=present, done=done
    )


@router.get("/{asset_id}", response_model=AssetPublic)
async def read_asset(asset: ReadableAsset, uow: UnitOfWorkDep) -> AssetPublic:
    return await _one(uow, asset)


@router.patch("/{asset_id}", response_model=AssetPublic)
async def update_asset(
    asset_id: Id, _: WriteAssets, body: AssetUpdate, uow: UnitOfWorkDep
) -> AssetPublic:
    """Change fields; a change of cost, salvage, life, method, rate or date rebuilds the schedule."""
    updated = await service.update_asset(uow, asset_id=asset_id, changes=body)
    return await _one(uow, updated)


@router.delete("/{asset_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_asset(asset_id: Id, _: WriteAssets, uow: UnitOfWorkDep) -> Response:
    """Only for an asset entered by mistake (in stock, no history); otherwise retire or dispose."""
    await service.delete_asset(uow, asset_id=asset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{asset_id}/assign", response_model=AssetPublic)
async def assign_asset(
    asset_id: Id, _: WriteAssets, body: AssignBody, uow: UnitOfWorkDep, directory: DirectoryDep
) -> AssetPublic:
    """Hand the asset to a current employee (checked against the employee projection)."""
    assigned = await service.assign_asset(
        uow,
        asset_id=asset_id,
        employee_id=body.employee_id,
        notes=body.notes,
        directory=directory,
    )
    return await _one(uow, assigned)


@router.post("/{asset_id}/return", response_model=AssetPublic)
async def return_asset(
    asset_id: Id, _: WriteAssets, uow: UnitOfWorkDep, body: ReturnBody | None = None
) -> AssetPublic:
    returned = await service.return_asset(
        uow,
        asset_id=asset_id,
        notes=body.notes if body else None,
        reason=body.reason if body else None,
    )
    return await _one(uow, returned)


@router.get("/{asset_id}/history", response_model=Page[AssignmentPublic])
@replica_read
async def assignment_history(
    asset: ReadableAsset, uow: UnitOfWorkDep, params: ListParamsDep
) -> Page[AssignmentPublic]:
    """Who had the asset and when, newest first."""
    assert asset.id is not None
    result = await service.assignment_history(uow.session, asset_id=asset.id, params=params)
    return result.to_page(AssignmentPublic.model_validate)


@router.post("/{asset_id}/dispose", response_model=AssetPublic)
async def dispose_asset(
    asset_id: Id, _: WriteAssets, body: DisposeBody, uow: UnitOfWorkDep
) -> AssetPublic:
    """Sell, scrap or write off: the schedule stops at the disposal month; gain or loss is
    proceeds minus book value at disposal."""
    disposed = await service.dispose_asset(
        uow, asset_id=asset_id, date=body.date, proceeds=body.proceeds, reason=body.reason
    )
    return await _one(uow, disposed)


@router.get("/{asset_id}/depreciation", response_model=Schedule)
async def depreciation_schedule(asset: ReadableAsset, uow: UnitOfWorkDep) -> Schedule:
    assert asset.id is not None
    rows = await schedule_of(uow.session, asset_id=asset.id)
    items = [
        SchedulePeriod(
            period=row.period_start.strftime("%Y-%m"),
            period_start=row.period_start,
            period_end=row.period_end,
            depreciation_amount=row.depreciation_amount,
            accumulated_depreciation=row.accumulated_depreciation,
            book_value=row.book_value,
        )
        for row in rows
    ]
    return Schedule(
        asset_id=asset.id,
        method=asset.depreciation_method,
        currency=asset.currency,
        items=items,
        total=len(items),
    )


@router.get("/{asset_id}/book-value", response_model=BookValue)
async def book_value_at(
    asset: ReadableAsset,
    uow: UnitOfWorkDep,
    at: Annotated[BusinessDate | None, Query(description="Day (default today)")] = None,
) -> BookValue:
    """Book value on a day: a month's depreciation counts from the last day of its period."""
    assert asset.id is not None
    day = at or uow.clock.today()
    if day < asset.purchase_date:
        raise InvalidField("at", "The asset was not yet purchased on that day", location="query")
    accumulated = (await accumulated_at(uow.session, asset_ids=[asset.id], at=day))[asset.id]
    return BookValue(
        asset_id=asset.id,
        at=day,
        currency=asset.currency,
        book_value=book_value(asset, accumulated, at=day),
        accumulated_depreciation=accumulated,
    )
