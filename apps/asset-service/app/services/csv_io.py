"""CSV import (all rows or none) and export (streamed) of the asset register."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from tb_platform.csv_cells import csv_line, unescape_formula
from tb_platform.db import Database
from tb_platform.employee_directory import EmployeeDirectory
from tb_platform.errors import AppError, Conflict, InvalidField
from tb_platform.query import any_of
from tb_platform.types import PG_INT_MAX
from tb_platform.uow import Actor, Clock, UnitOfWork, unit_of_work

from ..models import Asset, AssetCategory
from ..schemas.asset import AssetCreate
from . import assets as asset_service
from .schedules import accumulated_at, book_value

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
IMPORT_COLUMNS = (
    "asset_tag",
    "name",
    "serial_number",
    "category_code",
    "location",
    "purchase_date",
    "purchase_cost",
    "salvage_value",
    "currency",
    "useful_life_months",
    "depreciation_method",
    "declining_rate",
    "notes",
)
REQUIRED_COLUMNS = ("name", "category_code", "purchase_date", "purchase_cost")
# Optional on import: the asset comes in assigned to that employee (a current one).
HOLDER_COLUMN = "assigned_employee_id"
# What an export adds; an import accepts these columns and ignores them.
READ_ONLY_COLUMNS = ("id", "status", "book_value")
EXPORT_COLUMNS = (*IMPORT_COLUMNS, "id", "status", HOLDER_COLUMN, "book_value")
EXPORT_BATCH = 500


class InvalidCsv(AppError):
    status_code = 422
    code = "invalid_csv"

    def __init__(self, detail: str, errors: list[dict[str, Any]]) -> None:
        # ``detail`` has the one 422 shape (a list of failing inputs, here the uploaded file, by
        # row and column); ``message`` says it in a sentence, ``errors`` keeps {row, field, message}.
        failing = [
            {
                "loc": [
                    "body",
                    "file",
                    error["row"],
                    *([error["field"]] if error["field"] else []),
                ],
                "field": "file",
                "msg": f"row {error['row']}"
                + (f", {error['field']}" if error["field"] else "")
                + f": {error['message']}",
                "type": "invalid_csv",
            }
            for error in errors
        ]
        super().__init__(failing, extra={"message": detail, "errors": errors})


def _problem(row: int, field: str | None, message: str) -> dict[str, Any]:
    return {"row": row, "field": field, "message": message}


def _read_rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    if len(content) > MAX_BYTES:
        raise InvalidCsv(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB",
            [_problem(1, None, "file too large")],
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidCsv(
            "The file is not UTF-8 text", [_problem(1, None, f"not UTF-8: {exc.reason}")]
        ) from exc
    if "\x00" in text:
        raise InvalidCsv("The file contains NUL characters", [_problem(1, None, "NUL character")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise InvalidCsv("The file is empty", [_problem(1, None, "no header line")])
        header = [cell.strip() for cell in header]
        problems = [
            _problem(1, name, f"unknown column {name!r}")
            for name in header
            if name not in IMPORT_COLUMNS and name not in (HOLDER_COLUMN, *READ_ONLY_COLUMNS)
        ]
        problems += [
            _problem(1, name, f"required column {name!r} is missing")
            for name in REQUIRED_COLUMNS
            if name not in header
        ]
        problems += [
            _problem(1, name, f"column {name!r} appears twice")
            for name in sorted({n for n in header if header.count(n) > 1})
        ]
        if problems:
            raise InvalidCsv("The header line is not valid", problems)
        rows: list[dict[str, str]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                rows.append({})  # a blank line: skipped, but it keeps the line numbers right
                continue
            if len(cells) != len(header):
                rows.append({"__error__": f"expected {len(header)} cells, found {len(cells)}"})
            else:
                rows.append(dict(zip(header, cells, strict=True)))
            if len(rows) > MAX_ROWS:
                raise InvalidCsv(
                    f"At most {MAX_ROWS} rows per import",
                    [_problem(len(rows) + 1, None, "too many rows")],
                )
    except csv.Error as exc:
        raise InvalidCsv(
            "The file is not valid CSV", [_problem(reader.line_num, None, str(exc))]
        ) from exc
    if not any(rows):
        raise InvalidCsv("The file has no asset rows", [_problem(2, None, "no data rows")])
    return header, rows


def _field_of(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "row"


def _holder(raw: str) -> int | None:
    """The ``assigned_employee_id`` cell: empty, or an employee id (ValueError otherwise)."""
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= PG_INT_MAX:
        raise ValueError("must be an employee id (a positive whole number)")
    return int(text)


class _RowCheck:
    """The per-row checks of one import, run slice by slice in a worker thread (no I/O): each
    row's values, category, holder cell, tag (free, and not repeated in the file) and the rules
    of a new asset. The slices are checked one after another, never two at once."""

    def __init__(
        self, categories: dict[str, AssetCategory], taken: set[str], *, today: dt.date
    ) -> None:
        # Loaded ORM rows, only read here (their attributes are in memory: no lazy load).
        self.categories = categories
        self.taken = taken
        self.today = today
        self.seen_tags: dict[str, int] = {}
        self.problems: list[dict[str, Any]] = []

    def check(
        self, rows: list[dict[str, str]], first_line: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """The valid rows of this slice, with their line numbers; the others' problems are kept."""
        valid: list[tuple[int, dict[str, Any]]] = []
        for index, row in enumerate(rows):
            line = first_line + index
            if not row:
                continue
            if "__error__" in row:
                self.problems.append(_problem(line, None, row["__error__"]))
                continue
            values = self._resolved(line, row)
            if values is not None:
                valid.append((line, values))
        return valid

    def _resolved(self, line: int, row: dict[str, str]) -> dict[str, Any] | None:
        # An export quotes text that starts like a formula ('=...); the import takes it back off.
        values = {
            name: unescape_formula(value.strip())
            for name, value in row.items()
            if name in IMPORT_COLUMNS and value.strip() != ""
        }
        code = values.pop("category_code", "").upper()
        category = self.categories.get(code)
        problems: list[dict[str, Any]] = []
        if category is None:
            problems.append(
                _problem(
                    line, "category_code", f"no category with code {code!r}" if code else "required"
                )
            )
        holder: int | None = None
        try:
            holder = _holder(row.get(HOLDER_COLUMN, ""))
        except ValueError as exc:
            problems.append(_problem(line, HOLDER_COLUMN, str(exc)))
        try:
            data = AssetCreate.model_validate(
                {**values, "category_id": category.id if category else 1}
            )
        except ValidationError as exc:
            problems += [_problem(line, _field_of(err["loc"]), err["msg"]) for err in exc.errors()]
            self.problems += problems
            return None
        if data.asset_tag is not None:
            if data.asset_tag in self.taken:
                problems.append(_problem(line, "asset_tag", f"{data.asset_tag} is already in use"))
            elif data.asset_tag in self.seen_tags:
                problems.append(
                    _problem(
                        line,
                        "asset_tag",
                        f"{data.asset_tag} repeats row {self.seen_tags[data.asset_tag]}",
                    )
                )
            self.seen_tags.setdefault(data.asset_tag, line)
        resolved: dict[str, Any] | None = None
        if category is not None:
            try:
                resolved = asset_service.resolve_values(data, category=category, today=self.today)
            except InvalidField as exc:
                problems += [_problem(line, err["field"], err["msg"]) for err in exc.detail]
        if problems:
            self.problems += problems
            return None
        return None if resolved is None else {**resolved, HOLDER_COLUMN: holder}


# Rows checked, then created, per round: while one slice is being written to the database, the
# next one is checked in a worker thread, so that PostgreSQL's work and Python's overlap (and
# the event loop stays free for other requests while a 10,000-row file is checked).
CHECK_SLICE = asset_service.CREATE_SLICE


async def import_csv(uow: UnitOfWork, *, content: bytes, directory: EmployeeDirectory) -> list[int]:
    """Validate every row; import them all, or raise InvalidCsv listing every bad row.

    A row with an ``assigned_employee_id`` comes in assigned to that employee, who must still
    work here (unknown or terminated: that row's error).

    The rows are checked and created slice by slice, the next slice checked while the last one
    is written; once a problem is found nothing more is written, the remaining rows are only
    checked (so the answer lists every bad row), and the unit of work rolls back what was.
    """
    _, rows = await asyncio.to_thread(_read_rows, content)
    session = uow.session
    categories = {c.code: c for c in (await session.scalars(select(AssetCategory))).all()}
    given_tags = [
        row["asset_tag"].strip().upper() for row in rows if row.get("asset_tag", "").strip()
    ]
    taken = set(
        await session.scalars(
            select(col(Asset.asset_tag)).where(any_of(Asset.asset_tag, given_tags))
        )
    )
    checker = _RowCheck(categories, taken, today=uow.clock.today())
    refused_holders: list[dict[str, Any]] = []

    def checking(start: int) -> asyncio.Task[list[tuple[int, dict[str, Any]]]]:
        part = rows[start : start + CHECK_SLICE]
        return asyncio.create_task(asyncio.to_thread(checker.check, part, start + 2))

    ids: list[int] = []
    starts = range(0, len(rows), CHECK_SLICE)
    upcoming = checking(0)
    try:
        for start in starts:
            valid = await upcoming
            if start + CHECK_SLICE < len(rows):
                upcoming = checking(start + CHECK_SLICE)
            # The holder rule, for the slice's rows at once (the employee service is asked at
            # most once per 500 employees the projection does not know yet).
            holders = {values[HOLDER_COLUMN] for _, values in valid if values[HOLDER_COLUMN]}
            if holders:
                refused = await asset_service.holder_problems(uow, holders, directory=directory)
                refused_holders += [
                    _problem(line, HOLDER_COLUMN, refused[values[HOLDER_COLUMN]])
                    for line, values in valid
                    if values[HOLDER_COLUMN] in refused
                ]
            if checker.problems or refused_holders or not valid:
                continue  # nothing more is written; the rest is only checked
            ids += await asset_service.create_assets(
                uow, rows=[values for _, values in valid], directory=directory
            )
    except IntegrityError as exc:  # a tag taken by a concurrent request since the check above
        raise Conflict(
            "An asset tag of the file was taken meanwhile; nothing was imported",
            code="asset_tag_taken",
        ) from exc
    finally:
        if not upcoming.done():  # the create failed while the next slice was being checked
            await asyncio.wait([upcoming])
    problems = checker.problems + refused_holders
    if problems:
        problems.sort(key=lambda p: p["row"])
        bad_rows = len({p["row"] for p in problems})
        raise InvalidCsv(f"{bad_rows} row(s) are not valid; nothing was imported", problems)
    return ids


async def export_rows(
    database: Database, *, actor: Actor, clock: Clock, filters: asset_service.AssetFilters
) -> AsyncIterator[str]:
    """CSV lines of the filtered assets, read in batches in a unit of work of its own.

    The request's unit is over once the endpoint returns, while the body is still being
    streamed; this generator therefore opens its own (reading only), with the request's clock.
    """
    yield csv_line(EXPORT_COLUMNS)
    query = asset_service.filtered_assets(filters).order_by(col(Asset.asset_tag), col(Asset.id))
    async with unit_of_work(database, actor=actor, clock=clock) as uow:
        today = uow.clock.today()
        session = uow.session
        codes = dict(
            (await session.execute(select(col(AssetCategory.id), col(AssetCategory.code)))).all()
        )
        result = await session.stream_scalars(query.execution_options(yield_per=EXPORT_BATCH))
        async for batch in result.partitions(EXPORT_BATCH):
            accumulated = await accumulated_at(
                session, asset_ids=[a.id for a in batch if a.id], at=today
            )
            chunk = []
            for asset in batch:
                values = {name: getattr(asset, name, None) for name in EXPORT_COLUMNS}
                values["category_code"] = codes.get(asset.category_id, "")
                values["book_value"] = book_value(asset, accumulated[asset.id or 0], at=today)
                # csv_line escapes text a spreadsheet would run as a formula (=, +, -, @).
                chunk.append(csv_line(values[name] for name in EXPORT_COLUMNS))
            yield "".join(chunk)
