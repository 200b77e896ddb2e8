from typing import ClassVar

from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field

from ..db import TableModel, dt


class LoginFailure(TableModel, table=True):
    """A failed login, kept for a minute: the rate limit counts these per email."""

    __tablename__ = "login_failures"
    # Rate-limit bookkeeping; the audit trail records each login and failed login itself.
    __audit__: ClassVar[bool] = False
    __table_args__ = (Index("ix_login_failures_email_failed_at", "email", "failed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)  # lower-cased
    failed_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
