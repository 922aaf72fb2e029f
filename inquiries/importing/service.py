"""Importing one registry file: read, check every row, write the good ones, report the bad ones.

The whole import is one transaction: a file that turns out to be unreadable half-way leaves
the registry as it was. Rows with problems do not stop the import; they go to an error report
(CSV: row, column, problem) and the good rows are written.
"""

import csv
import heapq
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inquiries.importing.formats import (
    COLUMNS,
    FORMATS,
    RecordFormat,
    RecordKind,
    RowProblem,
    _valid_national_code,
)
from inquiries.importing.writers import MergeCounts, PortableWriter, PostgresWriter

PROGRESS_EVERY_ROWS = 20_000
REPORT_HEADER = ("row", "column", "problem")

# rows read so far, bytes read so far, size of the file in bytes
ProgressCallback = Callable[[int, int, int], None]


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, wrong header); nothing was written."""


@dataclass
class ImportSummary:
    kind: RecordKind
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # Records removed by --replace because the file no longer lists them.
    deleted: int = 0
    error_report: Path | None = None
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


def default_error_report_path(path: Path) -> Path:
    """`periods.csv` -> `periods.errors.csv`, next to the input."""
    return path.with_name(f"{path.stem}.errors.csv")


def import_registry_file(
    *,
    kind: RecordKind | str,
    path: Path | str,
    replace: bool = False,
    error_report_path: Path | str | None = None,
    on_progress: ProgressCallback | None = None,
    use_copy: bool | None = None,
) -> ImportSummary:
    """Import a persons, periods or pensions file; rows are matched on their natural keys.

    With `replace`, each person with rows in the file keeps exactly the periods (or pensions)
    the file lists; a person with any rejected row keeps everything, so a typo never deletes
    history. `use_copy` picks the PostgreSQL COPY path (the default on PostgreSQL) or the
    portable one.
    """
    kind = RecordKind(kind)
    if replace and kind == RecordKind.PERSONS:
        raise ValueError("replace applies to periods and pensions, not persons")
    path = Path(path)
    report_path = Path(error_report_path) if error_report_path else default_error_report_path(path)
    if use_copy is None:
        use_copy = connection.vendor == "postgresql"
    record_format = FORMATS[kind]
    summary = ImportSummary(kind=kind)
    # National codes with a rejected row: --replace leaves these persons' records alone.
    tainted_codes: set[str] = set()
    started = time.monotonic()
    partial_report = report_path.with_name(report_path.name + ".partial")

    with (
        _open_registry_file(path, record_format) as (rows, position, size),
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as parse_problems,
    ):
        writer = (PostgresWriter if use_copy else PortableWriter)(kind=kind, replace=replace)
        try:
            with transaction.atomic():
                accepted = _accepted_rows(
                    rows,
                    record_format,
                    summary=summary,
                    problems=csv.writer(parse_problems),
                    progress=(lambda: on_progress(summary.rows_read, position(), size))
                    if on_progress
                    else None,
                    tainted_codes=tainted_codes if replace else None,
                )
                counts = writer.write(accepted, tainted_codes=tainted_codes)
                _add_counts(summary, counts)
                if summary.rejected:
                    parse_problems.seek(0)
                    _write_report(partial_report, _read_problems(parse_problems), writer.problems())
        except BaseException:
            partial_report.unlink(missing_ok=True)
            raise
    if summary.rejected:
        partial_report.replace(report_path)
        summary.error_report = report_path
    summary.seconds = time.monotonic() - started
    return summary


def _add_counts(summary: ImportSummary, counts: MergeCounts) -> None:
    summary.rejected += counts.rejected
    summary.created = counts.created
    summary.updated = counts.updated
    summary.deleted = counts.deleted
    summary.unchanged = summary.rows_read - summary.rejected - counts.created - counts.updated


@contextmanager
def _open_registry_file(
    path: Path, record_format: RecordFormat
) -> Iterator[tuple[Iterator[list[str]], Callable[[], int], int]]:
    """The file's data rows, after checking that it opens, decodes and has the right header."""
    try:
        binary = path.open("rb")
    except OSError as error:
        raise ImportFileError(
            _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
        ) from None
    with binary:
        size = os.fstat(binary.fileno()).st_size
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFileError(_("%(path)s is empty.") % {"path": path}) from None
        except UnicodeDecodeError:
            raise ImportFileError(
                _("%(path)s is not UTF-8 text; save it as CSV UTF-8.") % {"path": path}
            ) from None
        except csv.Error as error:
            raise ImportFileError(
                _("%(path)s is not a readable CSV file: %(reason)s")
                % {"path": path, "reason": error}
            ) from None
        _check_header(header, record_format)
        yield reader, binary.tell, size


def _check_header(header: list[str], record_format: RecordFormat) -> None:
    found = tuple(cell.strip().lower() for cell in header)
    if found == record_format.columns:
        return
    message = _("The header row should be: %(expected)s. It is: %(found)s.") % {
        "expected": ",".join(record_format.columns),
        "found": ",".join(header),
    }
    for kind, columns in COLUMNS.items():
        if found == columns:
            message += " " + _("This looks like a %(kind)s file.") % {"kind": kind}
    raise ImportFileError(message)


def _accepted_rows(
    rows: Iterator[list[str]],
    record_format: RecordFormat,
    *,
    summary: ImportSummary,
    problems: Any,
    progress: Callable[[], None] | None,
    tainted_codes: set[str] | None,
) -> Iterator[tuple[Any, ...]]:
    """The good rows, clean; the bad ones are written to `problems` and counted."""
    today = timezone.localdate()
    parse_row = record_format.parse_row
    row_number = 1
    try:
        for row_number, cells in enumerate(rows, start=2):
            if not cells:  # a blank line
                continue
            summary.rows_read += 1
            parsed = parse_row(row_number, cells, today=today)
            if type(parsed) is tuple:
                yield parsed
            else:
                summary.rejected += 1
                problems.writerows(parsed)
                if tainted_codes is not None and (code := _valid_national_code(cells[0])):
                    tainted_codes.add(code)
            if progress and summary.rows_read % PROGRESS_EVERY_ROWS == 0:
                progress()
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text after row %(row)d; save it as CSV UTF-8.")
            % {"row": row_number}
        ) from None
    except csv.Error as error:
        raise ImportFileError(
            _("The file is not readable CSV after row %(row)d: %(reason)s")
            % {"row": row_number, "reason": error}
        ) from None
    if progress:
        progress()


def _read_problems(stream: IO[str]) -> Iterator[RowProblem]:
    for row, column, message in csv.reader(stream):
        yield RowProblem(int(row), column, message)


def _write_report(path: Path, *sorted_streams: Iterator[RowProblem]) -> None:
    """One report, in row order, from streams that are each already in row order."""
    with path.open("w", encoding="utf-8", newline="") as report:
        writer = csv.writer(report)
        writer.writerow(REPORT_HEADER)
        in_row_order: Iterator[RowProblem] = heapq.merge(*sorted_streams, key=_row_of)
        writer.writerows(in_row_order)


def _row_of(problem: RowProblem) -> int:
    return problem.row
