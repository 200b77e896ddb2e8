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

    @property
    def open_url(self) -> str:
        """What a person opens: the API docs (a service's root has nothing to show a browser)."""
        return self.docs_url or self.url


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
    backing: Sequence[tuple[str, str, str]] = (),
    logs: str,
    environment: str,
    footer: str = "Press Ctrl-C to stop.",
) -> str:
    rule = "=" * 78
    lines = [rule, f"  TB ERP is running ({environment})", ""]
    # The web app (no API docs): what people use, so it comes first.
    apps = [e for e in endpoints if e.docs_url is None]
    services = [e for e in endpoints if e.docs_url is not None]
    for app in apps:
        lines += [f"  Open TB ERP:  {app.url}   (sign in with a demo login below)", ""]
    if services:
        lines.append("  The services' API docs:")
    name_width = max((len(e.name) for e in services), default=0)
    for endpoint in services:
        lines.append(f"    {endpoint.name:<{name_width}}  {endpoint.open_url}")
    dashboard = next((e for e in endpoints if e.name == "dashboard-service"), None)
    if dashboard is not None:
        lines.append(
            f"  Dashboard figures: {dashboard.url}/api/v1/dashboard/summary (with a token; "
            "try it in its API docs)"
        )
    lines += ["", f"  Database  {database}"]
    for name, url, about in backing:
        lines.append(f"  {name:<9} {url}  {about}")
    lines += [f"  Logs      {logs}", ""]
    table = format_logins(logins)
    if table:
        lines += ["  Demo logins:", *table, ""]
    else:
        lines += ["  No demo logins were printed by seed-demo.", ""]
    lines += [f"  {footer}", rule]
    return "\n".join(lines)
