from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents import qr_tokens


class Command(BaseCommand):
    help = (
        "Make the Ed25519 key that signs the certificates' QR tokens in CERTIFICATE_QR_KEY_FILE "
        "(or --out) and print its public key (base64url). Refuses to replace a key: to rotate, "
        "move the old file away and add its public key to CERTIFICATE_QR_OLD_PUBLIC_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=settings.CERTIFICATE_QR_KEY_FILE)
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when the file exists"
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["out"])
        if path.exists():
            if options["if_missing"]:
                return
            raise CommandError(f"{path} exists; a signing key is never overwritten.")
        public_key = qr_tokens.write_new_key(path)
        self.stdout.write(qr_tokens.b64url(qr_tokens.raw_public_key(public_key)))
