"""`manage.py import_coverage persons|periods|pensions FILE [--replace]`: fill the registry."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from inquiries.importing import (
    ImportFileError,
    ImportSummary,
    RecordKind,
    default_error_report_path,
    import_registry_file,
)


class Command(BaseCommand):
    help = (
        "Import a registry CSV file (persons, periods or pensions; format in "
        "docs/import-formats.md). Rows are matched on their natural keys, so importing the "
        "same file again changes nothing. Bad rows go to an error report; the good ones are "
        "imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[kind.value for kind in RecordKind])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help=(
                "Each person in the file keeps exactly the periods or pensions the file lists; "
                "others of theirs are deleted. Persons with a rejected row are left as they were."
            ),
        )
        parser.add_argument(
            "--errors",
            type=Path,
            metavar="PATH",
            help="Where to write the error report (default: FILE.errors.csv next to FILE).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = RecordKind(options["kind"])
        path: Path = options["file"]
        if options["replace"] and kind == RecordKind.PERSONS:
            raise CommandError(_("--replace applies to periods and pensions files only."))
        report_path = options["errors"] or default_error_report_path(path)
        show_progress = not options["no_progress"] and options["verbosity"] > 0

        with tqdm(
            total=None,
            unit=" rows",
            unit_scale=True,
            desc=str(kind),
            disable=not show_progress,
            file=self.stderr._out,
        ) as bar:

            def on_progress(rows: int, bytes_read: int, size: int) -> None:
                bar.total = round(rows * size / bytes_read) if bytes_read else None
                bar.update(rows - bar.n)

            try:
                summary = import_registry_file(
                    kind=kind,
                    path=path,
                    replace=options["replace"],
                    error_report_path=report_path,
                    on_progress=on_progress,
                )
            except ImportFileError as error:
                raise CommandError(
                    _("Nothing was imported. %(reason)s") % {"reason": error}
                ) from None
            bar.total = bar.n
        self._print_summary(summary)

    def _print_summary(self, summary: ImportSummary) -> None:
        self.stdout.write(
            _(
                "%(kind)s: %(read)d rows read in %(seconds).1f s (%(rate)d rows/s): "
                "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(rejected)d rejected, %(deleted)d deleted."
            )
            % {
                "kind": summary.kind,
                "read": summary.rows_read,
                "seconds": summary.seconds,
                "rate": summary.rows_per_second,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "rejected": summary.rejected,
                "deleted": summary.deleted,
            }
        )
        if summary.error_report:
            self.stderr.write(
                _("%(count)d rows were rejected; see %(path)s")
                % {"count": summary.rejected, "path": summary.error_report}
            )
