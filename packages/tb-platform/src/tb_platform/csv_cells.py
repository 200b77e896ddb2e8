"""CSV cells a spreadsheet shows as text instead of running as formulas, and back.

A spreadsheet that opens a CSV runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in
some programs, a tab or carriage return) as a formula: an asset named ``=HYPERLINK(...)`` in an
export becomes a link that sends data away when clicked. As OWASP advises, text cells starting
with one of those characters get a leading single quote, which spreadsheets take as "this is
text". Only text is escaped: a number (a ``Decimal`` amount, an ``int`` id) or a date is written
as it is, so a negative number stays a number.

Importing undoes it: :func:`unescape_formula` removes the one quote that :func:`escape_formula`
added, so an exported file imports back to the same values. Escaping applies to text that
already starts with quotes before a trigger character as well (``'=x`` becomes ``''=x``), which
is what makes the two exact inverses of each other.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from enum import Enum

__all__ = ["FORMULA_TRIGGERS", "csv_cell", "csv_line", "escape_formula", "unescape_formula"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list)."""

_TRIGGER_CLASS = "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]"
# Text that needs a quote on export: a trigger, after any number of quotes.
_NEEDS_QUOTE = re.compile(f"'*{_TRIGGER_CLASS}")
# Text that carries the quote of an export: at least one quote, then a trigger.
_QUOTED = re.compile(f"'+{_TRIGGER_CLASS}")


def escape_formula(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would otherwise run it as a formula."""
    return "'" + text if _NEEDS_QUOTE.match(text) else text


def unescape_formula(text: str) -> str:
    """The inverse of :func:`escape_formula`: drops the one ``'`` it put before a trigger."""
    return text[1:] if _QUOTED.match(text) else text


def csv_cell(value: object) -> object:
    """A value as a CSV cell: ``None`` empty, an enum its value, text escaped, numbers as is."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return escape_formula(value)
    return value  # numbers, dates: ``csv`` writes their ``str()``, which no spreadsheet runs


def csv_line(values: Iterable[object]) -> str:
    """One CSV record (``\\r\\n``-terminated, RFC 4180) of ``values``, each through csv_cell."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([csv_cell(value) for value in values])
    return buffer.getvalue()
