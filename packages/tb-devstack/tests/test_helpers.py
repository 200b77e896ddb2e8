"""The pure pieces of the development stack: what they promise, and where they refuse."""

import re
import socket
import stat
from pathlib import Path

import pytest

from tb_devstack.banner import Endpoint, redact_url, render_banner
from tb_devstack.logins import DemoLogin, format_logins, parse_demo_logins
from tb_devstack.ports import port_in_use, tail
from tb_devstack.secret import SECRET_LENGTH, load_or_create_secret
from tb_devstack.services import SERVICES, python_service
from tb_devstack.stack import StackError, find_repo_root, probe_host

SEED_OUTPUT = """\
admin          admin@demo.tb-erp.test           Admin-Demo-2026
hr_manager     hr@demo.tb-erp.test              Hr-Demo-2026
WARNING: JWT_SECRET is not set: using the development key
seeded 12 assets
employee       employee@demo.tb-erp.test        Employee-Demo-2026
admin          admin@demo.tb-erp.test           Admin-Demo-2026
"""


def test_seed_output_gives_each_login_once_in_order_and_skips_other_lines():
    assert parse_demo_logins(SEED_OUTPUT) == [
        DemoLogin("admin", "admin@demo.tb-erp.test", "Admin-Demo-2026"),
        DemoLogin("hr_manager", "hr@demo.tb-erp.test", "Hr-Demo-2026"),
        DemoLogin("employee", "employee@demo.tb-erp.test", "Employee-Demo-2026"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "",
        "admin admin@x.test",  # no password
        "admin admin@x.test secret extra",  # four fields
        "admin admin secret",  # not an e-mail address
        "admin @x.test secret",
        "admin admin@ secret",
        "a@b.test admin@x.test secret",  # the role is not an address
    ],
)
def test_a_line_that_is_not_a_login_is_not_taken_for_one(line):
    assert parse_demo_logins(line) == []


def test_the_logins_table_lines_up_its_columns():
    lines = format_logins(
        [DemoLogin("admin", "admin@x.test", "pw1"), DemoLogin("hr_manager", "h@x.test", "pw2")],
        indent="",
    )
    assert lines == [
        "ROLE        EMAIL         PASSWORD",
        "admin       admin@x.test  pw1",
        "hr_manager  h@x.test      pw2",
    ]
    assert format_logins([]) == []


def test_a_port_with_a_listener_is_in_use_and_a_closed_one_is_not():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_in_use(port)
    assert not port_in_use(port)


def test_tail_keeps_the_last_lines():
    assert tail("1\n2\n3\n4", 2) == "3\n4"
    assert tail("", 5) == ""


def test_the_port_comes_from_the_service_variable_or_its_default():
    service = python_service("asset-service", 8002)
    assert service.port_variable == "ASSET_SERVICE_PORT"
    assert service.url_variable == "ASSET_SERVICE_URL"
    assert service.port({}) == 8002
    assert service.port({"ASSET_SERVICE_PORT": ""}) == 8002
    assert service.port({"ASSET_SERVICE_PORT": "18002"}) == 18002
    with pytest.raises(ValueError, match="ASSET_SERVICE_PORT='abc' is not a port"):
        service.port({"ASSET_SERVICE_PORT": "abc"})
    with pytest.raises(ValueError, match="outside"):
        service.port({"ASSET_SERVICE_PORT": "70000"})


def test_the_employee_service_runs_first_on_8001_and_has_the_login():
    first = SERVICES[0]
    assert (first.name, first.default_port) == ("employee-service", 8001)
    assert first.serve == ("employee-service", "serve", "--port", "{port}")
    assert first.login_path == "/api/v1/auth/login"
    assert len({s.default_port for s in SERVICES}) == len(SERVICES), "two services share a port"


def test_the_secret_is_created_once_private_and_kept(tmp_path):
    path = tmp_path / ".data" / "jwt-secret"
    secret = load_or_create_secret(path)
    assert len(secret) == SECRET_LENGTH
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == secret


def test_a_stored_secret_too_short_to_be_safe_is_replaced(tmp_path):
    path = tmp_path / "jwt-secret"
    path.write_text("short\n")
    assert len(load_or_create_secret(path)) == SECRET_LENGTH


def test_a_database_password_is_never_printed():
    assert redact_url("postgresql://app:s3cret@db.local:5432/erp") == (
        "postgresql://app:***@db.local:5432/erp"
    )
    assert redact_url("postgresql://postgres@127.0.0.1/postgres") == (
        "postgresql://postgres@127.0.0.1/postgres"
    )


def test_the_banner_shows_the_pages_to_open_the_logins_and_how_to_stop():
    banner = render_banner(
        endpoints=[
            Endpoint("employee-service", "http://127.0.0.1:8001", "http://127.0.0.1:8001/docs"),
            Endpoint("web-thing", "http://127.0.0.1:3000", None),
        ],
        logins=[DemoLogin("admin", "admin@x.test", "pw")],
        database="embedded PostgreSQL",
        logs=".data/logs/<service>.log",
        environment="development",
    )
    # A service's bare root answers 404: the banner gives its API docs, the page to open.
    assert "employee-service  http://127.0.0.1:8001/docs\n" in banner
    assert re.search(r"http://127\.0\.0\.1:8001\s", banner) is None
    # The web app (no API docs) comes first, as the page to open.
    assert "Open TB ERP:  http://127.0.0.1:3000" in banner
    assert banner.index("http://127.0.0.1:3000") < banner.index("employee-service")
    assert "admin  admin@x.test  pw" in banner
    assert "Ctrl-C" in banner


def test_the_repo_root_is_found_from_a_subfolder_and_refused_outside(tmp_path):
    (tmp_path / "tberp.py").write_text("")
    deep = tmp_path / "apps" / "x"
    deep.mkdir(parents=True)
    assert find_repo_root(deep) == tmp_path.resolve()
    outside = tmp_path.parent / (tmp_path.name + "-other")
    outside.mkdir()
    with pytest.raises(StackError, match=r"no tberp\.py"):
        find_repo_root(outside)


def test_a_wildcard_bind_is_probed_on_loopback():
    assert probe_host("0.0.0.0") == "127.0.0.1"  # noqa: S104
    assert probe_host("127.0.0.2") == "127.0.0.2"


def test_repo_root_of_this_checkout_has_the_runner():
    assert (find_repo_root(Path(__file__).parent) / "tberp.py").is_file()
