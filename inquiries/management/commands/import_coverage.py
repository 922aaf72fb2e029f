"""`manage.py import_coverage persons|periods|pensions FILE [--replace]`: fill the registry.

`import_coverage snapshot DIR` replaces the whole registry with DIR's three files, and
`import_coverage rollback` brings back the registry the last snapshot replaced (PostgreSQL).
"""

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
from inquiries.importing.service import ProgressCallback
from inquiries.importing.snapshot import SnapshotError, roll_back, take_snapshot

SNAPSHOT = "snapshot"
ROLLBACK = "rollback"


class Command(BaseCommand):
    help = (
        "Import a registry CSV file (persons, periods or pensions; format in "
        "docs/import-formats.md). Rows are matched on their natural keys, so importing the "
        "same file again changes nothing. Bad rows go to an error report; the good ones are "
        "imported. `snapshot DIR` replaces the whole registry with DIR's persons.csv, "
        "periods.csv and pensions.csv; `rollback` brings back the registry it replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=[*(kind.value for kind in RecordKind), SNAPSHOT, ROLLBACK]
        )
        parser.add_argument(
            "file", type=Path, nargs="?", help="The file; for snapshot, the directory."
        )
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
        if options["kind"] == ROLLBACK:
            self._roll_back()
            return
        path: Path | None = options["file"]
        if path is None:
            raise CommandError(_("Name the file to import (for snapshot, the directory)."))
        if options["kind"] == SNAPSHOT:
            if options["replace"] or options["errors"]:
                raise CommandError(
                    _("A snapshot replaces everything and reports next to each file.")
                )
            self._snapshot(path, show_progress=self._show_progress(options))
            return
        kind = RecordKind(options["kind"])
        if options["replace"] and kind == RecordKind.PERSONS:
            raise CommandError(_("--replace applies to periods and pensions files only."))
        report_path = options["errors"] or default_error_report_path(path)
        show_progress = self._show_progress(options)

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

    @staticmethod
    def _show_progress(options: dict[str, Any]) -> bool:
        return not options["no_progress"] and options["verbosity"] > 0

    def _snapshot(self, directory: Path, *, show_progress: bool) -> None:
        bars: list[tqdm] = []

        def progress_of(kind: RecordKind) -> ProgressCallback:
            bar = tqdm(
                total=None,
                unit=" rows",
                unit_scale=True,
                desc=str(kind),
                disable=not show_progress,
                file=self.stderr._out,
            )
            bars.append(bar)

            def on_progress(rows: int, bytes_read: int, size: int) -> None:
                bar.total = round(rows * size / bytes_read) if bytes_read else None
                bar.update(rows - bar.n)

            return on_progress

        def on_step(step: str) -> None:
            for bar in bars:
                bar.close()
            if show_progress:
                self.stderr.write(_("Snapshot step: %(step)s") % {"step": step})

        try:
            summary = take_snapshot(directory, on_step=on_step, on_progress=progress_of)
        except (ImportFileError, SnapshotError) as error:
            raise CommandError(
                _("The registry was not changed. %(reason)s") % {"reason": error}
            ) from None
        finally:
            for bar in bars:
                bar.close()
        for file in summary.files.values():
            self._print_summary(file)
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in summary.steps)
        self.stdout.write(
            _(
                "Snapshot swapped in after %(seconds).1f s (%(steps)s). The registry it replaced "
                "is kept until the next snapshot: `import_coverage rollback` brings it back."
            )
            % {"seconds": summary.seconds, "steps": steps}
        )

    def _roll_back(self) -> None:
        try:
            roll_back()
        except SnapshotError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "The registry from before the last snapshot is back; the snapshot is kept in "
                "its place (a second rollback brings it back)."
            )
        )

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
