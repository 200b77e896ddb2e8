"""What the developer reads once the stack is up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .logins import DemoLogin, format_logins


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    docs_url: str | None


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for printing a DATABASE_URL)."""
    parts = urlsplit(url)
    if parts.password is None or parts.password == "":
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def render_banner(
    *,
    endpoints: Sequence[Endpoint],
    logins: Sequence[DemoLogin],
    database: str,
    logs: str,
    environment: str,
    footer: str = "Press Ctrl-C to stop.",
) -> str:
    rule = "=" * 78
    lines = [rule, f"  TB ERP is running ({environment})", ""]
    name_width = max((len(e.name) for e in endpoints), default=0)
    url_width = max((len(e.url) for e in endpoints), default=0)
    for endpoint in endpoints:
        docs = f"  API docs: {endpoint.docs_url}" if endpoint.docs_url else ""
        lines.append(f"  {endpoint.name:<{name_width}}  {endpoint.url:<{url_width}}{docs}".rstrip())
    lines += ["", f"  Database  {database}", f"  Logs      {logs}", ""]
    table = format_logins(logins)
    if table:
        lines += ["  Demo logins:", *table, ""]
    else:
        lines += ["  No demo logins were printed by seed-demo.", ""]
    lines += [f"  {footer}", rule]
    return "\n".join(lines)
