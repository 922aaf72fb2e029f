"""Reading a registry file: its header, then its records, as CSV rows or as text for COPY.

Both readers number records as a spreadsheet does (the header is row 1) and stop with
ImportFileError, before anything is written, on a file that is missing, empty, not UTF-8 (even
half-way) or not CSV.
"""

import csv
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from inquiries.importing.formats import COLUMNS, RecordFormat, RowProblem
from portal.cells import valid_national_code

COPY_CHUNK_BYTES = 1 << 20


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, wrong header); nothing was written."""


@dataclass
class RegistryFile:
    """An open registry file whose header has been read and checked."""

    binary: IO[bytes]
    size: int
    record_format: RecordFormat
    # Rows are counted from the header's row.
    first_row: int = 2

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for each record after the header, blank lines included."""
        text = io.TextIOWrapper(self.binary, encoding="utf-8", newline="")
        row_number = self.first_row - 1
        try:
            for row_number, cells in enumerate(csv.reader(text), start=self.first_row):
                yield row_number, cells
        except UnicodeDecodeError:
            raise _not_utf8_after(row_number) from None
        except csv.Error as error:
            raise _not_csv_after(row_number, error) from None
        finally:
            text.detach()  # the file stays open for `position()`, and is closed by its owner

    def position(self) -> int:
        return self.binary.tell()


@contextmanager
def open_registry_file(path: Path, record_format: RecordFormat) -> Iterator[RegistryFile]:
    """The file, positioned after a header that has been checked."""
    try:
        binary = path.open("rb")
    except OSError as error:
        raise ImportFileError(
            _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
        ) from None
    with binary:
        size = os.fstat(binary.fileno()).st_size
        first_line = binary.readline()
        if not first_line:
            raise ImportFileError(_("%(path)s is empty.") % {"path": path})
        try:
            header = next(csv.reader([first_line.decode("utf-8-sig")]), [])
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
        yield RegistryFile(binary=binary, size=size, record_format=record_format)


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


def _not_utf8_after(row: int) -> ImportFileError:
    return ImportFileError(
        _("The file is not UTF-8 text after row %(row)d; save it as CSV UTF-8.") % {"row": row}
    )


def _not_csv_after(row: int, reason: object) -> ImportFileError:
    return ImportFileError(
        _("The file is not readable CSV after row %(row)d: %(reason)s")
        % {"row": row, "reason": reason}
    )


def wrong_width_problem(row: int, *, expected: int, found: int) -> RowProblem:
    return RowProblem(
        row,
        "",
        _("Expected %(expected)d columns, found %(found)d.")
        % {"expected": expected, "found": found},
    )


# --- Text for COPY -----------------------------------------------------------------------------


@dataclass
class CopyFeed:
    """What streaming a file to COPY found besides the data.

    Every record becomes exactly one line of the COPY data, so the staging table can number its
    rows itself; a blank line or a record with the wrong number of cells becomes a line of
    empty cells whose row number is listed in `placeholders`, for the caller to delete.
    """

    rows_read: int = 0
    rejected: int = 0
    placeholders: list[int] = field(default_factory=list)
    # National codes with a rejected row (for --replace).
    tainted_codes: set[str] = field(default_factory=set)


def copy_data(
    source: RegistryFile,
    feed: CopyFeed,
    *,
    problems: Any,
    on_progress: Callable[[], None] | None = None,
) -> Iterator[bytes | str]:
    """The file's records as CSV text for `COPY … (FORMAT csv)`, one line per record.

    Most of a file goes through untouched, a megabyte at a time: decoded once to prove it is
    UTF-8, and checked for the number of commas on each line. A chunk with quotes or bare
    carriage returns, and everything after it, goes through Python's CSV reader instead, so a
    quoted field may hold commas and line breaks. Problems found here (wrong number of cells)
    are written to `problems`, a csv.writer, in row order.
    """
    width = len(source.record_format.columns)
    commas = width - 1
    placeholder = "," * commas + "\n"
    row = source.first_row
    pending = b""
    while block := source.binary.read(COPY_CHUNK_BYTES):
        data = pending + block
        cut = data.rfind(b"\n") + 1
        if not cut:
            pending = data
            continue
        data, pending = data[:cut], data[cut:]
        text = _decoded(data, row)
        if '"' in text or "\x00" in text or ("\r" in text and not _crlf_only(text)):
            # From here on, Python's CSV reader: this chunk, `pending` and the rest of the file.
            rest = _lines(text, source.binary, pending)
            yield from _copy_data_by_csv_reader(source, feed, rest, row, problems, on_progress)
            return
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        lines = text.split("\n")
        lines.pop()  # after the last "\n"
        if set(map(str.count, lines, repeat(","))) == {commas}:
            feed.rows_read += len(lines)
            row += len(lines)
            yield text if b"\r" in data else data
        else:
            out = []
            for line in lines:
                found = line.count(",") + 1
                if found == width:
                    out.append(line + "\n")
                    feed.rows_read += 1
                else:
                    out.append(placeholder)
                    feed.placeholders.append(row)
                    if line:
                        _reject_wrong_width(feed, problems, row, line.split(","), width)
                row += 1
            yield "".join(out)
        if on_progress:
            on_progress()
    if pending:  # a last line without a line break
        rest = _lines(_decoded(pending, row), source.binary, b"")
        yield from _copy_data_by_csv_reader(source, feed, rest, row, problems, on_progress)
    elif on_progress:
        on_progress()


def _decoded(data: bytes, row: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _not_utf8_after(row - 1 + data.count(b"\n", 0, error.start)) from None


def _crlf_only(text: str) -> bool:
    return text.count("\r") == text.count("\r\n")


def _lines(text: str, binary: IO[bytes], pending: bytes) -> Iterator[str]:
    """The lines of `text`, then of `pending` and the rest of the file, with their line ends.

    Raises UnicodeDecodeError or csv.Error (NUL characters, which no database text holds) for
    the caller to place.
    """
    while True:
        if "\x00" in text:
            raise csv.Error(_("the file holds NUL characters"))
        yield from io.StringIO(text, newline="")
        if not (block := binary.read(COPY_CHUNK_BYTES)):
            break
        data = pending + block
        cut = data.rfind(b"\n") + 1
        data, pending = data[:cut], data[cut:]
        text = data.decode("utf-8")
    if pending:
        text = pending.decode("utf-8")
        if "\x00" in text:
            raise csv.Error(_("the file holds NUL characters"))
        yield from io.StringIO(text, newline="")


def _reject_wrong_width(
    feed: CopyFeed, problems: Any, row: int, cells: list[str], width: int
) -> None:
    feed.rows_read += 1
    feed.rejected += 1
    problems.writerow(wrong_width_problem(row, expected=width, found=len(cells)))
    if code := valid_national_code(cells[0]):
        feed.tainted_codes.add(code)


def _copy_data_by_csv_reader(
    source: RegistryFile,
    feed: CopyFeed,
    lines: Iterator[str],
    first_row: int,
    problems: Any,
    on_progress: Callable[[], None] | None,
) -> Iterator[str]:
    width = len(source.record_format.columns)
    placeholder = [""] * width
    buffer = io.StringIO()
    # Every field quoted: the csv module quotes only what holds the line terminator ("\n"), and
    # COPY refuses a bare carriage return outside quotes.
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    row = first_row - 1
    try:
        for row, cells in enumerate(csv.reader(lines), start=first_row):
            if len(cells) == width:
                feed.rows_read += 1
                writer.writerow(cells)
            else:
                feed.placeholders.append(row)
                writer.writerow(placeholder)
                if cells:
                    _reject_wrong_width(feed, problems, row, cells, width)
            if buffer.tell() > COPY_CHUNK_BYTES:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                if on_progress:
                    on_progress()
    except UnicodeDecodeError:
        raise _not_utf8_after(row) from None
    except csv.Error as error:
        raise _not_csv_after(row, error) from None
    yield buffer.getvalue()
    if on_progress:
        on_progress()
