"""The sender: takes due pending notifications, sends them, and records how it went.

One notification goes through these steps, each a short transaction of its own (no transaction
is held open across a call to another server):

1. **take** (``pending``, due): ``attempts + 1`` and ``next_attempt_at`` moved one lease ahead,
   chosen ``FOR UPDATE SKIP LOCKED`` — another sender (a second worker) skips it meanwhile, and
   if this one dies it is due again once the lease has run out. Nothing has been sent yet.
2. **prepare**: the recipient (looked up in the invoice service when the event had none) and the
   invoice PDF. A failure here sends nothing: back to ``pending`` with exponential backoff, or
   ``failed`` after the last attempt; no e-mail address at all is ``failed`` at once.
3. **claim** it as ``sending`` (only if still ours: same attempt number, still pending).
4. **send** over SMTP; then ``sent`` when the server accepted it, back to ``pending``/``failed``
   when it certainly did not, and ``failed`` (never sent again) when it is unknown — a timeout
   or a lost connection after the message was handed over.

So a receipt is sent **at most once** once a server may have it: a notification left in
``sending`` (the worker died in the middle of the SMTP exchange) is never resent automatically;
after NOTIFICATION_SENDING_TIMEOUT_SECONDS it is marked ``failed`` saying the customer may or may
not have it, for a person to check. Until the message is handed over it is **at least once**:
every failure before that point is retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from sqlalchemy import DateTime, Interval, func, literal, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tb_platform.audit import AuditContext, bind_audit
from tb_platform.db import Database
from tb_platform.events.transport import backoff_delay, sleep_unless

from ..core.config import NotificationSettings
from ..models import Notification, NotificationStatus
from .invoices import InvoiceService
from .mail import AcceptanceUnknown, Mailer, NotAccepted

log = logging.getLogger(__name__)

NOTIFICATIONS = Notification.__table__  # type: ignore[attr-defined]
PENDING = NotificationStatus.PENDING.value
SENDING = NotificationStatus.SENDING.value
SENT = NotificationStatus.SENT.value
FAILED = NotificationStatus.FAILED.value

_MAX_ERROR = 2000
# Whom the audit trail names for the sender's changes (each status change is recorded).
SENDER = AuditContext(actor_sub="system:notification-sender", actor_roles=("system",))
NO_ADDRESS = "the customer has no e-mail address (none in the event, none in the invoice service)"
INTERRUPTED = (
    "the sender stopped in the middle of the SMTP exchange: the mail server may or may not have "
    "accepted the receipt, so it is not sent again automatically; check the mail server's log"
)


def _now() -> Any:
    # The wall clock, not now(): the transaction may have begun a moment ago.
    return func.clock_timestamp(type_=DateTime(timezone=True))


def _later(seconds: float) -> Any:
    return _now() + literal(timedelta(seconds=seconds), Interval())


@dataclass(frozen=True)
class Taken:
    """A notification this sender holds for one attempt (``attempts`` identifies the attempt)."""

    id: int
    invoice_id: int
    recipient: str | None
    subject: str
    body: str
    attempts: int


class Sender:
    """Sends the due notifications of ``database`` until stopped."""

    def __init__(
        self,
        database: Database,
        settings: NotificationSettings,
        *,
        invoices: InvoiceService | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.invoices = invoices or InvoiceService(settings)
        self.mailer = mailer or Mailer(settings)
        self.from_header = settings.notification_from
        self.message_domain = (
            parseaddr(settings.notification_from)[1].rpartition("@")[2] or "tb-erp.example"
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set (the notification in hand is finished first)."""
        failures = 0
        try:
            while not stop.is_set():
                try:
                    handled = await self.send_due(stop)
                    failures = 0
                except Exception:
                    # The database is down, most likely: wait and try again, never give up.
                    failures += 1
                    delay = backoff_delay(failures, base=0.5, cap=30.0)
                    log.exception("sender pass failed; next in %.1fs", delay)
                    await sleep_unless(stop, delay)
                    continue
                if handled < self.settings.notification_batch_size:
                    await sleep_unless(stop, self.settings.notification_poll_seconds)
        finally:
            await self.invoices.aclose()

    async def send_due(self, stop: asyncio.Event | None = None) -> int:
        """One pass: give up on interrupted sends, then take and send a batch of due ones."""
        await self.expire_interrupted()
        taken = await self.take()
        for position, notification in enumerate(taken):
            if stop is not None and stop.is_set():
                await self._release(taken[position:])
                break
            await self.deliver(notification)
        return len(taken)

    async def expire_interrupted(self) -> int:
        """``sending`` for longer than the timeout → ``failed`` (never resent: see the module)."""
        timeout = self.settings.notification_sending_timeout_seconds
        async with self._session() as session, session.begin():
            result = await session.execute(
                update(NOTIFICATIONS)
                .where(
                    NOTIFICATIONS.c.status == SENDING,
                    NOTIFICATIONS.c.updated_at < _later(-timeout),
                )
                .values(status=FAILED, last_error=INTERRUPTED, updated_at=_now())
                .returning(NOTIFICATIONS.c.id)
            )
            expired = list(result.scalars())
        for notification_id in expired:
            log.error("notification %s: %s", notification_id, INTERRUPTED)
        return len(expired)

    async def take(self) -> list[Taken]:
        """Step 1: the due pending notifications, each now held for one lease."""
        due = (
            select(NOTIFICATIONS.c.id)
            .where(NOTIFICATIONS.c.status == PENDING, NOTIFICATIONS.c.next_attempt_at <= _now())
            .order_by(NOTIFICATIONS.c.next_attempt_at, NOTIFICATIONS.c.id)
            .limit(self.settings.notification_batch_size)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        async with self._session() as session, session.begin():
            rows = (
                await session.execute(
                    update(NOTIFICATIONS)
                    .where(NOTIFICATIONS.c.id.in_(due))
                    .values(
                        attempts=NOTIFICATIONS.c.attempts + 1,
                        next_attempt_at=_later(self.settings.notification_lease_seconds),
                        updated_at=_now(),
                    )
                    .returning(
                        NOTIFICATIONS.c.id,
                        NOTIFICATIONS.c.invoice_id,
                        NOTIFICATIONS.c.recipient,
                        NOTIFICATIONS.c.subject,
                        NOTIFICATIONS.c.body,
                        NOTIFICATIONS.c.attempts,
                    )
                )
            ).all()
        return sorted((Taken(**row._mapping) for row in rows), key=lambda taken: taken.id)

    async def deliver(self, notification: Taken) -> None:
        """Steps 2 to 4 for one notification."""
        try:
            recipient = notification.recipient or await self.invoices.customer_email(
                notification.invoice_id
            )
            if recipient is None:
                await self._finish(notification, PENDING, status=FAILED, last_error=NO_ADDRESS)
                return
            pdf, filename = await self.invoices.invoice_pdf(notification.invoice_id)
            message = self.message(notification, recipient, pdf, filename)
        except Exception as exc:
            await self._retry_or_fail(notification, PENDING, exc)
            return
        if not await self._claim(notification, recipient):
            return
        try:
            await self.mailer.send(message, recipient)
        except NotAccepted as exc:
            await self._retry_or_fail(notification, SENDING, exc, permanent=exc.permanent)
            return
        except AcceptanceUnknown as exc:
            log.error("notification %s: may or may not be delivered: %s", notification.id, exc)
            await self._finish(
                notification,
                SENDING,
                status=FAILED,
                last_error=(
                    f"no answer after the message was handed to the mail server ({exc}): it may "
                    "or may not have been delivered, so it is not sent again automatically"
                )[:_MAX_ERROR],
            )
            return
        await self._mark_sent(notification)

    def message(
        self, notification: Taken, recipient: str, pdf: bytes, filename: str
    ) -> EmailMessage:
        """The e-mail: the receipt's text, and the invoice PDF attached."""
        message = EmailMessage()
        message["From"] = self.from_header
        message["To"] = recipient
        message["Subject"] = notification.subject
        message["Date"] = format_datetime(datetime.now(UTC))
        # The same on every attempt of this notification: mail systems can tell repeats apart.
        message["Message-ID"] = (
            f"<receipt.{notification.invoice_id}.{notification.id}@{self.message_domain}>"
        )
        message.set_content(notification.body)
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
        return message

    async def _claim(self, notification: Taken, recipient: str) -> bool:
        """Step 3: ``sending`` — only while this attempt still holds it."""
        async with self._session() as session, session.begin():
            claimed = await session.scalar(
                update(NOTIFICATIONS)
                .where(*self._ours(notification, PENDING))
                .values(status=SENDING, recipient=recipient, updated_at=_now())
                .returning(NOTIFICATIONS.c.id)
            )
        if claimed is None:
            log.warning("notification %s was taken by another sender", notification.id)
        return claimed is not None

    async def _mark_sent(self, notification: Taken) -> None:
        # The server has the message: this must be recorded, so the update is retried for a while
        # (a database hiccup); if it never succeeds the row stays 'sending' and is not resent.
        for attempt in range(1, 6):
            try:
                await self._finish(notification, SENDING, status=SENT, last_error=None, sent=True)
                return
            except DBAPIError:
                log.exception("notification %s sent, but recording it failed", notification.id)
                await asyncio.sleep(backoff_delay(attempt, base=0.2, cap=2.0))
        log.error("notification %s was sent; it stays 'sending' (not resent)", notification.id)

    async def _retry_or_fail(
        self, notification: Taken, current: str, exc: BaseException, *, permanent: bool = False
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
        if permanent or notification.attempts >= self.settings.notification_max_attempts:
            log.error(
                "notification %s failed for good (attempt %s): %s",
                notification.id,
                notification.attempts,
                error,
            )
            await self._finish(notification, current, status=FAILED, last_error=error)
            return
        delay = backoff_delay(
            notification.attempts,
            base=self.settings.notification_retry_base_seconds,
            cap=self.settings.notification_retry_cap_seconds,
        )
        log.warning(
            "notification %s: attempt %s failed (%s); next in %.1fs",
            notification.id,
            notification.attempts,
            error,
            delay,
        )
        await self._finish(
            notification, current, status=PENDING, last_error=error, next_attempt_in=delay
        )

    async def _finish(
        self,
        notification: Taken,
        current: str,
        *,
        status: str,
        last_error: str | None,
        next_attempt_in: float | None = None,
        sent: bool = False,
    ) -> None:
        values: dict[str, Any] = {"status": status, "last_error": last_error, "updated_at": _now()}
        if next_attempt_in is not None:
            values["next_attempt_at"] = _later(next_attempt_in)
        if sent:
            values["sent_at"] = _now()
        async with self._session() as session, session.begin():
            await session.execute(
                update(NOTIFICATIONS).where(*self._ours(notification, current)).values(**values)
            )

    async def _release(self, taken: Sequence[Taken]) -> None:
        """Stopping: give back what was taken and not tried (due now, the attempt not counted)."""
        async with self._session() as session, session.begin():
            for notification in taken:
                await session.execute(
                    update(NOTIFICATIONS)
                    .where(*self._ours(notification, PENDING))
                    .values(
                        attempts=NOTIFICATIONS.c.attempts - 1,
                        next_attempt_at=_now(),
                        updated_at=_now(),
                    )
                )

    def _session(self) -> AsyncSession:
        session = self.database.sessionmaker()
        bind_audit(session, SENDER)
        return session

    @staticmethod
    def _ours(notification: Taken, status: str) -> tuple[Any, ...]:
        return (
            NOTIFICATIONS.c.id == notification.id,
            NOTIFICATIONS.c.attempts == notification.attempts,
            NOTIFICATIONS.c.status == status,
        )
