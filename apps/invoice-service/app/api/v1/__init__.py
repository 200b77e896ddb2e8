from fastapi import APIRouter

from .endpoints import credit_notes, customers, invoices, payments, reports

api_router = APIRouter()
# reports first: its /invoices/summary and /invoices/aging must match before /invoices/{id}.
for module in (reports, customers, invoices, payments, credit_notes):
    api_router.include_router(module.router)
