"""Columns every row of the read model has: whose id it is, and how new its figures are."""

import datetime as dt
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String
from sqlmodel import Field

from tb_platform.columns import MONEY


def source_id_field() -> Any:
    """The aggregate's id in the service that owns it (never generated here)."""
    return Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))


def as_of_field() -> Any:
    """The time of the event the row's figures come from (or the rebuild's): a row is replaced
    only by an event at least as new, so a late or repeated older event cannot roll it back."""
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def changed_at_field() -> Any:
    """When this service last wrote the row (a rebuild keeps the rows written while it read)."""
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def money_field() -> Any:
    return Field(sa_column=Column(MONEY, nullable=False))


def status_field() -> Any:
    # Plain text, not an enum: the owning service defines the statuses, and a new one must not
    # make its events fail here.
    return Field(sa_column=Column(String(32), nullable=False))


def currency_field() -> Any:
    return Field(sa_column=Column(String(3), nullable=False))


__all__ = ["dt"]
