from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents import signing


class Command(BaseCommand):
    help = (
        "Make a DEVELOPMENT certificate authority and a document-signing certificate it issued, "
        "for signing certificate PDFs: the key in CERTIFICATE_SIGNING_KEY_FILE, the certificate "
        "in CERTIFICATE_SIGNING_CERT_FILE, the CA in CERTIFICATE_SIGNING_CHAIN_FILE (and "
        "CERTIFICATE_SIGNING_TRUST_ROOTS_FILE). With --dir, the same three files are written "
        "there instead. Never for production: use a certificate from the organization's CA."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="write certificate-ca.crt, certificate-signing.* here")
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when the key file exists"
        )

    def handle(self, *args, **options) -> None:
        if options["dir"]:
            directory = Path(options["dir"])
            ca_cert = directory / "certificate-ca.crt"
            key = directory / "certificate-signing.key"
            cert = directory / "certificate-signing.crt"
        else:
            if not settings.CERTIFICATE_SIGNING_CHAIN_FILE:
                raise CommandError("CERTIFICATE_SIGNING_CHAIN_FILE is empty: use --dir.")
            ca_cert = Path(settings.CERTIFICATE_SIGNING_CHAIN_FILE)
            key = Path(settings.CERTIFICATE_SIGNING_KEY_FILE)
            cert = Path(settings.CERTIFICATE_SIGNING_CERT_FILE)
        if key.exists():
            if options["if_missing"]:
                return
            raise CommandError(f"{key} exists; a signing key is never overwritten.")
        signing.make_development_ca(ca_cert=ca_cert, key=key, cert=cert)
        self.stdout.write(
            f"Made a development CA ({ca_cert}) and the certificate PDFs' signing key ({key}) and "
            f"certificate ({cert}). PDF readers show the signature as valid only where "
            f"{ca_cert.name} is trusted; never use these in production."
        )
