"""The worker as the process supervisor runs it: ``notification-service worker`` until SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from notification_service.core.config import NotificationSettings

from .conftest import free_port


def test_the_worker_command_stops_cleanly_on_sigterm(settings: NotificationSettings) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": settings.require_database_url(),
        "ENVIRONMENT": "test",
        "JWT_SECRET": settings.jwt_secret.get_secret_value(),
        # Brokers and mail servers that are not there: the worker waits for them, and still stops.
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
        "LOG_LEVEL": "info",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from notification_service.cli import main; sys.exit(main(['worker']))",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = time.monotonic()
        assert worker.stdout is not None
        lines: list[str] = []
        while time.monotonic() - started < 15:
            line = worker.stdout.readline()
            lines.append(line)
            if "notification worker" in line:
                break
        else:
            raise AssertionError("".join(lines))
        time.sleep(0.3)  # the sender and the consumer are running
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)  # generous: a loaded CI machine is slow
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, "".join(lines) + output
    assert "received SIGTERM" in output
    assert "event worker stopped" in output
