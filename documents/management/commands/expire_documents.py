from django.core.management.base import BaseCommand

from documents import housekeeping
from documents.tasks import render_certificate


class Command(BaseCommand):
    help = (
        "Mark expired certificates and access codes, warn holders of codes about to expire, "
        "delete the PDFs of certificates expired longer than CERTIFICATE_PDF_RETENTION_DAYS, "
        "and requeue renders that never finished. Safe to run at any time; beat runs it too."
    )

    def handle(self, *args, **options) -> None:
        report = housekeeping.expire_documents(requeue_render=render_certificate.delay)
        self.stdout.write(self.style.SUCCESS(str(report)))
