import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inquiries import transparency


class Command(BaseCommand):
    help = (
        "Recompute the disclosure log's Merkle tree from the records, check every stored "
        "checkpoint's signature and root, and prove the log extends each checkpoint given "
        "(a file or URL an auditor kept) and the newest one in TRANSPARENCY_ARCHIVE_DIR. "
        "Exit status 0 only when all of it holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE_OR_URL",
            help="a checkpoint kept outside the database; may be given several times",
        )
        parser.add_argument(
            "--no-archive", action="store_true", help="do not check the newest archived one"
        )

    def handle(self, *args, **options) -> None:
        outside = [(source, self._read(source)) for source in options["checkpoint"]]
        if not options["no_archive"] and (archived := transparency.newest_archived()):
            outside.append((str(archived), archived.read_text(encoding="utf-8")))
        report = transparency.audit(outside=outside)
        if report.problems:
            raise CommandError(
                "The disclosure log has been tampered with:\n- " + "\n- ".join(report.problems)
            )
        self.stdout.write(
            f"The disclosure log is intact: {report.records} records, {report.leaves} sealed "
            f"({report.awaiting} awaiting the sequencer), {report.checkpoints} checkpoints "
            f"verified, consistent with {report.outside} checkpoints kept outside."
        )

    def _read(self, source: str) -> str:
        try:
            if source.startswith(("https://", "http://")):
                with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310
                    return response.read(65536).decode()
            return Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read the checkpoint {source}: {error}") from error
