"""Demo data: a certificate for the demo citizen, so the inbox and verification can be tried.

Idempotent: a second run keeps the citizen's valid certificate. Its PDF is rendered once the
seed's transaction commits (by the worker, or in-process in the embedded default).
"""

from django.conf import settings
from django.core.management.base import OutputWrapper
from django.urls import reverse
from django.utils import timezone

from accounts.demo import demo_user
from documents.models import Certificate
from documents.services import issue_certificate


def seed(*, stdout: OutputWrapper) -> None:
    citizen = demo_user("citizen")
    certificate = Certificate.objects.filter(
        holder=citizen, revoked_at__isnull=True, valid_until__gt=timezone.now()
    ).first()
    if certificate is None:
        certificate = issue_certificate(holder=citizen, language="fa", note="نمونه")
    # The same lines on every run (seed_demo's output is compared between runs).
    verify = settings.SITE_URL + reverse("documents:verify", args=[certificate.number])
    stdout.write(f"  citizen's certificate {certificate.formatted_number}: {verify}")
