"""The three registry file formats and the checks every row passes, whatever the database.

A row parser takes the cells of one CSV row and returns either the row's clean values, ready
to write, or the list of everything wrong with it. Problems that need the database (a period
for a person the registry does not know, the same record twice in one file) are found by the
writers, with the messages defined here.
"""

import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from inquiries.models import CoverageKind, Gender, PensionKind, PensionRole, PensionStatus
from portal.cells import FieldProblem, RowProblem, date, national_code
from portal.digits import normalize_digits, to_ascii_digits

# The largest value the database's integer columns hold.
MAX_DAYS = 2**31 - 1
MAX_WAGE = 2**63 - 1


class RecordKind(enum.StrEnum):
    PERSONS = "persons"
    PERIODS = "periods"
    PENSIONS = "pensions"


COLUMNS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.PERSONS: (
        "national_code",
        "insurance_number",
        "first_name",
        "last_name",
        "father_name",
        "birth_date",
        "gender",
    ),
    RecordKind.PERIODS: (
        "national_code",
        "workshop_code",
        "workshop_name",
        "coverage_kind",
        "start_date",
        "end_date",
        "days",
        "monthly_wage",
    ),
    RecordKind.PENSIONS: (
        "national_code",
        "pension_number",
        "role",
        "kind",
        "start_date",
        "status",
        "main_national_code",
    ),
}

# Each kind's natural key, as positions in its clean row (position 0 is the row number).
NATURAL_KEYS: dict[RecordKind, tuple[int, ...]] = {
    RecordKind.PERSONS: (1,),
    RecordKind.PERIODS: (1, 2, 5),
    RecordKind.PENSIONS: (1, 2),
}


def unknown_person_problem(row: int) -> RowProblem:
    return RowProblem(
        row,
        "national_code",
        _("No insured person has this national code; import the persons file first."),
    )


def duplicate_problem(row: int, first_row: int) -> RowProblem:
    return RowProblem(
        row,
        "",
        _("The same record (same natural key) is already in this file at row %(row)d.")
        % {"row": first_row},
    )


# --- Cells -------------------------------------------------------------------------------------
# The national code and date parsers are shared with the isinsured export (portal.cells).


def _count(text: str, *, required: bool, maximum: int) -> int | None:
    value = to_ascii_digits(text).strip().replace(",", "").replace("٬", "")
    if not value:
        if required:
            raise FieldProblem(_("This value is required."))
        return None
    if not (value.isascii() and value.isdigit()):
        raise FieldProblem(_("%(value)s is not a whole number of zero or more.") % {"value": text})
    number = int(value)
    if number > maximum:
        raise FieldProblem(_("%(value)s is too large.") % {"value": text})
    return number


# Each kind of cell is a small value object: calling it parses a cell's text (the clean value,
# or FieldProblem), and its fields say what it accepts, so the PostgreSQL path can recognise the
# texts a cell would keep as they are without repeating the rules (see postgres.py).


@dataclass(frozen=True)
class NationalCodeCell:
    required: bool = True

    def __call__(self, text: str) -> str:
        if not self.required and not text.strip():
            return ""
        return national_code(text)


@dataclass(frozen=True)
class DigitsCell:
    max_length: int
    required: bool = True

    def __call__(self, text: str) -> str:
        value = normalize_digits(text)
        if not value:
            if self.required:
                raise FieldProblem(_("This value is required."))
            return ""
        if not (value.isascii() and value.isdigit()):
            raise FieldProblem(_("%(value)s should contain digits only.") % {"value": text})
        if len(value) > self.max_length:
            raise FieldProblem(
                _("%(value)s is longer than %(length)d digits.")
                % {"value": text, "length": self.max_length}
            )
        return value


@dataclass(frozen=True)
class NameCell:
    max_length: int
    required: bool = True

    def __call__(self, text: str) -> str:
        value = " ".join(text.split())
        if not value and self.required:
            raise FieldProblem(_("This value is required."))
        if len(value) > self.max_length:
            raise FieldProblem(
                _("This text is longer than %(length)d characters.") % {"length": self.max_length}
            )
        return value


@dataclass(frozen=True)
class ChoiceCell:
    values: tuple[str, ...]
    upper: bool = False

    def __call__(self, text: str) -> str:
        value = text.strip()
        value = value.upper() if self.upper else value.lower()
        if value not in self.values:
            raise FieldProblem(
                _("%(value)s is not one of: %(allowed)s.")
                % {"value": text, "allowed": ", ".join(self.values)}
            )
        return value


@dataclass(frozen=True)
class DateCell:
    required: bool = True

    def __call__(self, text: str) -> datetime.date | None:
        if not self.required and not text.strip():
            return None
        return date(text)


@dataclass(frozen=True)
class CountCell:
    maximum: int
    required: bool = True

    def __call__(self, text: str) -> int | None:
        return _count(text, required=self.required, maximum=self.maximum)


Cell = NationalCodeCell | DigitsCell | NameCell | ChoiceCell | DateCell | CountCell


# --- Rows --------------------------------------------------------------------------------------


def _check_person(values: list[Any], today: datetime.date) -> list[tuple[str, str]]:
    if values[5] > today:
        return [("birth_date", _("The birth date is in the future."))]
    return []


def _check_period(values: list[Any], today: datetime.date) -> list[tuple[str, str]]:
    start, end = values[4], values[5]
    if end is not None and end < start:
        return [("end_date", _("The coverage ends before it starts."))]
    return []


def _check_pension(values: list[Any], today: datetime.date) -> list[tuple[str, str]]:
    role, main_code = values[2], values[6]
    if role == PensionRole.DEPENDENT and not main_code:
        return [("main_national_code", _("A dependent's pension needs the main pensioner."))]
    if role == PensionRole.MAIN and main_code:
        return [("main_national_code", _("Only a dependent's pension names a main pensioner."))]
    if main_code and main_code == values[0]:
        return [("main_national_code", _("A person cannot be their own main pensioner."))]
    return []


# Cell values repeat a great deal (a person's code on each of their periods, dates, kinds), so
# each column remembers what its recent texts parsed to; a full memo starts afresh.
MEMO_LIMIT = 100_000
_MISSING = object()


@dataclass(frozen=True)
class RecordFormat:
    kind: RecordKind
    columns: tuple[str, ...]
    # One parser per column: text -> clean value, or FieldProblem. Pure functions of the text.
    cells: tuple[Cell, ...]
    # Checks across cells, run when every cell is good: (column, message) for each problem.
    check_row: Callable[[list[Any], datetime.date], list[tuple[str, str]]]
    memos: tuple[dict[str, Any], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "memos", tuple({} for _ in self.cells))

    def parse_row(
        self, row_number: int, cells: list[str], *, today: datetime.date
    ) -> tuple[Any, ...] | list[RowProblem]:
        """The row's clean values, led by its row number, or everything wrong with it."""
        if len(cells) != len(self.columns):
            return [
                RowProblem(
                    row_number,
                    "",
                    _("Expected %(expected)d columns, found %(found)d.")
                    % {"expected": len(self.columns), "found": len(cells)},
                )
            ]
        values: list[Any] = [row_number]
        problems: list[RowProblem] | None = None
        for memo, parse, text in zip(self.memos, self.cells, cells, strict=True):
            value = memo.get(text, _MISSING)
            if value is _MISSING:
                try:
                    value = parse(text)
                except FieldProblem as problem:
                    value = problem
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()
                memo[text] = value
            if type(value) is FieldProblem:
                if problems is None:
                    problems = []
                problems.append(RowProblem(row_number, self.columns[len(values) - 1], str(value)))
            values.append(value)
        if problems:
            return problems
        cross_cell = self.check_row(values[1:], today)
        if cross_cell:
            return [RowProblem(row_number, column, message) for column, message in cross_cell]
        return tuple(values)


FORMATS: dict[RecordKind, RecordFormat] = {
    RecordKind.PERSONS: RecordFormat(
        kind=RecordKind.PERSONS,
        columns=COLUMNS[RecordKind.PERSONS],
        cells=(
            NationalCodeCell(),
            DigitsCell(max_length=16, required=False),
            NameCell(max_length=100),
            NameCell(max_length=100),
            NameCell(max_length=100, required=False),
            DateCell(),
            ChoiceCell(tuple(Gender.values), upper=True),
        ),
        check_row=_check_person,
    ),
    RecordKind.PERIODS: RecordFormat(
        kind=RecordKind.PERIODS,
        columns=COLUMNS[RecordKind.PERIODS],
        cells=(
            NationalCodeCell(),
            DigitsCell(max_length=20),
            NameCell(max_length=200, required=False),
            ChoiceCell(tuple(CoverageKind.values)),
            DateCell(),
            DateCell(required=False),
            CountCell(maximum=MAX_DAYS),
            CountCell(maximum=MAX_WAGE, required=False),
        ),
        check_row=_check_period,
    ),
    RecordKind.PENSIONS: RecordFormat(
        kind=RecordKind.PENSIONS,
        columns=COLUMNS[RecordKind.PENSIONS],
        cells=(
            NationalCodeCell(),
            DigitsCell(max_length=20),
            ChoiceCell(tuple(PensionRole.values)),
            ChoiceCell(tuple(PensionKind.values)),
            DateCell(),
            ChoiceCell(tuple(PensionStatus.values)),
            NationalCodeCell(required=False),
        ),
        check_row=_check_pension,
    ),
}
