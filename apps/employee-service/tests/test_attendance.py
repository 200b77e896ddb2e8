"""Attendance: checking in and out, HR's corrections, the lists and the monthly summary."""

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tb_platform.testing import TokenFactory
from tb_platform.uow import FrozenClock

from .conftest import Factory

URL = "/api/v1/attendance"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def hours_between(start: str, end: str) -> Decimal:
    seconds = Decimal((at(end) - at(start)).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.01"))


def assert_invalid(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in [error["field"] for error in body["detail"]], body


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


async def check_in(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await client.post(f"{URL}/check-in", json=body, headers=headers)


async def check_out(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await client.post(f"{URL}/check-out", json=body, headers=headers)


async def record_day(
    client: httpx.AsyncClient, headers: dict[str, str], employee_id: int, day: str, **body: Any
) -> httpx.Response:
    return await client.put(f"{URL}/{employee_id}/{day}", json=body, headers=headers)


async def terminate(client: httpx.AsyncClient, admin: dict[str, str], employee_id: int) -> None:
    response = await client.delete(f"/api/v1/employees/{employee_id}", headers=admin)
    assert response.status_code == 204, response.text


# --- checking yourself in and out --------------------------------------------------------------


async def test_an_employee_checks_in_and_out_of_today(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, clock: FrozenClock
) -> None:
    person = await make.employee()
    me = tokens.headers("employee", employee_id=person["id"])
    started = clock.now()

    checked_in = await check_in(client, me, note="on site")

    assert checked_in.status_code == 201, checked_in.text
    day = checked_in.json()
    assert day["employee_id"] == person["id"]
    assert day["status"] == "present"
    assert day["note"] == "on site"
    assert day["check_out_at"] is None
    assert day["worked_hours"] is None
    assert at(day["check_in_at"]) == started
    assert day["date"] == clock.today().isoformat()

    clock.advance(dt.timedelta(hours=8, minutes=15))
    checked_out = await check_out(client, me)

    assert checked_out.status_code == 200, checked_out.text
    done = checked_out.json()
    assert done["id"] == day["id"]
    assert done["check_in_at"] == day["check_in_at"]
    assert at(done["check_out_at"]) == clock.now()
    assert done["worked_hours"] == 8.25  # a JSON number, not a string
    assert done["note"] == "on site"  # kept when the check-out brings no note

    listed = await client.get(URL, headers=me)
    assert [row["id"] for row in listed.json()["items"]] == [day["id"]]
    assert listed.json()["items"][0]["check_out_at"] == done["check_out_at"]


async def test_checking_in_twice_on_one_day_is_a_conflict(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    person = await make.employee()
    me = tokens.headers("employee", employee_id=person["id"])
    assert (await check_in(client, me)).status_code == 201

    assert_error(await check_in(client, me), 409, "already_checked_in")

    # Still refused after the day's check-out: one row per employee and day.
    assert (await check_out(client, me)).status_code == 200
    assert_error(await check_in(client, me), 409, "already_checked_in")
    assert (await client.get(URL, headers=me)).json()["total"] == 1


async def test_checking_out_without_checking_in_is_a_conflict(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    person = await make.employee()
    me = tokens.headers("employee", employee_id=person["id"])

    assert_error(await check_out(client, me), 409, "not_checked_in")
    assert (await client.get(URL, headers=me)).json()["items"] == []


async def test_checking_out_twice_is_a_conflict(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    person = await make.employee()
    me = tokens.headers("employee", employee_id=person["id"])
    assert (await check_in(client, me)).status_code == 201
    first = await check_out(client, me)
    assert first.status_code == 200

    assert_error(await check_out(client, me), 409, "already_checked_out")
    rows = (await client.get(URL, headers=me)).json()["items"]
    assert rows[0]["check_out_at"] == first.json()["check_out_at"]


async def test_working_from_home_is_checked_in_as_remote(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    person = await make.employee()
    me = tokens.headers("employee", employee_id=person["id"])

    response = await check_in(client, me, status="remote")

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "remote"
    # A check-in is a day worked: absent or leave is HR's to record.
    assert_invalid(await check_in(client, me, status="leave"), "status")


async def test_a_terminated_employee_cannot_check_in(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, admin: dict[str, str]
) -> None:
    person = await make.employee()
    me = tokens.headers("employee", employee_id=person["id"])
    await terminate(client, admin, person["id"])

    # Their token ended with their employment; one of the current version (ver 1) still finds
    # the record terminated.
    assert_error(await check_in(client, me), 401, "token_revoked")
    current = tokens.headers("employee", employee_id=person["id"], ver=1)
    assert_error(await check_in(client, current), 409, "employee_terminated")
    # Nor can HR check them in.
    assert_error(
        await check_in(client, admin, employee_id=person["id"], at="2026-03-02T08:00:00Z"),
        409,
        "employee_terminated",
    )
    assert (await client.get(URL, params={"employee_id": person["id"]}, headers=admin)).json()[
        "total"
    ] == 0


# --- what an employee may not do ----------------------------------------------------------------


async def test_an_employee_cannot_check_in_someone_else_or_choose_the_time(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, hr: dict[str, str]
) -> None:
    person = await make.employee()
    colleague = await make.employee()
    me = tokens.headers("employee", employee_id=person["id"])

    # Someone else's attendance is beyond their own grant: not found, as when reading it.
    for response in (
        await check_in(client, me, employee_id=colleague["id"]),
        await check_out(client, me, employee_id=colleague["id"]),
    ):
        assert_error(response, 404, "not_found")
    for response in (
        await check_in(client, me, at="2026-03-02T08:00:00Z"),
        await check_in(client, me, employee_id=person["id"], at="2026-03-02T08:00:00Z"),
        await check_out(client, me, at="2026-03-02T16:00:00Z"),
    ):
        assert_error(response, 403, "forbidden")

    assert (await client.get(URL, headers=hr)).json()["total"] == 0
    # Naming yourself is the same as naming no one.
    assert (await check_in(client, me, employee_id=person["id"])).status_code == 201


@pytest.mark.parametrize("role", ["asset_manager", "accountant"])
async def test_readers_of_attendance_cannot_record_it(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, hr: dict[str, str], role: str
) -> None:
    person = await make.employee()
    colleague = await make.employee()
    recorded = await record_day(client, hr, colleague["id"], "2026-03-02", status="absent")
    assert recorded.status_code == 200
    reader = tokens.headers(role, "employee", employee_id=person["id"])

    listed = await client.get(URL, headers=reader)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["items"]] == [recorded.json()["id"]]
    summary = await client.get(f"{URL}/summary", params={"month": "2026-03"}, headers=reader)
    assert [item["employee_id"] for item in summary.json()["items"]] == [colleague["id"]]

    reader_only = tokens.headers(role, employee_id=person["id"])
    for response in (
        await check_in(client, reader_only),
        await check_out(client, reader_only),
        await check_in(client, reader_only, employee_id=colleague["id"], at="2026-03-03T08:00Z"),
        await record_day(client, reader_only, colleague["id"], "2026-03-03", status="leave"),
    ):
        assert_error(response, 403, "forbidden")
    assert (await client.get(URL, headers=hr)).json()["total"] == 1


async def test_a_caller_without_an_attendance_role_is_forbidden(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    nobody = tokens.headers(employee_id=1)
    assert_error(await client.get(URL, headers=nobody), 403, "forbidden")
    assert_error(await check_in(client, nobody), 403, "forbidden")
    assert (await client.get(URL)).status_code == 401


# --- HR records for others ----------------------------------------------------------------------


async def test_hr_records_a_past_day_for_an_employee(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    start, end = "2026-03-02T08:00:00Z", "2026-03-02T16:30:00Z"

    checked_in = await check_in(client, hr, employee_id=person["id"], at=start, note="forgot badge")
    assert checked_in.status_code == 201, checked_in.text
    assert checked_in.json()["date"] == "2026-03-02"
    assert at(checked_in.json()["check_in_at"]) == at(start)

    checked_out = await check_out(client, hr, employee_id=person["id"], at=end)

    assert checked_out.status_code == 200, checked_out.text
    assert at(checked_out.json()["check_out_at"]) == at(end)
    assert checked_out.json()["worked_hours"] == 8.5
    assert checked_out.json()["worked_hours"] == float(hours_between(start, end))
    assert checked_out.json()["note"] == "forgot badge"

    assert_error(
        await check_out(client, hr, employee_id=person["id"], at="2026-03-02T17:00:00Z"),
        409,
        "already_checked_out",
    )


async def test_the_day_of_a_check_in_is_its_utc_date(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    person = await make.employee()

    response = await check_in(
        client, admin, employee_id=person["id"], at="2026-03-03T01:00:00+02:00"
    )

    assert response.status_code == 201, response.text
    assert response.json()["date"] == "2026-03-02"
    assert at(response.json()["check_in_at"]) == at("2026-03-02T23:00:00Z")


async def test_a_night_shift_is_checked_out_the_next_morning(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    start, end = "2026-03-02T22:00:00Z", "2026-03-03T06:15:00Z"
    assert (await check_in(client, hr, employee_id=person["id"], at=start)).status_code == 201

    out = await check_out(client, hr, employee_id=person["id"], at=end)

    assert out.status_code == 200, out.text
    assert out.json()["date"] == "2026-03-02"
    assert out.json()["worked_hours"] == float(hours_between(start, end))
    # The next day is free for its own check-in.
    next_day = await check_in(client, hr, employee_id=person["id"], at="2026-03-03T22:00:00Z")
    assert next_day.status_code == 201
    assert next_day.json()["date"] == "2026-03-03"


async def test_check_out_before_the_check_in_is_refused(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    assert (
        await check_in(client, hr, employee_id=person["id"], at="2026-03-02T08:00:00Z")
    ).status_code == 201

    early = await check_out(client, hr, employee_id=person["id"], at="2026-03-02T07:59:00Z")

    assert_invalid(early, "at")
    row = (await client.get(URL, params={"employee_id": person["id"]}, headers=hr)).json()
    assert row["items"][0]["check_out_at"] is None


@pytest.mark.parametrize("endpoint", ["check-in", "check-out"])
async def test_a_time_without_a_timezone_is_refused(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory, endpoint: str
) -> None:
    person = await make.employee()
    response = await client.post(
        f"{URL}/{endpoint}",
        json={"employee_id": person["id"], "at": "2026-03-02T08:00:00"},
        headers=hr,
    )
    assert_invalid(response, "at")
    assert (await client.get(URL, headers=hr)).json()["total"] == 0


async def test_hr_must_name_the_employee_when_their_login_has_no_record(
    client: httpx.AsyncClient, hr: dict[str, str]
) -> None:
    assert_invalid(await check_in(client, hr), "employee_id")
    missing = await check_in(client, hr, employee_id=424242, at="2026-03-02T08:00:00Z")
    assert_error(missing, 404, "not_found")


async def test_a_check_in_on_a_day_hr_recorded_as_absent_is_refused(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    absent = await record_day(client, hr, person["id"], "2026-03-02", status="absent")
    assert absent.status_code == 200

    response = await check_in(client, hr, employee_id=person["id"], at="2026-03-02T09:00:00Z")

    assert_error(response, 409, "day_already_recorded")


# --- HR records whole days ----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["leave", "absent"])
async def test_hr_records_a_day_without_times(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory, status: str
) -> None:
    person = await make.employee()

    response = await record_day(client, hr, person["id"], "2026-03-09", status=status, note="flu")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["employee_id"], body["date"], body["status"]) == (
        person["id"],
        "2026-03-09",
        status,
    )
    assert body["check_in_at"] is None
    assert body["check_out_at"] is None
    assert body["worked_hours"] is None
    assert body["note"] == "flu"


async def test_a_leave_day_cannot_have_times(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()

    response = await record_day(
        client, hr, person["id"], "2026-03-09", status="leave", check_in_at="2026-03-09T08:00:00Z"
    )

    assert_invalid(response, "status")
    assert (await client.get(URL, headers=hr)).json()["total"] == 0


async def test_hr_corrects_a_day_and_the_correction_replaces_it(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    original = await check_in(client, hr, employee_id=person["id"], at="2026-03-02T08:00:00Z")
    start, end = "2026-03-02T07:45:00Z", "2026-03-02T15:15:00Z"

    corrected = await record_day(
        client,
        hr,
        person["id"],
        "2026-03-02",
        status="present",
        check_in_at=start,
        check_out_at=end,
    )

    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["id"] == original.json()["id"]
    assert corrected.json()["worked_hours"] == float(hours_between(start, end))
    leave = await record_day(client, hr, person["id"], "2026-03-02", status="leave")
    assert leave.json()["id"] == original.json()["id"]
    assert leave.json()["check_in_at"] is None
    assert leave.json()["worked_hours"] is None
    assert (await client.get(URL, headers=hr)).json()["total"] == 1


async def test_a_recorded_day_must_be_consistent(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    day = "2026-03-02"

    assert_invalid(await record_day(client, hr, person["id"], day, status="present"), "check_in_at")
    assert_invalid(
        await record_day(
            client, hr, person["id"], day, status="present", check_in_at="2026-03-03T08:00:00Z"
        ),
        "check_in_at",
    )
    assert_invalid(
        await record_day(
            client,
            hr,
            person["id"],
            day,
            status="present",
            check_in_at="2026-03-02T08:00:00Z",
            check_out_at="2026-03-02T07:00:00Z",
        ),
        "check_out_at",
    )
    assert_invalid(
        await record_day(
            client, hr, person["id"], day, status="present", check_in_at="2026-03-02T08:00:00"
        ),
        "check_in_at",
    )
    assert_invalid(await record_day(client, hr, person["id"], day, status="holiday"), "status")
    assert_invalid(await record_day(client, hr, person["id"], "2026-02-30", status="leave"), "day")
    assert (await client.get(URL, headers=hr)).json()["total"] == 0


async def test_only_hr_or_an_admin_records_a_day(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    make: Factory,
    admin: dict[str, str],
    clock: FrozenClock,
) -> None:
    person = await make.employee()
    me = tokens.headers("employee", employee_id=person["id"])

    for day in ("2026-03-02", clock.today().isoformat()):
        refused = await record_day(client, me, person["id"], day, status="leave")
        assert_error(refused, 403, "forbidden")
    assert (await client.get(URL, headers=admin)).json()["total"] == 0

    assert (await record_day(client, admin, person["id"], "2026-03-02", status="leave")).is_success
    assert_error(
        await record_day(client, admin, 424242, "2026-03-02", status="leave"), 404, "not_found"
    )


# --- lists --------------------------------------------------------------------------------------


async def test_list_filters_by_employee_and_inclusive_date_range_and_pages(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    other = await make.employee()
    days = [dt.date(2026, 3, d) for d in range(1, 11)]
    ids = {}
    for day in days:
        response = await record_day(client, hr, person["id"], day.isoformat(), status="absent")
        ids[day] = response.json()["id"]
    await record_day(client, hr, other["id"], "2026-03-05", status="leave")

    params = {"employee_id": person["id"], "from": "2026-03-03", "to": "2026-03-07"}
    window = await client.get(URL, params=params, headers=hr)

    assert window.status_code == 200, window.text
    expected = [d for d in days if dt.date(2026, 3, 3) <= d <= dt.date(2026, 3, 7)]
    assert window.json()["total"] == len(expected)
    # Newest first by default.
    assert [row["date"] for row in window.json()["items"]] == [
        d.isoformat() for d in reversed(expected)
    ]
    assert {row["employee_id"] for row in window.json()["items"]} == {person["id"]}

    first = (await client.get(URL, params={**params, "limit": 2}, headers=hr)).json()
    second = (await client.get(URL, params={**params, "limit": 2, "offset": 2}, headers=hr)).json()
    by_cursor = (
        await client.get(
            URL, params={**params, "limit": 2, "cursor": first["next_cursor"]}, headers=hr
        )
    ).json()
    assert first["total"] == second["total"] == len(expected)
    assert by_cursor["items"] == second["items"]
    ascending = await client.get(URL, params={**params, "sort": "date"}, headers=hr)
    assert [row["id"] for row in ascending.json()["items"]] == [ids[d] for d in expected]

    one_day = await client.get(URL, params={"from": "2026-03-05", "to": "2026-03-05"}, headers=hr)
    assert sorted(row["employee_id"] for row in one_day.json()["items"]) == sorted(
        [person["id"], other["id"]]
    )


async def test_list_refuses_from_after_to(client: httpx.AsyncClient, hr: dict[str, str]) -> None:
    response = await client.get(URL, params={"from": "2026-03-10", "to": "2026-03-09"}, headers=hr)
    assert_invalid(response, "from")
    assert_invalid(await client.get(URL, params={"from": "2026-03-32"}, headers=hr), "from")
    assert_invalid(await client.get(URL, params={"sort": "worked_hours"}, headers=hr), "sort")


async def test_an_employee_lists_only_their_own_attendance(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, hr: dict[str, str]
) -> None:
    person = await make.employee()
    colleague = await make.employee()
    mine = await record_day(client, hr, person["id"], "2026-03-02", status="absent")
    await record_day(client, hr, colleague["id"], "2026-03-02", status="leave")
    await record_day(client, hr, colleague["id"], "2026-03-03", status="leave")
    me = tokens.headers("employee", employee_id=person["id"])

    listed = await client.get(URL, headers=me)

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["items"]] == [mine.json()["id"]]
    assert listed.json()["total"] == 1
    own = await client.get(URL, params={"employee_id": person["id"]}, headers=me)
    assert own.json()["total"] == 1
    # Someone else's attendance does not exist as far as the employee can tell.
    assert_error(
        await client.get(URL, params={"employee_id": colleague["id"]}, headers=me), 404, "not_found"
    )


# --- monthly summary ----------------------------------------------------------------------------

# (employee, day, status, check-in, check-out): the month's rows and a few either side of it.
ROWS: list[tuple[str, str, str, str | None, str | None]] = [
    ("ann", "2026-02-28", "present", "2026-02-28T08:00:00Z", "2026-02-28T17:00:00Z"),
    ("ann", "2026-03-01", "present", "2026-03-01T08:00:00Z", "2026-03-01T16:30:00Z"),
    ("ann", "2026-03-02", "remote", "2026-03-02T09:00:00Z", "2026-03-02T13:15:00Z"),
    ("ann", "2026-03-03", "absent", None, None),
    ("ann", "2026-03-04", "leave", None, None),
    ("ann", "2026-03-05", "leave", None, None),
    ("ann", "2026-03-06", "present", "2026-03-06T08:00:00Z", None),  # never checked out
    ("ann", "2026-03-31", "present", "2026-03-31T22:00:00Z", "2026-04-01T02:20:00Z"),
    ("ann", "2026-04-01", "present", "2026-04-01T08:00:00Z", "2026-04-01T12:00:00Z"),
    ("bob", "2026-03-02", "present", "2026-03-02T08:00:00Z", "2026-03-02T12:00:00Z"),
    ("bob", "2026-03-09", "remote", "2026-03-09T08:00:00Z", "2026-03-09T10:40:00Z"),
    ("bob", "2026-03-10", "absent", None, None),
]


def expected_summary(who: str, employee_id: int, month: str) -> dict[str, Any]:
    rows = [row for row in ROWS if row[0] == who and row[1].startswith(f"{month}-")]
    statuses = [row[2] for row in rows]
    hours = sum(
        (hours_between(start, end) for _, _, _, start, end in rows if start and end), Decimal(0)
    )
    return {
        "employee_id": employee_id,
        "month": month,
        "days_present": statuses.count("present") + statuses.count("remote"),
        "days_remote": statuses.count("remote"),
        "days_absent": statuses.count("absent"),
        "days_leave": statuses.count("leave"),
        "hours_worked": float(hours),
    }


async def _record_rows(
    client: httpx.AsyncClient, hr: dict[str, str], people: dict[str, dict[str, Any]]
) -> None:
    for who, day, status, start, end in ROWS:
        body: dict[str, Any] = {"status": status}
        if start:
            body["check_in_at"] = start
        if end:
            body["check_out_at"] = end
        response = await record_day(client, hr, people[who]["id"], day, **body)
        assert response.status_code == 200, response.text


async def test_monthly_summary_counts_each_employees_days_and_hours(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    people = {"ann": await make.employee(), "bob": await make.employee()}
    idle = await make.employee()
    await _record_rows(client, hr, people)

    response = await client.get(f"{URL}/summary", params={"month": "2026-03"}, headers=hr)

    assert response.status_code == 200, response.text
    expected = [
        expected_summary(who, person["id"], "2026-03")
        for who, person in sorted(people.items(), key=lambda item: item[1]["id"])
    ]
    assert response.json() == {"items": expected, "total": len(expected)}
    # A sanity check of the expectation itself: Ann worked 8.5 + 4.25 + 4.33 hours.
    assert expected[0]["hours_worked"] == 17.08
    assert expected[0]["days_present"] == 4

    one = await client.get(
        f"{URL}/summary",
        params={"month": "2026-03", "employee_id": people["bob"]["id"]},
        headers=hr,
    )
    assert one.json()["items"] == [expected_summary("bob", people["bob"]["id"], "2026-03")]
    empty = await client.get(
        f"{URL}/summary", params={"month": "2026-03", "employee_id": idle["id"]}, headers=hr
    )
    assert empty.json() == {"items": [expected_summary("idle", idle["id"], "2026-03")], "total": 1}
    april = await client.get(f"{URL}/summary", params={"month": "2026-04"}, headers=hr)
    assert april.json()["items"] == [expected_summary("ann", people["ann"]["id"], "2026-04")]


async def test_a_december_summary_stops_at_new_years_eve(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    for day in ("2026-11-30", "2026-12-01", "2026-12-31", "2027-01-01"):
        assert (await record_day(client, hr, person["id"], day, status="leave")).status_code == 200

    response = await client.get(f"{URL}/summary", params={"month": "2026-12"}, headers=hr)

    assert response.status_code == 200, response.text
    assert [(i["employee_id"], i["days_leave"]) for i in response.json()["items"]] == [
        (person["id"], 2)
    ]


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-3", "March", ""])
async def test_monthly_summary_refuses_a_bad_month(
    client: httpx.AsyncClient, hr: dict[str, str], month: str
) -> None:
    assert_invalid(await client.get(f"{URL}/summary", params={"month": month}, headers=hr), "month")


async def test_an_employees_summary_covers_only_themselves(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory, hr: dict[str, str]
) -> None:
    people = {"ann": await make.employee(), "bob": await make.employee()}
    await _record_rows(client, hr, people)
    ann = tokens.headers("employee", employee_id=people["ann"]["id"])

    own = await client.get(f"{URL}/summary", params={"month": "2026-03"}, headers=ann)

    assert own.status_code == 200, own.text
    assert own.json() == {
        "items": [expected_summary("ann", people["ann"]["id"], "2026-03")],
        "total": 1,
    }
    other = await client.get(
        f"{URL}/summary",
        params={"month": "2026-03", "employee_id": people["bob"]["id"]},
        headers=ann,
    )
    assert_error(other, 404, "not_found")


# --- bugs ---------------------------------------------------------------------------------------


async def test_hr_back_filling_two_open_days_can_close_the_earlier_one(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    for start in ("2026-03-02T08:00:00Z", "2026-03-03T08:00:00Z"):
        assert (await check_in(client, hr, employee_id=person["id"], at=start)).status_code == 201

    monday = await check_out(client, hr, employee_id=person["id"], at="2026-03-02T16:30:00Z")

    assert monday.status_code == 200, monday.text
    assert monday.json()["date"] == "2026-03-02"
    assert monday.json()["worked_hours"] == 8.5


async def test_a_recorded_shift_of_weeks_is_refused_not_a_server_error(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()

    response = await record_day(
        client,
        hr,
        person["id"],
        "2026-03-02",
        status="present",
        check_in_at="2026-03-02T08:00:00Z",
        check_out_at="2026-05-02T08:00:00Z",
    )

    assert_invalid(response, "check_out_at")


async def test_the_last_representable_month_is_not_a_server_error(
    client: httpx.AsyncClient, hr: dict[str, str]
) -> None:
    response = await client.get(f"{URL}/summary", params={"month": "9999-12"}, headers=hr)
    assert response.status_code in (200, 422), response.text


async def test_a_check_in_time_outside_the_calendar_is_refused(
    client: httpx.AsyncClient, hr: dict[str, str], make: Factory
) -> None:
    person = await make.employee()
    response = await check_in(client, hr, employee_id=person["id"], at="0001-01-01T00:30:00+01:00")
    assert_invalid(response, "at")


async def test_check_in_and_out_need_no_body(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    person = await make.employee()
    own = tokens.headers("employee", employee_id=person["id"])
    checked_in = await client.post(f"{URL}/check-in", headers=own)
    assert checked_in.status_code == 201, checked_in.text
    assert checked_in.json()["employee_id"] == person["id"]
    assert checked_in.json()["status"] == "present"
    checked_out = await client.post(f"{URL}/check-out", headers=own)
    assert checked_out.status_code == 200, checked_out.text
    assert checked_out.json()["check_out_at"] is not None


async def test_the_404_of_an_employee_named_in_the_body_or_query_is_documented(
    client: httpx.AsyncClient, hr: dict[str, str], tokens: TokenFactory, make: Factory
) -> None:
    """Found by fuzzing: these routes answered 404s (an unknown ``employee_id`` in the body, an
    employee asking for someone else's days) that their OpenAPI entries did not list."""
    paths = (await client.get("/openapi.json")).json()["paths"]
    unknown = 2_147_483_646
    me = await make.employee()
    employee = tokens.headers("employee", employee_id=me["id"], sub=str(me["id"]))
    answers = {
        ("post", "/check-in"): await check_in(client, hr, employee_id=unknown),
        ("post", "/check-out"): await check_out(client, hr, employee_id=unknown),
        ("get", ""): await client.get(URL, params={"employee_id": unknown}, headers=employee),
        ("get", "/summary"): await client.get(
            f"{URL}/summary", params={"month": "2026-03", "employee_id": unknown}, headers=hr
        ),
    }
    for (method, path), response in answers.items():
        assert_error(response, 404, "not_found")
        assert "404" in paths[f"{URL}{path}"][method]["responses"], (method, path)
