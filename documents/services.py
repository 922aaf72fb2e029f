"""Actions on certificates, the personal inbox and access codes: one function per verb.

Each runs in one transaction; work for Celery and SMS is sent only after it commits.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from documents import tasks
from documents.identifiers import (
    access_code_digest,
    format_access_code,
    format_certificate_number,
    new_access_code,
    new_certificate_number,
)
from documents.models import AccessCode, Certificate, InboxNotice
from documents.snapshot import build_snapshot
from portal.sms import send_templated_sms

logger = logging.getLogger(__name__)

ACCESS_CODE_MIN_DAYS, ACCESS_CODE_MAX_DAYS, ACCESS_CODE_DEFAULT_DAYS = 1, 90, 30
ACCESS_CODE_MIN_USES, ACCESS_CODE_MAX_USES, ACCESS_CODE_DEFAULT_USES = 1, 10, 3


class DocumentError(Exception):
    """An action that the certificate's state does not allow; the message is for the person."""


class IssuingLimitReached(Exception):
    """The person already issued `limit` certificates in the last 24 hours."""

    def __init__(self, *, limit: int) -> None:
        super().__init__(f"at most {limit} certificates in 24 hours")
        self.limit = limit


# --- Issuing -----------------------------------------------------------------------------------


def _enqueue_render(certificate_id: int) -> None:
    # robust: a broker that is down must not turn a committed certificate into a 500; the
    # housekeeping task picks up certificates whose render was never started.
    transaction.on_commit(lambda: tasks.render_certificate.delay(certificate_id), robust=True)


def _lock_holder(holder: User) -> None:
    """Parallel requests of one holder queue here (PostgreSQL: the row lock; SQLite: every
    transaction already holds the database's write lock, `transaction_mode` IMMEDIATE)."""
    User.objects.select_for_update().filter(pk=holder.pk).values_list("pk").get()


def _check_issuing_limit(*, holder: User, now: datetime.datetime) -> None:
    """Count the holder's certificates of the last 24 hours, under the lock on the holder's row
    (`_lock_holder`), so the last of parallel requests see the others' certificates. Revoked
    certificates count too: revoking must not make room for more renders."""
    limit = settings.CERTIFICATES_PER_PERSON_PER_DAY
    issued = Certificate.objects.filter(
        holder=holder, issued_at__gt=now - datetime.timedelta(days=1)
    ).count()
    if issued >= limit:
        raise IssuingLimitReached(limit=limit)


@transaction.atomic
def issue_certificate(
    *,
    holder: User,
    language: str,
    note: str = "",
    addressed_to: Agency | None = None,
    submission: str = "",
    now: datetime.datetime | None = None,
) -> Certificate:
    """Freeze the holder's status into a new certificate. Side effect: its PDF is rendered
    by a Celery task once this transaction commits.

    `submission` is the issuing form's one-time token: if the holder already issued a
    certificate with it (the form sent twice, or in parallel), that certificate is returned and
    nothing new is written. The holder's row is locked first, so parallel requests queue and
    the later ones find the first one's certificate.

    Raises `IssuingLimitReached`, writing nothing, once the holder issued
    CERTIFICATES_PER_PERSON_PER_DAY certificates in the last 24 hours: every render takes the
    worker that all citizens share.
    """
    now = now or timezone.now()
    _lock_holder(holder)
    if submission and (
        earlier := Certificate.objects.filter(holder=holder, submission=submission).first()
    ):
        return earlier
    _check_issuing_limit(holder=holder, now=now)
    snapshot = build_snapshot(holder=holder, today=timezone.localdate(now))
    valid_until = now + datetime.timedelta(days=settings.CERTIFICATE_VALIDITY_DAYS)
    for _attempt in range(5):
        try:
            # A savepoint, so a clash of random numbers can be retried inside this transaction.
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    holder=holder,
                    number=new_certificate_number(),
                    language=language,
                    note=note.strip(),
                    addressed_to=addressed_to,
                    snapshot=snapshot,
                    issued_at=now,
                    valid_until=valid_until,
                    submission=submission,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five clashes among 10^11 numbers
        raise RuntimeError("could not find a free certificate number")
    _enqueue_render(certificate.pk)
    return certificate


@transaction.atomic
def retry_rendering(*, certificate: Certificate) -> Certificate:
    """Put a failed certificate back in the queue. Side effect: a render task after commit."""
    updated = Certificate.objects.filter(
        pk=certificate.pk, rendering_status=Certificate.Rendering.FAILED
    ).update(rendering_status=Certificate.Rendering.PENDING, rendering_error="")
    if updated:
        _enqueue_render(certificate.pk)
    certificate.refresh_from_db()
    return certificate


@transaction.atomic
def revoke_certificate(*, certificate: Certificate) -> Certificate:
    """Revoke a certificate and its live access code at once; agencies can no longer open it."""
    now = timezone.now()
    Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(revoked_at=now)
    AccessCode.objects.filter(certificate=certificate, revoked_at__isnull=True).update(
        revoked_at=now, end_reason=AccessCode.EndReason.CERTIFICATE_REVOKED
    )
    certificate.refresh_from_db()
    return certificate


# --- The personal inbox and access codes -------------------------------------------------------


@dataclass(frozen=True)
class IssuedAccessCode:
    """A new code and its plain text, which exists only here: it is shown once and sent by SMS."""

    access_code: AccessCode
    plaintext: str

    @property
    def formatted(self) -> str:
        return format_access_code(self.plaintext)


def _create_access_code(
    *,
    certificate: Certificate,
    valid_days: int,
    max_uses: int,
    bound_agency: Agency | None,
    now: datetime.datetime,
    demo_code: str | None = None,
) -> IssuedAccessCode:
    if not ACCESS_CODE_MIN_DAYS <= valid_days <= ACCESS_CODE_MAX_DAYS:
        raise ValueError(f"valid_days out of range: {valid_days}")
    if not ACCESS_CODE_MIN_USES <= max_uses <= ACCESS_CODE_MAX_USES:
        raise ValueError(f"max_uses out of range: {max_uses}")
    valid_until = min(now + datetime.timedelta(days=valid_days), certificate.valid_until)
    for _attempt in range(5):
        plaintext = demo_code or new_access_code()
        try:
            with transaction.atomic():
                access_code = AccessCode.objects.create(
                    certificate=certificate,
                    code_digest=access_code_digest(plaintext),
                    created_at=now,
                    valid_until=valid_until,
                    max_uses=max_uses,
                    bound_agency=bound_agency,
                )
            break
        except IntegrityError:
            # A clash of hashes is all but impossible; a live code of this certificate is not.
            if AccessCode.objects.filter(certificate=certificate, revoked_at__isnull=True).exists():
                raise DocumentError("This certificate already has an access code.") from None
    else:  # pragma: no cover
        raise RuntimeError("could not make a unique access code")
    InboxNotice.objects.create(
        recipient_id=certificate.holder_id,
        certificate=certificate,
        kind=InboxNotice.Kind.CODE_ISSUED,
        read_at=now,  # the holder is looking at it right now
    )
    if demo_code is None:
        _send_code_by_sms(certificate=certificate, plaintext=plaintext, valid_until=valid_until)
    return IssuedAccessCode(access_code=access_code, plaintext=plaintext)


def _send_code_by_sms(
    *, certificate: Certificate, plaintext: str, valid_until: datetime.datetime
) -> None:
    holder = certificate.holder
    if not holder.mobile:
        return

    def send() -> None:
        # Sent from this process, not through Celery: the code never rests in the broker.
        send_templated_sms(
            to=holder.mobile or "",
            template_name="access_code",
            context={
                "number": format_certificate_number(certificate.number),
                "code": format_access_code(plaintext),
                "valid_until": valid_until,
            },
            language=holder.language,
        )

    transaction.on_commit(send, robust=True)


def _check_can_share(certificate: Certificate) -> None:
    if not certificate.is_valid:
        raise DocumentError("Only a valid certificate can be shared with an access code.")


@transaction.atomic
def move_to_inbox(
    *,
    certificate: Certificate,
    valid_days: int = ACCESS_CODE_DEFAULT_DAYS,
    max_uses: int = ACCESS_CODE_DEFAULT_USES,
    bound_agency: Agency | None = None,
    demo_code: str | None = None,
) -> IssuedAccessCode:
    """File the certificate in the holder's inbox and create its access code.

    Side effects: the code is texted to the holder's mobile after commit. The code's validity
    never runs past the certificate's own; with `bound_agency`, only that agency can redeem it.
    `demo_code` is for seed_demo alone: a known code instead of a random one, not texted.
    """
    certificate = (
        Certificate.objects.select_for_update().select_related("holder").get(pk=certificate.pk)
    )
    _check_can_share(certificate)
    if certificate.inboxed_at is not None:
        raise DocumentError("This certificate is already in your inbox.")
    now = timezone.now()
    certificate.inboxed_at = now
    certificate.save(update_fields=["inboxed_at"])
    return _create_access_code(
        certificate=certificate,
        valid_days=valid_days,
        max_uses=max_uses,
        bound_agency=bound_agency,
        now=now,
        demo_code=demo_code,
    )


@transaction.atomic
def replace_access_code(
    *,
    certificate: Certificate,
    valid_days: int = ACCESS_CODE_DEFAULT_DAYS,
    max_uses: int = ACCESS_CODE_DEFAULT_USES,
    bound_agency: Agency | None = None,
    demo_code: str | None = None,
) -> IssuedAccessCode:
    """A new code for a certificate in the inbox; the old one stops working at once."""
    certificate = (
        Certificate.objects.select_for_update().select_related("holder").get(pk=certificate.pk)
    )
    _check_can_share(certificate)
    if certificate.inboxed_at is None:
        raise DocumentError("Move the certificate to your inbox first.")
    now = timezone.now()
    AccessCode.objects.filter(certificate=certificate, revoked_at__isnull=True).update(
        revoked_at=now, end_reason=AccessCode.EndReason.REPLACED
    )
    return _create_access_code(
        certificate=certificate,
        valid_days=valid_days,
        max_uses=max_uses,
        bound_agency=bound_agency,
        now=now,
        demo_code=demo_code,
    )


@transaction.atomic
def revoke_access_code(*, access_code: AccessCode) -> AccessCode:
    """Stop a code at once. Side effect: a notice in the holder's inbox."""
    now = timezone.now()
    revoked = AccessCode.objects.filter(pk=access_code.pk, revoked_at__isnull=True).update(
        revoked_at=now, end_reason=AccessCode.EndReason.REVOKED
    )
    if revoked:
        InboxNotice.objects.create(
            recipient_id=access_code.certificate.holder_id,
            certificate_id=access_code.certificate_id,
            kind=InboxNotice.Kind.CODE_REVOKED,
            read_at=now,
        )
    access_code.refresh_from_db()
    return access_code


def mark_notices_read(*, recipient: User) -> int:
    return InboxNotice.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=timezone.now()
    )
