"""`manage.py migrate_isinsured FILE [--dry-run] [--chunk-size N]` and `--status [RUN]`."""

import getpass
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from accounts.models import User
from isinsured import services
from isinsured.legacy_file import LegacyFile, LegacyFileError, read_legacy_file
from isinsured.models import MigrationRun, RunState
from portal.csv_safety import formula_safe_writer

REPORT_HEADER = ("row", "column", "problem")
POLL_SECONDS = 0.5
LABELS = {
    "created": gettext_lazy("created"),
    "matched": gettext_lazy("matched (existing, left as it was)"),
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged (migrated earlier)"),
    "reactivated": gettext_lazy("reactivated"),
    "deactivated": gettext_lazy("deactivated (inactive on isinsured)"),
    "problem": gettext_lazy("not migrated (clash with the portal)"),
}


class Command(BaseCommand):
    help = (
        "Migrate the agencies, circular No. 1 MoUs and users of an isinsured export "
        "(docs/isinsured-migration.md) through Celery tasks, one per chunk. The whole file is "
        "validated first; bad rows go to a report (row, column, problem). Running the same file "
        "again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and say what would happen; no writes."
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=settings.ISINSURED_CHUNK_SIZE,
            metavar="N",
            help="Rows per Celery task (default %(default)s).",
        )
        parser.add_argument(
            "--operator",
            metavar="NATIONAL_CODE",
            help="The operator running the migration (recorded; grants memberships, records MoUs).",
        )
        parser.add_argument(
            "--status",
            nargs="?",
            type=int,
            const=0,
            metavar="RUN",
            help="Show a run started earlier (the latest if no number is given).",
        )
        parser.add_argument(
            "--errors", type=Path, metavar="PATH", help="Report path (default FILE.errors.csv)."
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="Enqueue and return; see --status later."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        parser.add_argument(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help="Stop watching after this long (the run goes on in the workers).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"] is not None:
            self._status(options["status"])
            return
        path: Path | None = options["file"]
        if path is None:
            raise CommandError(_("Name the isinsured export file, or use --status."))
        if options["chunk_size"] < 1:
            raise CommandError(_("The chunk size must be at least 1."))
        try:
            legacy_file = read_legacy_file(path)
        except LegacyFileError as error:
            raise CommandError(_("Nothing was migrated. %(reason)s") % {"reason": error}) from None
        self._validation_summary(legacy_file, path, options["errors"])

        earlier = MigrationRun.objects.filter(checksum=legacy_file.checksum).order_by("-pk").first()
        if options["dry_run"]:
            if earlier is not None:
                self.stdout.write(
                    _("This file (SHA-256 %(checksum)s) was migrated by run #%(run)d.")
                    % {"checksum": legacy_file.checksum[:12], "run": earlier.pk}
                )
            self._preview(services.preview(legacy_file))
            self.stdout.write(_("Dry run: nothing was written."))
            return

        if earlier is not None and earlier.state == RunState.DONE:
            self.stdout.write(
                _(
                    "This file (SHA-256 %(checksum)s) was migrated by run #%(run)d; "
                    "nothing to do. Its report:"
                )
                % {"checksum": legacy_file.checksum[:12], "run": earlier.pk}
            )
            self._report(services.run_report(earlier))
            return
        if earlier is not None:
            self.stdout.write(
                _("Run #%(run)d of this file is unfinished: resuming it.") % {"run": earlier.pk}
            )
            services.resume_run(run=earlier)
            run = earlier
        else:
            operator = self._operator(options["operator"])
            try:
                run = services.start_run(
                    legacy_file=legacy_file,
                    file_name=path.name,
                    operator=operator,
                    os_user=_os_user(),
                    chunk_size=options["chunk_size"],
                )
            except services.MigrationError as error:
                raise CommandError(error.message) from None
            self.stdout.write(
                _("Run #%(run)d: %(rows)d rows in %(chunks)d chunks enqueued.")
                % {"run": run.pk, "rows": len(legacy_file.users), "chunks": run.chunks.count()}
            )
        if options["no_wait"]:
            self.stdout.write(
                _("See its progress with: migrate_isinsured --status %(run)d") % {"run": run.pk}
            )
            return
        self._follow(
            run,
            show_progress=not options["no_progress"] and options["verbosity"] > 0,
            timeout=options["timeout"],
        )
        self._report(services.run_report(run))

    # --- Steps ---------------------------------------------------------------------------------

    def _operator(self, national_code: str | None) -> User:
        if not national_code:
            raise CommandError(_("Name the operator running the migration: --operator CODE."))
        user = User.objects.filter(national_code=national_code).first()
        if user is None:
            raise CommandError(
                _("No account has the national code %(code)s.") % {"code": national_code}
            )
        return user

    def _validation_summary(
        self, legacy_file: LegacyFile, path: Path, report_path: Path | None
    ) -> None:
        invalid = legacy_file.invalid_rows
        self.stdout.write(
            _(
                "%(rows)d rows read: %(valid)d valid, %(invalid)d with problems; "
                "%(organizations)d organizations."
            )
            % {
                "rows": legacy_file.rows_total,
                "valid": len(legacy_file.users),
                "invalid": len(invalid),
                "organizations": len(legacy_file.organizations),
            }
        )
        if not legacy_file.problems:
            return
        report_path = report_path or path.with_name(f"{path.stem}.errors.csv")
        with report_path.open("w", encoding="utf-8", newline="") as stream:
            writer = formula_safe_writer(stream)
            writer.writerow(REPORT_HEADER)
            writer.writerows(legacy_file.problems)
        self.stderr.write(
            _("%(count)d rows have problems and will be skipped; see %(path)s")
            % {"count": len(invalid), "path": report_path}
        )

    def _follow(self, run: MigrationRun, *, show_progress: bool, timeout: float | None) -> None:
        deadline = time.monotonic() + timeout if timeout else None
        total = run.rows.exclude(state="invalid").count()
        with tqdm(
            total=total,
            unit=" users",
            desc=f"run #{run.pk}",
            disable=not show_progress,
            file=self.stderr._out,
        ) as bar:
            try:
                while True:
                    done = services.rows_done(run)
                    bar.update(done - bar.n)
                    run.refresh_from_db(fields=["state"])
                    if run.state == RunState.DONE:
                        break
                    if deadline is not None and time.monotonic() > deadline:
                        raise KeyboardInterrupt
                    time.sleep(POLL_SECONDS)
            except KeyboardInterrupt:
                raise CommandError(
                    _(
                        "Stopped watching; run #%(run)d goes on in the workers. "
                        "See it with: migrate_isinsured --status %(run)d"
                    )
                    % {"run": run.pk}
                ) from None

    def _status(self, run_id: int) -> None:
        run = MigrationRun.objects.filter(pk=run_id).first() if run_id else services.latest_run()
        if run is None:
            raise CommandError(_("No such migration run."))
        self._report(services.run_report(run))

    # --- Output --------------------------------------------------------------------------------

    def _counts(self, title: str, counts: Any) -> None:
        parts = [f"{count} {LABELS.get(key, key)}" for key, count in sorted(counts.items())]
        self.stdout.write(f"  {title}: " + (", ".join(parts) if parts else "0"))

    def _preview(self, preview: services.Preview) -> None:
        self.stdout.write(_("Would do:"))
        self._counts(_("legacy organizations"), preview.agencies)
        self._counts(_("MoUs (circular No. 1)"), preview.mous)
        self._counts(_("legacy users"), preview.users)
        self._counts(_("agency memberships"), preview.memberships)
        self.stdout.write(
            "  "
            + _(
                "%(wraps)d legacy hashes to wrap, %(invitations)d invitations, "
                "%(inactive)d inactive users without access"
            )
            % {
                "wraps": preview.wraps,
                "invitations": preview.invitations,
                "inactive": preview.inactive,
            }
        )

    def _report(self, report: services.RunReport) -> None:
        run = report.run
        self.stdout.write(
            _(
                "Run #%(run)d of %(file)s (SHA-256 %(checksum)s) by %(operator)s (%(os_user)s), "
                "started %(started)s: %(state)s."
            )
            % {
                "run": run.pk,
                "file": run.file_name,
                "checksum": run.checksum[:12],
                "operator": run.started_by.national_code,
                "os_user": run.started_by_os_user or "-",
                "started": run.started_at.isoformat(timespec="seconds"),
                "state": run.get_state_display(),
            }
        )
        self.stdout.write(
            "  "
            + _("%(done)d of %(valid)d valid rows done; chunks %(applied)d of %(chunks)d applied.")
            % {
                "done": report.rows_done,
                "valid": report.rows_valid,
                "applied": report.chunks_applied,
                "chunks": report.chunks_total,
            }
        )
        self._counts(_("legacy organizations"), report.agencies)
        self._counts(_("MoUs (circular No. 1)"), report.mous)
        self._counts(_("legacy users"), report.users)
        self._counts(_("agency memberships"), report.memberships)
        self.stdout.write("  " + _("invitations sent: %(count)d") % {"count": report.invitations})
        self.stdout.write("  " + _("rows skipped: %(count)d") % {"count": len(report.skipped)})
        for row, reason in report.skipped:
            self.stdout.write(f"    {_('row')} {row}: {reason}")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
