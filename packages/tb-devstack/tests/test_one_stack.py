"""One stack per data directory: a second ``up`` is refused before it touches anything."""

from conftest import Up, alive, copy_cluster, postgres_pids, stand_in


def test_a_second_up_on_the_same_data_directory_is_refused_and_touches_nothing(root, cluster):
    data = copy_cluster(cluster, root / ".data" / "postgres")
    first = Up(root, [stand_in("first-service", root)])
    first.wait_for_output("Press Ctrl-C to stop.")
    log = root / ".data" / "logs" / "first-service.log"
    log_before = log.read_bytes()
    postgres_before = postgres_pids(data)
    assert log_before
    assert postgres_before

    # On other ports, as the port-in-use message suggests.
    second = Up(root, [stand_in("first-service", root, seed=None)])
    assert second.wait(timeout=90) == 1
    assert f"another `tberp.py up` (pid {first.pid}) is running on .data" in second.stderr
    assert "Traceback" not in second.stderr

    log_after = log.read_bytes()
    assert log_after.startswith(log_before)
    assert b"\0" not in log_after
    assert postgres_pids(data) == postgres_before
    assert alive(first.pid)

    first.stop()
    assert first.process.returncode == 0
    assert postgres_pids(data) == []
