"""Stopping ``up`` with signals: however many arrive, and whenever, everything it started ends.

One ``kill`` reaches the runner two or three times (tberp.py and ``uv run`` each pass SIGTERM on),
so these tests send storms of them to a real ``up`` process.
"""

import os
import signal
import sys
import time
from contextlib import suppress

import pytest
from conftest import PYTHON, Up, alive, copy_cluster, postgres_pids, service_pid, stand_in, wait_for


def storm(pid: int, count: int = 40, gap: float = 0.0001) -> None:
    for _ in range(count):
        os.kill(pid, signal.SIGTERM)
        time.sleep(gap)


def keep_signalling_until_it_exits(up: Up, timeout: float = 90) -> int:
    """A SIGTERM every 10 ms, so that signals also land in every step of the shutdown."""
    deadline = time.monotonic() + timeout
    while up.process.poll() is None and time.monotonic() < deadline:
        with suppress(ProcessLookupError):
            os.kill(up.pid, signal.SIGTERM)
        time.sleep(0.01)
    return up.wait(timeout=1)


def assert_no_traceback(up: Up) -> None:
    assert "Traceback" not in up.stderr, up.stderr
    assert "KeyboardInterrupt" not in up.stderr, up.stderr


def test_a_storm_of_sigterms_stops_every_service_and_postgres_and_says_so(root, cluster):
    data = copy_cluster(cluster, root / ".data" / "postgres")
    services = [stand_in(name, root, stop_seconds=0.3) for name in ("first-service", "second")]
    up = Up(root, services)
    up.wait_for_output("Press Ctrl-C to stop.")
    started = [service_pid(root, s.name) for s in services] + postgres_pids(data)
    assert len(started) > len(services)
    assert all(alive(pid) for pid in started)

    storm(up.pid)
    code = keep_signalling_until_it_exits(up)

    assert_no_traceback(up)
    assert code == 0, up.stderr
    assert [pid for pid in started if alive(pid)] == []
    assert postgres_pids(data) == []
    lines = up.stdout.splitlines()
    assert lines[-1] == "tb-devstack: stopped"
    assert lines.count("tb-devstack: stopped") == 1
    assert "tb-devstack: stopping the embedded PostgreSQL" in lines


def test_signals_while_it_starts_stop_what_was_started_and_the_command_it_runs(root, cluster):
    data = copy_cluster(cluster, root / ".data" / "postgres")
    seed_pid = root / "seed.pid"
    slow_seed = (
        PYTHON,
        "-c",
        "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)",
        str(seed_pid),
    )
    services = [
        stand_in("first-service", root, stop_seconds=0.3),
        stand_in("slow-service", root, seed=slow_seed),
    ]
    up = Up(root, services)
    up.wait_for_output("slow-service: adding the demo data")
    wait_for(seed_pid.exists, 60, "the seed command")
    started = [service_pid(root, "first-service"), int(seed_pid.read_text()), *postgres_pids(data)]

    storm(up.pid)
    code = keep_signalling_until_it_exits(up)

    assert_no_traceback(up)
    assert code == 130, up.stderr
    assert "interrupted before TB ERP was up" in up.stderr
    assert [pid for pid in started if alive(pid)] == []
    assert postgres_pids(data) == []
    assert up.stdout.splitlines()[-1] == "tb-devstack: stopped"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_a_runner_killed_outright_leaves_nothing_running_and_the_next_up_works(root, cluster):
    data = copy_cluster(cluster, root / ".data" / "postgres")
    services = [stand_in("first-service", root)]
    up = Up(root, services)
    up.wait_for_output("Press Ctrl-C to stop.")
    started = [service_pid(root, "first-service"), *postgres_pids(data)]

    up.process.kill()  # SIGKILL: no handler, no shutdown of its own
    up.wait()

    wait_for(lambda: not any(alive(pid) for pid in started), 60, "the servers to end")
    again = Up(root, [stand_in("first-service", root)], "--check")
    assert again.wait() == 0, again.stdout + again.stderr
    assert "everything answered as it should" in again.stdout
    assert postgres_pids(data) == []
