"""The development JWT secret: generated once and kept, so a restart keeps tokens valid."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_LENGTH = 48


def load_or_create_secret(path: Path) -> str:
    """The secret stored in ``path``; a new random one (written there, mode 0600) if none."""
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if len(stored) >= SECRET_LENGTH:
            return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(SECRET_LENGTH * 3 // 4)  # 36 bytes -> 48 characters
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    return secret
