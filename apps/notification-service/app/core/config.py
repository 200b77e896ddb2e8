"""The notification service's settings (environment variables; ServiceSettings has the shared ones)."""

from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from tb_platform.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    service_name: str = "notification-service"
    port: int = Field(default=8005, ge=1, le=65535)

    # Where mail goes: smtp://[user:pass@]host[:port] (STARTTLS when the server offers it) or
    # smtps://… (TLS from the first byte, port 465 by default). A secret: it may hold a password.
    smtp_url: SecretStr = SecretStr("smtp://127.0.0.1:1025")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # A CA bundle to verify the SMTP server's certificate with (a private CA); the system's if unset.
    smtp_ca_file: str | None = None
    notification_from: str = "TB ERP <no-reply@tb-erp.example>"

    # The invoice service: the receipt's PDF, and the customer's address when the event has none.
    invoice_service_url: str = "http://127.0.0.1:8003"
    invoice_service_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # The sender: a failed attempt is retried after base, 2 x base, 4 x base ... (at most cap) seconds;
    # after max_attempts attempts the notification is marked failed.
    notification_max_attempts: int = Field(default=8, ge=1, le=100)
    notification_retry_base_seconds: float = Field(default=30.0, gt=0, le=86400)
    notification_retry_cap_seconds: float = Field(default=3600.0, gt=0, le=7 * 86400)
    notification_poll_seconds: float = Field(default=1.0, gt=0, le=300)
    notification_batch_size: int = Field(default=10, ge=1, le=500)
    # While one sender prepares a notification (address, PDF) no other sender takes it; a sender
    # that died meanwhile leaves it to be taken again after this long.
    notification_lease_seconds: float = Field(default=300.0, gt=0, le=86400)
    # A notification still 'sending' after this long belongs to a sender that died in the middle
    # of the SMTP exchange; it is marked failed, never sent again (see README: at most once).
    notification_sending_timeout_seconds: float = Field(default=900.0, gt=0, le=7 * 86400)

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme.lower() not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must be smtp://host:port or smtps://host:port")
        _ = parts.port  # a port that is not a number raises ValueError here
        return value


@lru_cache
def get_settings() -> NotificationSettings:
    return NotificationSettings()
