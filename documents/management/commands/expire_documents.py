from django.core.management.base import BaseCommand

from documents.tasks import expire_documents


class Command(BaseCommand):
    help = (
        "Mark expired certificates and access codes, warn holders of codes about to expire, "
        "delete the PDFs of certificates expired longer than CERTIFICATE_PDF_RETENTION_DAYS, "
        "and requeue renders that never finished. Safe to run at any time; beat runs it too."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(self.style.SUCCESS(expire_documents()))
