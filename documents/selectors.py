"""Reads shared by the documents views; every object opened by id goes through "mine or 404"."""

import functools
from typing import cast

from django.db import connection
from django.db.models import Field, Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from agencies.models import Agency
from agencies.selectors import active_mous_on, today
from documents.identifiers import clean_certificate_number
from documents.models import AccessCode, Certificate, InboxNotice, Redemption


def certificates_of(holder: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(holder=holder).order_by("-issued_at", "-id")


def certificate_of_holder_or_404(*, holder: User, number: str) -> Certificate:
    """The holder's own certificate with this number; 404 for anyone else's or none."""
    cleaned = clean_certificate_number(number)
    certificate = (
        Certificate.objects.filter(holder=holder, number=cleaned)
        .select_related("addressed_to")
        .first()
        if cleaned
        else None
    )
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate


def live_access_code(certificate: Certificate) -> AccessCode | None:
    return certificate.access_codes.filter(revoked_at__isnull=True).first()


def inbox_certificates(holder: User) -> QuerySet[Certificate]:
    """The certificates in the holder's inbox with all their codes (newest first) and their
    redemptions by agencies, in 3 queries."""
    return (
        Certificate.objects.filter(holder=holder, inboxed_at__isnull=False)
        .select_related("addressed_to")
        .prefetch_related(
            Prefetch(
                "access_codes",
                queryset=AccessCode.objects.select_related("bound_agency").order_by(
                    "-created_at", "-id"
                ),
            ),
            Prefetch(
                "redemptions",
                queryset=Redemption.objects.select_related("agency").order_by(
                    "-redeemed_at", "-id"
                ),
            ),
        )
        .order_by("-inboxed_at", "-id")
    )


def redemptions_of(certificate: Certificate) -> QuerySet[Redemption]:
    """Who opened the certificate and when, for its holder (agencies only, never staff names)."""
    return certificate.redemptions.select_related("agency").order_by("-redeemed_at", "-id")


def redemption_for_staff_or_404(*, staff_member: User, agency: Agency, pk: int) -> Redemption:
    """A redemption made by this staff member for this agency; 404 for anyone else's."""
    redemption = (
        Redemption.objects.select_related("certificate__addressed_to", "agency")
        .filter(pk=pk, staff_member=staff_member, agency=agency)
        .first()
    )
    if redemption is None:
        raise Http404("No such redemption.")
    return redemption


def notices_of(recipient: User) -> QuerySet[InboxNotice]:
    return InboxNotice.objects.filter(recipient=recipient).select_related("certificate")


def unread_notice_count(recipient: User) -> int:
    """The navigation's badge, on every signed-in page: one fixed statement (building the ORM's
    COUNT query cost more than running it); tests/documents/test_unread_count_sql.py compares
    it with `unread_notice_count_by_orm` on random inboxes."""
    with connection.cursor() as cursor:
        cursor.execute(_unread_count_statement(), [recipient.pk])
        (count,) = cursor.fetchone()
    return int(count)


def unread_notice_count_by_orm(recipient: User) -> int:
    return InboxNotice.objects.filter(recipient=recipient, read_at__isnull=True).count()


@functools.cache
def _unread_count_statement() -> str:
    quote = connection.ops.quote_name
    meta = InboxNotice._meta
    recipient, read_at = (
        quote(str(cast(Field, meta.get_field(name)).column)) for name in ("recipient", "read_at")
    )
    return (
        f"SELECT COUNT(*) FROM {quote(meta.db_table)} "  # noqa: S608 (names from the model)
        f"WHERE {recipient} = %s AND {read_at} IS NULL"
    )


def certificate_by_number(number: str) -> Certificate | None:
    """For the public verification page: any certificate, or None."""
    cleaned = clean_certificate_number(number)
    if not cleaned:
        return None
    return Certificate.objects.filter(number=cleaned).select_related("addressed_to").first()


def agencies_open_for_documents() -> QuerySet[Agency]:
    """Agencies that can receive documents: those with an MoU in force today."""
    return Agency.objects.filter(pk__in=active_mous_on(today()).values("agency_id")).order_by(
        "name"
    )
