"""A DATABASE_URL that leads nowhere is one line that says where it tried and what to check."""

import pytest
from conftest import Up, free_port

from tb_devstack.services import python_service


def employee_service():
    # The real one: without the runner's own check, its `migrate` prints SQLAlchemy's traceback.
    return python_service("employee-service", free_port())


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "postgresql://postgres@127.0.0.1:1/erp",
            '127.0.0.1:1, database "erp" (Connection refused)',
        ),
        ("postgresql://postgres@no-such-host.invalid/erp", "no-such-host.invalid:5432"),
        ("mysql://app@db.example/erp", "got scheme 'mysql'"),
    ],
)
def test_a_bad_database_url_is_one_clear_line(root, url, said):
    up = Up(root, [employee_service()], DATABASE_URL=url)
    assert up.wait(timeout=60) == 1
    lines = up.stderr.strip().splitlines()
    assert len(lines) == 1, up.stderr
    assert said in lines[0]
    assert "check DATABASE_URL" in lines[0]
    assert "migrating" not in up.stdout  # it stopped before running anything


def test_verbose_prints_the_whole_error(root):
    up = Up(
        root, [employee_service()], "--verbose", DATABASE_URL="postgresql://postgres@127.0.0.1:1/x"
    )
    assert up.wait(timeout=60) == 1
    assert "check DATABASE_URL" in up.stderr
    assert "Traceback" in up.stderr
    assert "OperationalError" in up.stderr
