"""What the notification service asks the invoice service: a paid invoice's PDF, and its
customer's e-mail address when the event did not carry one.

The service calls as itself, with a short-lived token it signs with the shared JWT secret:
``sub`` ``system:notification-service``, role ``accountant`` (read access to invoices and
customers, nothing of the employee data).
"""

from __future__ import annotations

import logging
from email.message import Message
from typing import Any

import httpx

from tb_platform.security import TokenService

from ..core.config import NotificationSettings

log = logging.getLogger(__name__)

SERVICE_SUBJECT = "system:notification-service"
SERVICE_ROLES = ["accountant"]


class InvoiceServiceError(Exception):
    """The invoice service could not give an answer now (down, an error, an unreadable answer).

    The sender tries again later.
    """


class InvoiceService:
    """A client of the invoice service's API, for the life of the sender."""

    def __init__(
        self, settings: NotificationSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._tokens = TokenService(settings)
        self._client = httpx.AsyncClient(
            base_url=settings.invoice_service_url.rstrip("/") + "/api/v1",
            timeout=settings.invoice_service_timeout_seconds,
            transport=transport or httpx.AsyncHTTPTransport(retries=1),
        )

    def _headers(self) -> dict[str, str]:
        token = self._tokens.issue(
            user_id=SERVICE_SUBJECT, employee_id=None, email="", roles=SERVICE_ROLES
        )
        return {"Authorization": f"Bearer {token}"}

    async def _get(self, path: str) -> httpx.Response:
        try:
            response = await self._client.get(path, headers=self._headers())
        except httpx.HTTPError as exc:
            raise InvoiceServiceError(
                f"invoice service unreachable for GET {path}: {type(exc).__name__}: {exc}"
            ) from exc
        if response.status_code != 200:
            raise InvoiceServiceError(
                f"invoice service answered {response.status_code} to GET {path}: "
                f"{response.text[:300]}"
            )
        return response

    async def _json(self, path: str) -> dict[str, Any]:
        response = await self._get(path)
        try:
            body = response.json()
        except ValueError as exc:
            raise InvoiceServiceError(f"GET {path} did not answer JSON") from exc
        if not isinstance(body, dict):
            raise InvoiceServiceError(f"GET {path} did not answer an object")
        return body

    async def invoice_pdf(self, invoice_id: int) -> tuple[bytes, str]:
        """The invoice's PDF and its file name (as the invoice service names it)."""
        response = await self._get(f"/invoices/{invoice_id}/pdf")
        content = response.content
        if not content.startswith(b"%PDF-"):
            raise InvoiceServiceError(
                f"GET /invoices/{invoice_id}/pdf answered {response.headers.get('content-type')!r},"
                " not a PDF"
            )
        return content, _filename(response, default=f"invoice-{invoice_id}.pdf")

    async def customer_email(self, invoice_id: int) -> str | None:
        """The e-mail address of the invoice's customer as the invoice service has it now."""
        invoice = await self._json(f"/invoices/{invoice_id}")
        customer_id = invoice.get("customer_id")
        if not isinstance(customer_id, int) or isinstance(customer_id, bool):
            raise InvoiceServiceError(f"invoice {invoice_id} has no readable customer_id")
        customer = await self._json(f"/customers/{customer_id}")
        email = customer.get("email")
        return (email.strip() or None) if isinstance(email, str) else None

    async def aclose(self) -> None:
        await self._client.aclose()


def _filename(response: httpx.Response, *, default: str) -> str:
    disposition = response.headers.get("content-disposition")
    if not disposition:
        return default
    header = Message()
    header["content-disposition"] = disposition
    name = header.get_filename()
    # Only a plain name: it becomes the attachment's name in the customer's mail program.
    if not name or "/" in name or "\\" in name or not name.lower().endswith(".pdf"):
        return default
    return name
