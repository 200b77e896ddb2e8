from fastapi import APIRouter, status

from tb_platform.db import SessionDep
from tb_platform.paging import Page

from ....core.permissions import WriteInvoices
from ....models import CreditNote
from ....schemas.credit_note import CreditNoteCreate, CreditNotePublic
from ....services import credit_notes as service
from ...deps import InvoiceId, ReadableInvoice

router = APIRouter(prefix="/invoices/{invoice_id}/credit-notes", tags=["credit notes"])


def _public(note: CreditNote) -> CreditNotePublic:
    return CreditNotePublic.model_validate(note)


@router.get("", response_model=Page[CreditNotePublic])
async def list_credit_notes(
    invoice: ReadableInvoice, session: SessionDep
) -> Page[CreditNotePublic]:
    assert invoice.id is not None
    notes = await service.list_credit_notes(session, invoice_id=invoice.id)
    return Page(items=[_public(n) for n in notes], total=len(notes), limit=len(notes), offset=0)


@router.post("", response_model=CreditNotePublic, status_code=status.HTTP_201_CREATED)
async def create_credit_note(
    invoice_id: InvoiceId, body: CreditNoteCreate, grant: WriteInvoices, session: SessionDep
) -> CreditNotePublic:
    """Credit ``lines`` (quantities of invoice lines) or an ``amount`` at one ``tax_rate``.

    More than can still be credited → 422; a draft or void invoice → 409. What exceeds the
    balance still owed is refunded (a negative payment, ``refund_amount``).
    """
    note = await service.create_credit_note(
        session, invoice_id=invoice_id, data=body, actor=grant.principal.user_id
    )
    return _public(note)
