"""The demo logins that ``<service> seed-demo`` prints, one per line: ``role email password``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def parse_demo_logins(output: str) -> list[DemoLogin]:
    """The logins in a seed command's output, in order, without duplicates.

    Lines that are not exactly three fields with an e-mail address in the middle (log lines, a
    summary such as "seeded 12 assets") are skipped, so a service may print other things too.
    """
    logins: list[DemoLogin] = []
    for line in output.splitlines():
        fields = line.split()
        if len(fields) != 3:
            continue
        role, email, password = fields
        local, at, domain = email.partition("@")
        if not (local and at and domain) or "@" in role:
            continue
        login = DemoLogin(role=role, email=email, password=password)
        if login not in logins:
            logins.append(login)
    return logins


def format_logins(logins: Iterable[DemoLogin], indent: str = "    ") -> list[str]:
    """A table of logins with a header, as lines."""
    rows = [("ROLE", "EMAIL", "PASSWORD")] + [(x.role, x.email, x.password) for x in logins]
    if len(rows) == 1:
        return []
    role_width = max(len(row[0]) for row in rows)
    email_width = max(len(row[1]) for row in rows)
    return [
        f"{indent}{role:<{role_width}}  {email:<{email_width}}  {password}".rstrip()
        for role, email, password in rows
    ]
