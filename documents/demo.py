"""Demo data: a certificate for the demo citizen, in their inbox with an access code bound to the
demo agency, so that the demo staff member can try document inquiry at /gov/documents/.

Idempotent: a second run keeps the citizen's valid certificate and its code, and prints the same
lines. The code is derived from the certificate's number and the secret key (not random), so it
can be printed on every run; it is only ever made for the demo. The PDF is rendered once the
seed's transaction commits (by the worker, or in-process in the embedded default).
"""

import hmac

from django.conf import settings
from django.core.management.base import OutputWrapper
from django.urls import reverse
from django.utils import timezone

from accounts.demo import demo_user
from agencies import demo as agencies_demo
from agencies.models import Agency
from documents.identifiers import (
    ACCESS_CODE_ALPHABET,
    ACCESS_CODE_LENGTH,
    access_code_digest,
    format_access_code,
)
from documents.models import AccessCode, Certificate
from documents.services import issue_certificate, move_to_inbox, replace_access_code

DEMO_CODE_USES = 10
DEMO_CODE_DAYS = 90


def demo_access_code(certificate: Certificate) -> str:
    """The demo certificate's access code: the same on every run for the same certificate."""
    key = (settings.ACCESS_CODE_SECRET or settings.SECRET_KEY).encode()
    digest = hmac.new(key, b"portal.demo.access-code\x00" + certificate.number.encode(), "sha256")
    return "".join(
        ACCESS_CODE_ALPHABET[byte % len(ACCESS_CODE_ALPHABET)]
        for byte in digest.digest()[:ACCESS_CODE_LENGTH]
    )


def seed(*, stdout: OutputWrapper) -> None:
    citizen = demo_user("citizen")
    staff = demo_user("agency_staff")
    agency = Agency.objects.get(legal_id=agencies_demo.APPROVED_LEGAL_ID)
    certificate = Certificate.objects.filter(
        holder=citizen, revoked_at__isnull=True, valid_until__gt=timezone.now()
    ).first()
    if certificate is None:
        certificate = issue_certificate(
            holder=citizen, language="fa", note="نمونه", addressed_to=agency
        )
    code = demo_access_code(certificate)
    if certificate.inboxed_at is None:
        move_to_inbox(
            certificate=certificate,
            valid_days=DEMO_CODE_DAYS,
            max_uses=DEMO_CODE_USES,
            bound_agency=agency,
            demo_code=code,
        )
    elif not AccessCode.objects.filter(code_digest=access_code_digest(code)).exists():
        # Someone moved it to the inbox by hand (a random code): the demo's code replaces it.
        replace_access_code(
            certificate=certificate,
            valid_days=DEMO_CODE_DAYS,
            max_uses=DEMO_CODE_USES,
            bound_agency=agency,
            demo_code=code,
        )
    # The same lines on every run (seed_demo's output is compared between runs).
    verify = settings.SITE_URL + reverse("documents:verify", args=[certificate.number])
    stdout.write(f"  citizen's certificate {certificate.formatted_number}: {verify}")
    stdout.write(
        f"  document inquiry at /gov/documents/ as {staff.national_code} ({agency.name}): "
        f"national code {citizen.national_code}, access code {format_access_code(code)} "
        f"(bound to that agency, {DEMO_CODE_USES} uses)"
    )
