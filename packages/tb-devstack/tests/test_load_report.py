"""The load run's arithmetic and judgement, without an ERP: percentiles, what counts as a lost
write, the report's counts, the loopback rule, and where the command finds the demo logins."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tb_devstack.banner import render_banner
from tb_devstack.load import (
    UNKNOWN,
    LoadReport,
    NotLoopback,
    Sample,
    Targets,
    Write,
    demo_logins,
    differences,
    latency_of,
    main,
    require_loopback,
)
from tb_devstack.logins import DemoLogin


def test_percentiles_are_those_of_the_samples_in_milliseconds() -> None:
    latency = latency_of([ms / 1000 for ms in range(1, 101)])  # 1 ms ... 100 ms
    assert latency is not None
    assert latency.p50 == pytest.approx(50.5)
    assert latency.p95 == pytest.approx(95.05)
    assert latency.p99 == pytest.approx(99.01)
    assert latency.max == pytest.approx(100.0)
    assert latency.mean == pytest.approx(50.5)


def test_a_few_slow_answers_move_p99_but_not_p50() -> None:
    latency = latency_of([0.010] * 980 + [5.0] * 20)
    assert latency is not None
    assert latency.p50 == pytest.approx(10.0)
    assert latency.p99 == pytest.approx(5000.0)


def test_one_sample_is_every_percentile_and_none_is_no_latency() -> None:
    assert latency_of([0.25]) == latency_of([0.25, 0.25])
    one = latency_of([0.25])
    assert one is not None
    assert one.p99 == pytest.approx(250.0)
    assert latency_of([]) is None


def asset_write() -> Write:
    return Write(
        kind="asset",
        id=7,
        url="http://127.0.0.1:1/api/v1/assets/7",
        expected={"asset_tag": "LDX-000001", "purchase_cost": Decimal("1200.50")},
    )


def test_a_write_read_back_as_written_is_not_lost() -> None:
    body = {"id": 7, "asset_tag": "LDX-000001", "purchase_cost": "1200.50", "name": "Laptop"}
    assert differences(asset_write(), 200, body) == []


def test_an_amount_is_compared_as_an_amount() -> None:
    body = {"id": 7, "asset_tag": "LDX-000001", "purchase_cost": "1200.5000"}
    assert differences(asset_write(), 200, body) == []


def test_a_confirmed_write_that_is_not_found_is_lost() -> None:
    assert differences(asset_write(), 404, "not found") == [
        "asset 7: GET http://127.0.0.1:1/api/v1/assets/7 answered 404"
    ]


def test_a_write_found_with_other_values_is_lost() -> None:
    body = {"id": 7, "asset_tag": "LDX-000001", "purchase_cost": "1100.50"}
    assert differences(asset_write(), 200, body) == [
        "asset 7: purchase_cost is '1100.50', expected Decimal('1200.50')"
    ]
    assert differences(asset_write(), 200, {"id": 7, "purchase_cost": "1200.50"}) == [
        "asset 7: asset_tag is '(absent)', expected 'LDX-000001'"
    ]


def test_a_field_whose_outcome_is_unknown_is_not_checked() -> None:
    write = asset_write()
    write.expected["location"] = UNKNOWN  # a PATCH that got no answer
    body = {"id": 7, "asset_tag": "LDX-000001", "purchase_cost": "1200.50", "location": "?"}
    assert differences(write, 200, body) == []


def test_a_payment_is_looked_for_in_its_invoice() -> None:
    payment = Write(
        kind="payment",
        id=3,
        url="http://127.0.0.1:1/api/v1/invoices/9",
        within="payments",
        expected={"amount": Decimal("50.00"), "invoice_id": 9},
    )
    earlier = {"id": 2, "amount": "10.00", "invoice_id": 9}
    invoice = {"id": 9, "payments": [earlier]}
    assert differences(payment, 200, invoice) == [
        "payment 3: not in payments of GET http://127.0.0.1:1/api/v1/invoices/9"
    ]
    invoice = {"id": 9, "payments": [earlier, {"id": 3, "amount": "50.00", "invoice_id": 9}]}
    assert differences(payment, 200, invoice) == []


def report(samples: list[Sample], lost: list[str] | None = None) -> LoadReport:
    return LoadReport(
        run="LDTEST",
        connections=4,
        seconds=2,
        elapsed=2.0,
        samples=samples,
        writes=[asset_write()],
        lost=lost or [],
        verified=0 if lost else 1,
    )


def test_the_report_counts_statuses_5xx_timeouts_and_throughput() -> None:
    samples = [
        Sample("GET assets", 0.010, 200),
        Sample("GET assets", 0.030, 200),
        Sample("POST assets", 0.020, 201),
        Sample("POST assets", 0.050, 500),
        Sample("POST assets", 0.040, 503),
        Sample("GET invoices", 60.0, None, "timeout"),
        Sample("GET invoices", 0.001, None, "error"),
        Sample("GET invoices", 0.015, 404),
    ]
    done = report(samples)
    assert done.requests == 8
    assert done.statuses == {
        "200": 2,
        "201": 1,
        "404": 1,
        "500": 1,
        "503": 1,
        "error": 1,
        "timeout": 1,
    }
    assert (done.server_errors, done.client_errors) == (2, 1)
    assert (done.timeouts, done.transport_errors) == (1, 1)
    assert done.throughput == pytest.approx(4.0)
    assert not done.ok  # a 5xx fails the run
    # The timeout is counted but not timed: 60 s would say nothing about the answers.
    assert done.latency is not None
    assert done.latency.max == pytest.approx(50.0)
    by_endpoint = done.by_endpoint()
    assert list(by_endpoint) == ["GET assets", "POST assets", "GET invoices"]  # the mix's order
    assert by_endpoint["POST assets"].server_errors == 2
    assert by_endpoint["GET invoices"].timeouts == 1
    assert by_endpoint["GET invoices"].latency is not None
    assert json.loads(json.dumps(done.to_dict()))["server_errors"] == 2
    assert "FAILED" in done.render()


def test_a_lost_write_fails_the_run_and_is_named() -> None:
    lost = report([Sample("POST assets", 0.02, 201)], lost=["asset 7: GET ... answered 404"])
    assert not lost.ok
    assert lost.to_dict()["lost_writes"] == 1
    assert "asset 7: GET ... answered 404" in lost.render()
    fine = report([Sample("POST assets", 0.02, 201)])
    assert fine.ok
    assert fine.verified == 1
    assert "verdict       OK" in fine.render()


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8001", "http://localhost:8002/", "http://[::1]:8003", "http://127.3.2.1"],
)
def test_loopback_targets_are_accepted(url: str) -> None:
    require_loopback(url)


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.5:8001", "http://erp.example.com", "http://0.0.0.0:8001", "ftp://127.0.0.1"],
)
def test_other_targets_are_refused(url: str) -> None:
    with pytest.raises(NotLoopback):
        require_loopback(url)
    with pytest.raises(NotLoopback):
        Targets(employees=url, assets=url, invoices=url, dashboard=url)


def test_the_command_refuses_a_target_that_is_not_this_machine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--invoice-url", "http://192.0.2.10:8003", "--seconds", "1"]) == 2
    assert "loopback only" in capsys.readouterr().err


def test_the_command_reads_the_demo_logins_from_ups_banner(tmp_path: Path) -> None:
    logins = [
        DemoLogin("admin", "admin@tb-erp.example", "pw-1"),
        DemoLogin("accountant", "accounting@tb-erp.example", "pw-2"),
    ]
    banner = render_banner(endpoints=[], logins=logins, database="x", logs="y", environment="z")
    (tmp_path / "banner.txt").write_text(banner)
    assert demo_logins(str(tmp_path / "banner.txt")) == logins


def test_without_a_file_the_command_signs_in_as_the_employee_service_seeds() -> None:
    roles = {login.role for login in demo_logins(None)}
    assert {"admin", "asset_manager", "accountant"} <= roles
