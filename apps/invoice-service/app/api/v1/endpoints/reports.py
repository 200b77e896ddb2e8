import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from tb_platform.db import SessionDep, replica_read
from tb_platform.errors import InvalidField
from tb_platform.types import BusinessDate

from ....core.permissions import ReadReports
from ....schemas.report import Aging, Summary, TaxRecordSums
from ....services import reports as service
from ...deps import UnitOfWorkDep

router = APIRouter(tags=["reports"])

DateFrom = Annotated[BusinessDate | None, Query(alias="from", description="From (inclusive)")]
DateTo = Annotated[BusinessDate | None, Query(alias="to", description="To (inclusive)")]


def _check_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise InvalidField("from", "'from' is after 'to'", location="query")


@router.get("/tax-records", response_model=TaxRecordSums)
@replica_read
async def tax_records(
    _: ReadReports, session: SessionDep, date_from: DateFrom = None, date_to: DateTo = None
) -> TaxRecordSums:
    """Taxable amount and tax per currency and rate (issues, less credit notes and voids)."""
    _check_range(date_from, date_to)
    return await service.tax_record_sums(session, date_from=date_from, date_to=date_to)


# Declared (and included) before /invoices/{invoice_id}, which would otherwise match them.
@router.get("/invoices/summary", response_model=Summary)
@replica_read
async def invoice_summary(
    _: ReadReports, session: SessionDep, date_from: DateFrom = None, date_to: DateTo = None
) -> Summary:
    """Per month and currency: invoiced, collected and still outstanding (no conversion)."""
    _check_range(date_from, date_to)
    return await service.summary(session, date_from=date_from, date_to=date_to)


@router.get("/invoices/aging", response_model=Aging)
@replica_read
async def invoice_aging(
    _: ReadReports,
    uow: UnitOfWorkDep,
    as_of: Annotated[BusinessDate | None, Query(description="Today (UTC) when absent")] = None,
) -> Aging:
    """Outstanding balances by days past due: current, 1-30, 31-60, 61-90, 90+."""
    return await service.aging(uow.session, as_of=as_of or uow.clock.today())
