import os
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inquiries.notes import NoteError, SignerKey


class Command(BaseCommand):
    help = (
        "Make an Ed25519 signing key for the transparency log's checkpoints in "
        "TRANSPARENCY_SIGNING_KEY_FILE (or --out) and print its verifier key. Refuses to "
        "replace a key: to rotate, move the old file away and add its verifier key to "
        "TRANSPARENCY_OLD_VERIFIER_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=settings.TRANSPARENCY_SIGNING_KEY_FILE)
        parser.add_argument(
            "--name",
            default=f"{urlsplit(settings.SITE_URL).netloc or 'localhost'}/disclosures",
            help="the log's origin and key name (default: SITE_URL's host + /disclosures)",
        )
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when the file exists"
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["out"])
        if path.exists():
            if options["if_missing"]:
                return
            raise CommandError(f"{path} exists; a signing key is never overwritten.")
        try:
            key = SignerKey.generate(options["name"])
        except NoteError as error:
            raise CommandError(str(error)) from error
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(str(key) + "\n")
        self.stdout.write(str(key.verifier))
