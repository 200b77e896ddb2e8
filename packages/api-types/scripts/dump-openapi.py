"""Write each service's OpenAPI document to <out>/<service>.json, offline.

Run with ``uv run python scripts/dump-openapi.py [OUT_DIR]`` (default: ``openapi`` beside this
folder). Each service's ``create_app`` is built in-process: the apps open their database and
cache connections lazily, so a dummy ``DATABASE_URL`` is enough and nothing is contacted.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from pathlib import Path

SERVICES = ("employee", "asset", "invoice", "dashboard", "notification")

# Fixed settings, whatever the caller's environment holds, so the documents depend only on the
# code: the apps never connect (the URL points at a closed port), no broker, no cache.
FIXED_ENV = {
    "DATABASE_URL": "postgresql+asyncpg://openapi:openapi@127.0.0.1:9/openapi",
    "JWT_SECRET": "openapi-dump-only-never-used-to-sign-anything",
    "ENVIRONMENT": "development",
}
UNSET_ENV = ("REDIS_URL", "BROKER_URL", "SMTP_URL")


def dump(out_dir: Path) -> list[Path]:
    """Build every service's app and write its OpenAPI document; the files written."""
    os.environ.update(FIXED_ENV)
    for name in UNSET_ENV:
        os.environ.pop(name, None)
    # The settings warn about missing production values; this is not a deployment.
    logging.disable(logging.WARNING)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for service in SERVICES:
        module = importlib.import_module(f"{service}_service.main")
        document = module.create_app().openapi()
        path = out_dir / f"{service}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parent.parent / "openapi"
    out_dir = Path(argv[0]) if argv else default
    for path in dump(out_dir):
        print(f"dump-openapi: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
