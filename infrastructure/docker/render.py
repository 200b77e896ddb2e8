"""Writes every app's Dockerfile from the templates beside this file.

The five Python services share one image recipe (python-service.Dockerfile); each keeps its own
apps/<service>/Dockerfile because the layout puts it there. What differs between them (the name,
the port) and what must follow the repository (the uv version tberp.py pins, the workspace
members, the packages a service imports) is filled in here, so the files cannot drift apart and a
new workspace member reaches every Dockerfile at the next render:

    python3 infrastructure/docker/render.py          # rewrite the Dockerfiles
    python3 infrastructure/docker/render.py --check  # exit 1 when one differs from its render

infrastructure/tests/test_containers.py runs the same comparison. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

PYTHON_TEMPLATE = HERE / "python-service.Dockerfile"
WEB_TEMPLATE = HERE / "web-frontend.Dockerfile"

# The port each service listens on (the default in its app/core/config.py; compose and the
# Kubernetes manifests use the same).
SERVICES = {
    "employee-service": 8001,
    "asset-service": 8002,
    "invoice-service": 8003,
    "dashboard-service": 8004,
    "notification-service": 8005,
}
WEB_APP = "web-frontend"


def generated_note(template: Path) -> str:
    return (
        f"GENERATED from {template.relative_to(ROOT).as_posix()}\n"
        "# by infrastructure/docker/render.py: edit the template and re-render, not this file."
    )


def uv_version(root: Path = ROOT) -> str:
    """The uv version tberp.py installs (its UV_VERSION)."""
    found = re.search(r'^UV_VERSION = "([^"]+)"', (root / "tberp.py").read_text(), re.MULTILINE)
    if not found:
        raise SystemExit("tberp.py has no UV_VERSION")
    return found.group(1)


def uv_members(root: Path = ROOT) -> list[str]:
    """The uv workspace's members (folders), as the root pyproject.toml lists them."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    return list(pyproject["tool"]["uv"]["workspace"]["members"])


def workspace_sources(service: str, root: Path = ROOT) -> list[str]:
    """The folders of the service and of every workspace package it needs, from uv.lock."""
    lock = tomllib.loads((root / "uv.lock").read_text())
    packages = {package["name"]: package for package in lock["package"]}
    folders: list[str] = []
    pending = [service]
    seen: set[str] = set()
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        package = packages[name]
        folder = package.get("source", {}).get("editable")
        if folder is None:
            continue  # from PyPI: installed by the dependencies layer
        folders.append(folder)
        pending.extend(dependency["name"] for dependency in package.get("dependencies", []))
    return sorted(folders)


def npm_workspaces(root: Path = ROOT) -> list[str]:
    """The npm workspaces' folders: the root package.json's globs, expanded."""
    globs = json.loads((root / "package.json").read_text())["workspaces"]
    folders = {
        manifest.parent.relative_to(root).as_posix()
        for pattern in globs
        for manifest in root.glob(f"{pattern}/package.json")
    }
    return sorted(folders)


def npm_sources(app: str = WEB_APP, root: Path = ROOT) -> list[str]:
    """The folders of the app and of the workspace packages its package.json depends on."""
    by_name = {
        json.loads((root / folder / "package.json").read_text())["name"]: folder
        for folder in npm_workspaces(root)
    }
    manifest = json.loads((root / "apps" / app / "package.json").read_text())
    needed = {
        by_name[name]
        for section in ("dependencies", "devDependencies")
        for name in manifest.get(section, {})
        if name in by_name
    }
    return sorted(needed | {f"apps/{app}"})


def _copy_manifests(folders: list[str], manifest: str) -> str:
    return "\n".join(f"COPY {folder}/{manifest} {folder}/" for folder in folders)


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{\w+\}\}", template)
    if left:
        raise ValueError(f"placeholders without a value: {sorted(set(left))}")
    return template


def render_python_service(service: str, root: Path = ROOT) -> str:
    """apps/<service>/Dockerfile as the template makes it."""
    sources = workspace_sources(service, root)
    return _fill(
        PYTHON_TEMPLATE.read_text(),
        {
            "generated": generated_note(PYTHON_TEMPLATE),
            "service": service,
            "port": str(SERVICES[service]),
            "uv_version": uv_version(root),
            "workspace_manifests": _copy_manifests(uv_members(root), "pyproject.toml"),
            "workspace_sources": "\n".join(f"COPY {folder} {folder}" for folder in sources),
            "compile_paths": " ".join(sources),
        },
    )


def render_web_frontend(root: Path = ROOT) -> str:
    """apps/web-frontend/Dockerfile as the template makes it."""
    return _fill(
        WEB_TEMPLATE.read_text(),
        {
            "generated": generated_note(WEB_TEMPLATE),
            "npm_manifests": _copy_manifests(npm_workspaces(root), "package.json"),
            "npm_sources": "\n".join(
                f"COPY {folder} {folder}" for folder in npm_sources(root=root)
            ),
        },
    )


def rendered(root: Path = ROOT) -> dict[Path, str]:
    """Every Dockerfile this script owns, by path, with the text it should have."""
    files = {
        root / "apps" / service / "Dockerfile": render_python_service(service, root)
        for service in SERVICES
    }
    files[root / "apps" / WEB_APP / "Dockerfile"] = render_web_frontend(root)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report the files that differ")
    args = parser.parse_args(argv)
    stale = []
    for path, text in rendered().items():
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path.relative_to(ROOT).as_posix())
        if not args.check:
            path.write_text(text)
    if args.check and stale:
        print("not rendered from the templates:", ", ".join(stale), file=sys.stderr)
        return 1
    for name in stale:
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
