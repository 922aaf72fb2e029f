"""Importing the organization's registry files (persons, coverage periods, pensions)."""

from inquiries.importing.formats import COLUMNS, RecordKind, RowProblem
from inquiries.importing.reading import ImportFileError
from inquiries.importing.service import (
    ImportSummary,
    default_error_report_path,
    import_registry_file,
)

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportSummary",
    "RecordKind",
    "RowProblem",
    "default_error_report_path",
    "import_registry_file",
]
