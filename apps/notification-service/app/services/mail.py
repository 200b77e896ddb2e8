"""Sending one e-mail over SMTP (aiosmtplib), telling apart "not taken" from "maybe taken".

The difference is what keeps a receipt from going out twice: until the server has been handed
the message (DATA), a failure means it has nothing and the send may be tried again; once the
message has been handed over, a lost connection or a timeout before the server's answer leaves
it unknown whether the server took it, and the caller does not send it again.
"""

from __future__ import annotations

import contextlib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib

from ..core.config import NotificationSettings


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to connect, read from SMTP_URL."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://[user:pass@]host[:port]`` (port 25; STARTTLS when offered) or
    ``smtps://[user:pass@]host[:port]`` (TLS from the start; port 465)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://host:port or smtps://user:pass@host:port")
    implicit_tls = scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if implicit_tls else 25),
        implicit_tls=implicit_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


class NotAccepted(Exception):
    """The server does not have the message. ``permanent``: it refused it for good (a 5xx answer
    to the recipient or to the message), so trying again would only be refused again."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class AcceptanceUnknown(Exception):
    """The message was handed over, and then the answer was lost: it may have been delivered."""


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class Mailer:
    """Sends messages to the SMTP server of the settings, one connection per message."""

    def __init__(self, settings: NotificationSettings) -> None:
        self.target = parse_smtp_url(settings.smtp_url.get_secret_value())
        self.timeout = settings.smtp_timeout_seconds
        self.ca_file = settings.smtp_ca_file
        self.sender = parseaddr(settings.notification_from)[1]
        if not self.sender:
            raise ValueError("NOTIFICATION_FROM has no e-mail address")

    def _client(self) -> aiosmtplib.SMTP:
        target = self.target
        tls_context = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None
        return aiosmtplib.SMTP(
            hostname=target.host,
            port=target.port,
            username=target.username,
            password=target.password,
            use_tls=target.implicit_tls,
            # smtp://: STARTTLS when the server offers it; smtps:// is TLS already.
            start_tls=False if target.implicit_tls else None,
            tls_context=tls_context,
            timeout=self.timeout,
        )

    async def send(self, message: EmailMessage, recipient: str) -> None:
        """Hand ``message`` to the server for ``recipient``; returns once the server accepted it.

        Raises :class:`NotAccepted` or :class:`AcceptanceUnknown`, nothing else.
        """
        data = message.as_bytes(policy=SMTP_POLICY)
        smtp = self._client()
        try:
            try:
                await smtp.connect()
                await smtp.mail(self.sender)
                await smtp.rcpt(recipient)
            except aiosmtplib.SMTPRecipientRefused as exc:
                raise NotAccepted(_describe(exc), permanent=500 <= exc.code < 600) from exc
            except Exception as exc:  # refused, unreachable, TLS, login: nothing was handed over
                raise NotAccepted(_describe(exc)) from exc
            try:
                await smtp.data(data)
            except aiosmtplib.SMTPResponseException as exc:  # the server's answer: refused
                raise NotAccepted(_describe(exc), permanent=500 <= exc.code < 600) from exc
            except Exception as exc:  # no answer: it may have kept the message
                raise AcceptanceUnknown(_describe(exc)) from exc
        finally:
            # Accepted is accepted: a QUIT that fails changes nothing.
            with contextlib.suppress(Exception):
                if smtp.is_connected:
                    await smtp.quit()
            smtp.close()
