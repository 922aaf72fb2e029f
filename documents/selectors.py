"""Reads shared by the documents views; every object opened by id goes through "mine or 404"."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from documents.identifiers import clean_certificate_number
from documents.models import AccessCode, Certificate, InboxNotice


def certificates_of(holder: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(holder=holder).order_by("-issued_at", "-id")


def certificate_of_holder_or_404(*, holder: User, number: str) -> Certificate:
    """The holder's own certificate with this number; 404 for anyone else's or none."""
    cleaned = clean_certificate_number(number)
    certificate = (
        Certificate.objects.filter(holder=holder, number=cleaned).first() if cleaned else None
    )
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate


def live_access_code(certificate: Certificate) -> AccessCode | None:
    return certificate.access_codes.filter(revoked_at__isnull=True).first()


def inbox_certificates(holder: User) -> QuerySet[Certificate]:
    """The certificates in the holder's inbox with all their codes (newest first), in 2 queries."""
    return (
        Certificate.objects.filter(holder=holder, inboxed_at__isnull=False)
        .prefetch_related(
            Prefetch("access_codes", queryset=AccessCode.objects.order_by("-created_at", "-id"))
        )
        .order_by("-inboxed_at", "-id")
    )


def notices_of(recipient: User) -> QuerySet[InboxNotice]:
    return InboxNotice.objects.filter(recipient=recipient).select_related("certificate")


def unread_notice_count(recipient: User) -> int:
    return InboxNotice.objects.filter(recipient=recipient, read_at__isnull=True).count()


def certificate_by_number(number: str) -> Certificate | None:
    """For the public verification page: any certificate, or None."""
    cleaned = clean_certificate_number(number)
    if not cleaned:
        return None
    return Certificate.objects.filter(number=cleaned).first()
