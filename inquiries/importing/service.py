"""Importing one registry file: read, check every row, write the good ones, report the bad ones.

The whole import is one transaction: a file that turns out to be unreadable half-way leaves
the registry as it was. Rows with problems do not stop the import; they go to an error report
(CSV: row, column, problem) and the good rows are written.
"""

import csv
import heapq
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, Protocol

from django.db import connection, transaction
from django.utils import timezone

from inquiries.importing.formats import (
    FORMATS,
    RecordFormat,
    RecordKind,
    RowProblem,
)
from inquiries.importing.postgres import PostgresImport
from inquiries.importing.reading import CopyFeed, RegistryFile, open_registry_file
from inquiries.importing.writers import MergeCounts, PortableWriter
from portal.cells import valid_national_code
from portal.csv_safety import formula_safe_writer

PROGRESS_EVERY_ROWS = 20_000
REPORT_HEADER = ("row", "column", "problem")

# rows read so far, bytes read so far, size of the file in bytes
ProgressCallback = Callable[[int, int, int], None]


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
    importer = (
        partial(import_with_copy, postgres_import=PostgresImport(kind=kind, replace=replace))
        if use_copy
        else partial(_import_portably, replace=replace)
    )
    return run_import(
        kind=kind, path=path, report_path=report_path, importer=importer, on_progress=on_progress
    )


class Importer(Protocol):
    """Reads an open file's rows into the database: the counts, and the problems found after
    reading (those found while reading go to `problems`, a csv.writer)."""

    def __call__(
        self,
        source: RegistryFile,
        *,
        kind: RecordKind,
        summary: ImportSummary,
        problems: Any,
        on_progress: ProgressCallback | None,
    ) -> tuple[MergeCounts, Callable[[], Iterator[RowProblem]]]: ...


def run_import(
    *,
    kind: RecordKind,
    path: Path,
    report_path: Path,
    importer: Importer,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """One file through `importer` in one transaction, and its error report (a registry
    snapshot uses it too, with its own importer)."""
    record_format = FORMATS[kind]
    summary = ImportSummary(kind=kind)
    started = time.monotonic()
    partial_report = report_path.with_name(report_path.name + ".partial")

    with (
        open_registry_file(path, record_format) as source,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as read_problems,
    ):
        try:
            with transaction.atomic():
                counts, later_problems = importer(
                    source,
                    kind=kind,
                    summary=summary,
                    problems=csv.writer(read_problems),
                    on_progress=on_progress,
                )
                _add_counts(summary, counts)
                if summary.rejected:
                    read_problems.seek(0)
                    _write_report(partial_report, _read_problems(read_problems), later_problems())
        except BaseException:
            partial_report.unlink(missing_ok=True)
            raise
    if summary.rejected:
        partial_report.replace(report_path)
        summary.error_report = report_path
    summary.seconds = time.monotonic() - started
    return summary


def import_with_copy(
    source: RegistryFile,
    *,
    postgres_import: PostgresImport,
    kind: RecordKind,
    summary: ImportSummary,
    problems: Any,
    on_progress: ProgressCallback | None,
) -> tuple[MergeCounts, Callable[[], Iterator[RowProblem]]]:

    def progress(feed: CopyFeed) -> None:
        assert on_progress is not None  # noqa: S101
        on_progress(feed.rows_read, source.position(), source.size)

    feed, counts = postgres_import.run(
        source, problems=problems, on_progress=progress if on_progress else None
    )
    summary.rows_read = feed.rows_read
    summary.rejected = feed.rejected
    return counts, postgres_import.problems


def _import_portably(
    source: RegistryFile,
    *,
    kind: RecordKind,
    replace: bool,
    summary: ImportSummary,
    problems: Any,
    on_progress: ProgressCallback | None,
) -> tuple[MergeCounts, Callable[[], Iterator[RowProblem]]]:
    # National codes with a rejected row: --replace leaves these persons' records alone.
    tainted_codes: set[str] = set()
    writer = PortableWriter(kind=kind, replace=replace)
    accepted = _accepted_rows(
        source.rows(),
        source.record_format,
        summary=summary,
        problems=problems,
        progress=(lambda: on_progress(summary.rows_read, source.position(), source.size))
        if on_progress
        else None,
        tainted_codes=tainted_codes if replace else None,
    )
    return writer.write(accepted, tainted_codes=tainted_codes), writer.problems


def _add_counts(summary: ImportSummary, counts: MergeCounts) -> None:
    summary.rejected += counts.rejected
    summary.created = counts.created
    summary.updated = counts.updated
    summary.deleted = counts.deleted
    summary.unchanged = summary.rows_read - summary.rejected - counts.created - counts.updated


def _accepted_rows(
    rows: Iterator[tuple[int, list[str]]],
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
    for row_number, cells in rows:
        if not cells:  # a blank line
            continue
        summary.rows_read += 1
        parsed = parse_row(row_number, cells, today=today)
        if type(parsed) is tuple:
            yield parsed
        else:
            summary.rejected += 1
            problems.writerows(parsed)
            if tainted_codes is not None and (code := valid_national_code(cells[0])):
                tainted_codes.add(code)
        if progress and summary.rows_read % PROGRESS_EVERY_ROWS == 0:
            progress()
    if progress:
        progress()


def _read_problems(stream: IO[str]) -> Iterator[RowProblem]:
    for row, column, message in csv.reader(stream):
        yield RowProblem(int(row), column, message)


def _write_report(path: Path, *sorted_streams: Iterator[RowProblem]) -> None:
    """One report, in row order, from streams that are each already in row order."""
    with path.open("w", encoding="utf-8", newline="") as report:
        writer = formula_safe_writer(report)
        writer.writerow(REPORT_HEADER)
        in_row_order: Iterator[RowProblem] = heapq.merge(*sorted_streams, key=_row_of)
        writer.writerows(in_row_order)


def _row_of(problem: RowProblem) -> int:
    return problem.row
