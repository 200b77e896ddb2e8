"""Rebuilding the read model from the other services' APIs, when it is lost or new.

``dashboard-service rebuild`` reads every employee and department (employee service), asset and
category (asset service), and issued invoice with its payments (invoice service), page by page
with their cursors, as ``system:dashboard-service`` with the admin role (a token it signs
itself). Then, in one transaction, it replaces the rows of the read model with what it read.

Events keep flowing meanwhile, so two rules keep the two sources from undoing each other:

- a rebuilt row is ``as_of`` (start of the rebuild minus ``REBUILD_OVERLAP_SECONDS``): an event older
  than that was already visible to the rebuild and is ignored; a later one is applied over it
  (possibly one the rebuild saw too — applying an aggregate's events again, in order, ends at
  the same state);
- a row a handler wrote while the rebuild was reading (``changed_at`` after its start) is kept:
  it may come from a change the rebuild read too early to see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError
from sqlalchemy import delete, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from tb_platform.cache import Cache
from tb_platform.db import Database
from tb_platform.security import TokenService
from tb_platform.uow import SYSTEM_CLOCK, Actor, Clock, unit_of_work

from ..core.cache import cache_for, summary_key
from ..core.config import DashboardSettings
from ..db import SCHEMA
from ..models import Asset, AssetCategory, Department, Employee, Invoice, Payment
from .read_model import mark_changed, table_of

SERVICE_SUBJECT = "system:dashboard-service"
DRAFT = "draft"
# Rows per INSERT statement (asyncpg takes at most 32,767 parameters in one).
INSERT_BATCH = 2000

M = TypeVar("M", bound=BaseModel)


class SourceUnavailable(RuntimeError):
    """A service could not be read (down, refused the token, answered something unreadable)."""


# --- what the other services answer (only the fields the read model needs) ---------------------


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SourceEmployee(_Answer):
    id: int
    status: str
    department_id: int | None = None


class SourceNamed(_Answer):
    """A department or an asset category."""

    id: int
    name: str


class SourceAsset(_Answer):
    id: int
    status: str
    category_id: int | None = None
    currency: str
    purchase_cost: Decimal
    book_value: Decimal


class SourcePayment(_Answer):
    id: int
    amount: Decimal
    paid_at: AwareDatetime


class SourceInvoice(_Answer):
    id: int
    status: str
    currency: str
    issue_date: dt.date
    total: Decimal
    credited_total: Decimal = Decimal(0)
    amount_paid: Decimal
    balance_due: Decimal
    payments: list[SourcePayment] | None = None


@dataclass(frozen=True)
class Sources:
    """HTTP clients of the three services, each with its base URL and the bearer token set."""

    employees: httpx.AsyncClient
    assets: httpx.AsyncClient
    invoices: httpx.AsyncClient


@dataclass
class Snapshot:
    """Everything read from the services, before it is written."""

    employees: list[SourceEmployee] = field(default_factory=list)
    departments: list[SourceNamed] = field(default_factory=list)
    assets: list[SourceAsset] = field(default_factory=list)
    categories: list[SourceNamed] = field(default_factory=list)
    invoices: list[SourceInvoice] = field(default_factory=list)


@dataclass(frozen=True)
class RebuildCounts:
    employees: int
    departments: int
    assets: int
    categories: int
    invoices: int
    payments: int

    def __str__(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in vars(self).items())


# --- reading ------------------------------------------------------------------------------------


async def read_pages(
    client: httpx.AsyncClient, path: str, model: type[M], *, page_size: int
) -> list[M]:
    """Every item of a list endpoint, page after page by ``next_cursor``, in id order."""
    params: dict[str, Any] = {"limit": page_size, "sort": "id"}
    items: list[M] = []
    while True:
        body = await _get(client, path, params)
        try:
            items += [model.model_validate(item) for item in body["items"]]
            cursor = body.get("next_cursor")
        except (KeyError, TypeError, ValidationError) as exc:
            raise SourceUnavailable(
                f"{_where(client, path)} answered an unreadable page: {exc}"
            ) from exc
        if not cursor:
            return items
        params = {"limit": page_size, "sort": "id", "cursor": cursor}


async def _get(client: httpx.AsyncClient, path: str, params: Mapping[str, Any]) -> Any:
    try:
        response = await client.get(path, params=params)
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"{_where(client, path)} cannot be reached: {exc!r}") from exc
    if response.status_code != 200:
        raise SourceUnavailable(
            f"{_where(client, path)} answered {response.status_code}: {response.text[:300]}"
        )
    try:
        return response.json()
    except ValueError as exc:
        raise SourceUnavailable(f"{_where(client, path)} answered no JSON") from exc


def _where(client: httpx.AsyncClient, path: str) -> str:
    return f"GET {str(client.base_url).rstrip('/')}{path}"


async def read_sources(sources: Sources, *, page_size: int = 200) -> Snapshot:
    """Read the whole state the dashboard needs; raises :class:`SourceUnavailable`."""
    snapshot = Snapshot(
        employees=await read_pages(
            sources.employees, "/api/v1/employees", SourceEmployee, page_size=page_size
        ),
        departments=await read_pages(
            sources.employees, "/api/v1/departments", SourceNamed, page_size=page_size
        ),
        assets=await read_pages(sources.assets, "/api/v1/assets", SourceAsset, page_size=page_size),
        categories=await read_pages(
            sources.assets, "/api/v1/categories", SourceNamed, page_size=page_size
        ),
    )
    invoices = await read_pages(
        sources.invoices, "/api/v1/invoices", SourceInvoice, page_size=page_size
    )
    for invoice in invoices:
        if invoice.status == DRAFT:
            continue  # not issued: no event has told the dashboard about it either
        if invoice.payments is None:  # a list without them: ask the invoice
            payments = await read_pages(
                sources.invoices,
                f"/api/v1/invoices/{invoice.id}/payments",
                SourcePayment,
                page_size=page_size,
            )
            invoice = invoice.model_copy(update={"payments": payments})
        snapshot.invoices.append(invoice)
    return snapshot


# --- writing ------------------------------------------------------------------------------------

_TABLES: Sequence[type[SQLModel]] = (Employee, Department, Asset, AssetCategory, Invoice, Payment)


async def replace_read_model(
    session: AsyncSession,
    snapshot: Snapshot,
    *,
    started_at: dt.datetime,
    as_of: dt.datetime,
    changed_at: dt.datetime,
) -> RebuildCounts:
    """Replace the read model by ``snapshot`` (see the module's rules), in ``session``'s
    transaction: rows written since ``started_at`` stay, every other row is replaced."""
    # Handlers wait until the replacement commits, so none interleaves with it.
    names = ", ".join(f'"{SCHEMA}"."{table_of(model).name}"' for model in _TABLES)
    await session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
    for model in _TABLES:
        table = table_of(model)
        await session.execute(delete(table).where(table.c.changed_at < started_at))

    stamp = {"as_of": as_of, "changed_at": changed_at}
    payments = [
        {
            "id": payment.id,
            "invoice_id": invoice.id,
            "currency": invoice.currency,
            "amount": payment.amount,
            "paid_at": payment.paid_at,
            **stamp,
        }
        for invoice in snapshot.invoices
        for payment in invoice.payments or ()
    ]
    rows: dict[type[SQLModel], list[dict[str, Any]]] = {
        Employee: [
            {"id": e.id, "status": e.status, "department_id": e.department_id, **stamp}
            for e in snapshot.employees
        ],
        Department: [{"id": d.id, "name": d.name, **stamp} for d in snapshot.departments],
        Asset: [
            {
                "id": a.id,
                "status": a.status,
                "category_id": a.category_id,
                "currency": a.currency,
                "purchase_cost": a.purchase_cost,
                "book_value": a.book_value,
                **stamp,
            }
            for a in snapshot.assets
        ],
        AssetCategory: [{"id": c.id, "name": c.name, **stamp} for c in snapshot.categories],
        Invoice: [
            {
                "id": i.id,
                "status": i.status,
                "currency": i.currency,
                "issue_date": i.issue_date,
                "total": i.total,
                "credited_total": i.credited_total,
                "amount_paid": i.amount_paid,
                "balance_due": i.balance_due,
                **stamp,
            }
            for i in snapshot.invoices
        ],
        Payment: payments,
    }
    for model, values in rows.items():
        await _insert_missing(session, model, values)
    await mark_changed(session, at=changed_at)
    return RebuildCounts(
        employees=len(snapshot.employees),
        departments=len(snapshot.departments),
        assets=len(snapshot.assets),
        categories=len(snapshot.categories),
        invoices=len(snapshot.invoices),
        payments=len(payments),
    )


async def _insert_missing(
    session: AsyncSession, model: type[SQLModel], values: Sequence[dict[str, Any]]
) -> None:
    # A row that is still there was written by a handler during the rebuild: it stays.
    statement = pg_insert(table_of(model)).on_conflict_do_nothing()
    for batch in _batches(values, INSERT_BATCH):
        await session.execute(statement, batch)


def _batches(values: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def rebuild(
    database: Database,
    *,
    sources: Sources,
    cache: Cache,
    page_size: int = 200,
    overlap: dt.timedelta = dt.timedelta(minutes=5),
    clock: Clock = SYSTEM_CLOCK,
) -> RebuildCounts:
    """Read the services, replace the read model in one transaction, drop the cached summary."""
    started_at = clock.now()
    snapshot = await read_sources(sources, page_size=page_size)
    async with unit_of_work(
        database, actor=Actor.system("dashboard-service.rebuild"), clock=clock
    ) as uow:
        counts = await replace_read_model(
            uow.session,
            snapshot,
            started_at=started_at,
            as_of=started_at - overlap,
            changed_at=uow.clock.now(),
        )
    await cache.delete([summary_key(cache)])
    return counts


def service_token(settings: DashboardSettings) -> str:
    """A short-lived admin token for ``system:dashboard-service``, signed with JWT_SECRET."""
    return TokenService(settings).issue(
        user_id=SERVICE_SUBJECT, employee_id=None, email="", roles=["admin"]
    )


@asynccontextmanager
async def service_sources(settings: DashboardSettings) -> AsyncIterator[Sources]:
    """Clients of the three services at their configured URLs, authenticated as this service."""
    headers = {"Authorization": f"Bearer {service_token(settings)}"}
    async with AsyncExitStack() as stack:

        async def client(url: str) -> httpx.AsyncClient:
            return await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=url,
                    headers=headers,
                    timeout=settings.source_timeout_seconds,
                    # Connection failures are retried; anything else is an answer to report.
                    transport=httpx.AsyncHTTPTransport(retries=2),
                )
            )

        yield Sources(
            employees=await client(settings.employee_service_url),
            assets=await client(settings.asset_service_url),
            invoices=await client(settings.invoice_service_url),
        )


async def rebuild_from_services(settings: DashboardSettings, database: Database) -> RebuildCounts:
    """``dashboard-service rebuild``: the read model from the services at the settings' URLs."""
    cache = cache_for(settings)
    try:
        async with service_sources(settings) as sources:
            return await rebuild(
                database,
                sources=sources,
                cache=cache,
                page_size=settings.rebuild_page_size,
                overlap=dt.timedelta(seconds=settings.rebuild_overlap_seconds),
            )
    finally:
        await cache.close()
