from fastapi import APIRouter, status

from tb_platform.db import SessionDep, replica_read
from tb_platform.paging import ListParamsDep, Page
from tb_platform.types import Id

from ....core.permissions import WriteInvoices
from ....models import CreditNote
from ....schemas.credit_note import CreditNoteCreate, CreditNotePublic
from ....services import credit_notes as service
from ...deps import ReadableInvoice, UnitOfWorkDep

router = APIRouter(prefix="/invoices/{invoice_id}/credit-notes", tags=["credit notes"])


def _public(note: CreditNote) -> CreditNotePublic:
    return CreditNotePublic.model_validate(note)


@router.get("", response_model=Page[CreditNotePublic])
@replica_read
async def list_credit_notes(
    invoice: ReadableInvoice, session: SessionDep, params: ListParamsDep
) -> Page[CreditNotePublic]:
    """The invoice's credit notes; sort by ``id`` (default) or ``issue_date``."""
    assert invoice.id is not None
    result = await service.list_credit_notes(session, invoice_id=invoice.id, params=params)
    return result.to_page(_public)


@router.post("", response_model=CreditNotePublic, status_code=status.HTTP_201_CREATED)
async def create_credit_note(
    invoice_id: Id, body: CreditNoteCreate, _: WriteInvoices, uow: UnitOfWorkDep
) -> CreditNotePublic:
    """Credit ``lines`` (quantities of invoice lines) or an ``amount`` at one ``tax_rate``.

    More than can still be credited → 422; a draft or void invoice → 409. What exceeds the
    balance still owed is refunded (a negative payment, ``refund_amount``).
    """
    note = await service.create_credit_note(uow, invoice_id=invoice_id, data=body)
    return _public(note)
