"""``up`` starts whatever a killed run left in .data/postgres, and leaves nothing running after.

Each case is a state a run killed at the wrong moment leaves behind (pgserver's pid list empty or
half-written, a server still running, a stale postmaster.pid, an initdb cut short).
"""

import os
import subprocess

import psycopg
import pytest
from conftest import PYTHON, alive, copy_cluster, make_stack, postgres_pids, stand_in


def assert_up_works_and_leaves_nothing(root):
    data = root / ".data" / "postgres"
    with make_stack(root, stand_in("one-service", root)) as stack:
        with psycopg.connect(stack._env["DATABASE_URL"], connect_timeout=5) as connection:
            assert connection.execute("select 1").fetchone() == (1,)
        running = postgres_pids(data)
        assert running
    assert stack.stop_problems == []
    assert postgres_pids(data) == []
    assert not any(alive(pid) for pid in running)


@pytest.mark.parametrize(
    "pid_list",
    [
        "",  # truncated by an interrupted rewrite: pgserver then fails on every start
        "[4242",  # half-written
        "not json",
        "[999999999]",  # a run that was killed: pgserver then never stops the server
    ],
)
def test_a_broken_or_stale_pgserver_pid_list(root, cluster, pid_list):
    data = copy_cluster(cluster, root / ".data" / "postgres")
    (data / ".handle_pids.json").write_text(pid_list)
    assert_up_works_and_leaves_nothing(root)


def test_a_postgres_left_running_by_a_killed_run_is_stopped(root, cluster):
    data = copy_cluster(cluster, root / ".data" / "postgres")
    # What a killed `up` of before left: pgserver's detached server, its pid list naming the
    # dead runner.
    killed_run = (
        "import os, signal, sys, pgserver\n"
        "pgserver.get_server(sys.argv[1], cleanup_mode='stop')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([PYTHON, "-c", killed_run, str(data)], check=False, timeout=60)  # noqa: S603
    leftover = postgres_pids(data)
    assert leftover, "the killed run left no server: the test would prove nothing"

    assert_up_works_and_leaves_nothing(root)
    assert not any(alive(pid) for pid in leftover)


def test_a_half_written_postmaster_pid_naming_another_process(root, cluster):
    data = copy_cluster(cluster, root / ".data" / "postgres")
    # Two lines of eight, and the pid of a live process that is not PostgreSQL (this one).
    (data / "postmaster.pid").write_text(f"{os.getpid()}\n{data}\n")
    assert_up_works_and_leaves_nothing(root)


def test_an_initdb_cut_short_is_done_again(root):
    data = root / ".data" / "postgres"
    (data / "base" / "1").mkdir(parents=True)
    (data / "postgresql.conf").write_text("# initdb was killed here\n")
    scratch = root / ".data" / ".postgres.initdb"
    (scratch / "global").mkdir(parents=True)
    assert_up_works_and_leaves_nothing(root)
    assert (data / "PG_VERSION").is_file()
    assert not scratch.exists()
