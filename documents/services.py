"""Actions on certificates, the personal inbox and access codes: one function per verb.

Each runs in one transaction; work for Celery and SMS is sent only after it commits.
"""

import datetime
import enum
import hashlib
import logging
import uuid
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
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
    from documents.tasks import render_certificate

    # robust: a broker that is down must not turn a committed certificate into a 500; the
    # housekeeping task picks up certificates whose render was never started.
    transaction.on_commit(lambda: render_certificate.delay(certificate_id), robust=True)


def _check_issuing_limit(*, holder: User, now: datetime.datetime) -> None:
    """Count the holder's certificates of the last 24 hours under a lock on the holder's row,
    so parallel requests queue here and the last ones see the others' certificates. Revoked
    certificates count too: revoking must not make room for more renders."""
    limit = settings.CERTIFICATES_PER_PERSON_PER_DAY
    User.objects.select_for_update().filter(pk=holder.pk).values_list("pk").get()
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
    now: datetime.datetime | None = None,
) -> Certificate:
    """Freeze the holder's status into a new certificate. Side effect: its PDF is rendered
    by a Celery task once this transaction commits.

    Raises `IssuingLimitReached`, writing nothing, once the holder issued
    CERTIFICATES_PER_PERSON_PER_DAY certificates in the last 24 hours: every render takes the
    worker that all citizens share.
    """
    now = now or timezone.now()
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


# --- Rendering (called by documents.tasks.render_certificate) -----------------------------------


class RenderOutcome(enum.Enum):
    RENDERED = "rendered"
    ALREADY_DONE = "already_done"  # ready or failed: nothing to do
    BUSY = "busy"  # another worker holds a fresh claim


def _claim(certificate_id: int, now: datetime.datetime) -> uuid.UUID | None:
    """Take the render for this worker; None if someone else has it or it is done.

    A claim older than the hard time limit belongs to a worker that died mid-render (its task
    is redelivered thanks to late acknowledgement), so it may be taken over.
    """
    stale_before = now - datetime.timedelta(seconds=settings.CERTIFICATE_RENDER_STALE_SECONDS)
    claim = uuid.uuid4()
    claimed = Certificate.objects.filter(
        Q(rendering_status=Certificate.Rendering.PENDING)
        | Q(
            rendering_status=Certificate.Rendering.RENDERING, rendering_started_at__lt=stale_before
        ),
        pk=certificate_id,
    ).update(
        rendering_status=Certificate.Rendering.RENDERING,
        rendering_claim=claim,
        rendering_started_at=now,
        rendering_attempts=F("rendering_attempts") + 1,
    )
    return claim if claimed == 1 else None


def render_certificate(*, certificate_id: int) -> RenderOutcome:
    """Render the certificate's PDF, store it and its SHA-256, and mark it ready.

    Safe to run twice or in parallel: only the holder of the claim may finish, and the one file
    a certificate keeps is replaced, never added to. On an error the claim is given back
    (pending) so that a retry can take it; `mark_rendering_failed` ends the attempts.
    """
    from documents.pdf import render_certificate_pdf

    claim = _claim(certificate_id, timezone.now())
    if claim is None:
        status = (
            Certificate.objects.filter(pk=certificate_id)
            .values_list("rendering_status", flat=True)
            .first()
        )
        if status == Certificate.Rendering.RENDERING:
            return RenderOutcome.BUSY
        return RenderOutcome.ALREADY_DONE

    certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
    new_name = ""
    try:
        pdf = render_certificate_pdf(certificate)
        # A name per claim: a slow worker that lost its claim never overwrites the winner's file.
        new_name = default_storage.save(
            f"certificates/{certificate.number}-{claim.hex[:12]}.pdf", ContentFile(pdf)
        )
        with transaction.atomic():
            finished = Certificate.objects.filter(
                pk=certificate_id,
                rendering_status=Certificate.Rendering.RENDERING,
                rendering_claim=claim,
            ).update(
                rendering_status=Certificate.Rendering.READY,
                rendering_claim=None,
                rendering_error="",
                rendered_at=timezone.now(),
                pdf=new_name,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
    except BaseException:
        if new_name:
            default_storage.delete(new_name)
        Certificate.objects.filter(
            pk=certificate_id,
            rendering_status=Certificate.Rendering.RENDERING,
            rendering_claim=claim,
        ).update(rendering_status=Certificate.Rendering.PENDING, rendering_claim=None)
        raise
    if not finished:
        # Another worker took the claim over and finished or is finishing: keep its file only.
        default_storage.delete(new_name)
        return RenderOutcome.ALREADY_DONE
    # The file of an earlier render (a failed-then-retried one) goes: one PDF per certificate.
    old_name = certificate.pdf.name if certificate.pdf else ""
    if old_name and old_name != new_name:
        default_storage.delete(old_name)
    return RenderOutcome.RENDERED


@transaction.atomic
def mark_rendering_failed(*, certificate_id: int, error: str) -> bool:
    """Give up on a render; the holder sees the failure and a retry button, and a notice."""
    certificate = (
        Certificate.objects.select_for_update()
        # Only a released claim: a render another worker holds right now is not ours to fail.
        .filter(pk=certificate_id, rendering_status=Certificate.Rendering.PENDING)
        .first()
    )
    if certificate is None:
        return False
    certificate.rendering_status = Certificate.Rendering.FAILED
    certificate.rendering_claim = None
    certificate.rendering_error = error[:2000]
    certificate.save(update_fields=["rendering_status", "rendering_claim", "rendering_error"])
    InboxNotice.objects.create(
        recipient_id=certificate.holder_id,
        certificate=certificate,
        kind=InboxNotice.Kind.RENDERING_FAILED,
    )
    return True


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


# --- Housekeeping ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HousekeepingReport:
    certificates_expired: int
    codes_expired: int
    codes_expiring_noticed: int
    pdfs_deleted: int
    renders_requeued: int

    def __str__(self) -> str:
        return (
            f"{self.certificates_expired} certificates and {self.codes_expired} access codes "
            f"marked expired, {self.codes_expiring_noticed} expiry notices, "
            f"{self.pdfs_deleted} PDFs deleted, {self.renders_requeued} renders requeued"
        )


def expire_documents(*, now: datetime.datetime | None = None) -> HousekeepingReport:
    """Mark what has expired, warn of codes about to expire, delete PDFs kept long enough,
    and requeue renders that never started or whose worker vanished. Safe to run twice."""
    now = now or timezone.now()
    with transaction.atomic():
        certificates_expired = Certificate.objects.filter(
            valid_until__lte=now, expired_at__isnull=True
        ).update(expired_at=now)
        codes_expired = AccessCode.objects.filter(
            valid_until__lte=now, expired_at__isnull=True
        ).update(expired_at=now)
        expiring = list(
            AccessCode.objects.select_for_update(skip_locked=True)
            .filter(
                revoked_at__isnull=True,
                expiry_notice_at__isnull=True,
                valid_until__gt=now,
                valid_until__lte=now
                + datetime.timedelta(hours=settings.ACCESS_CODE_EXPIRY_NOTICE_HOURS),
                uses__lt=F("max_uses"),
            )
            .select_related("certificate")
        )
        InboxNotice.objects.bulk_create(
            InboxNotice(
                recipient_id=code.certificate.holder_id,
                certificate_id=code.certificate_id,
                kind=InboxNotice.Kind.CODE_EXPIRING,
                details={"valid_until": code.valid_until.isoformat()},
                created_at=now,
            )
            for code in expiring
        )
        AccessCode.objects.filter(pk__in=[code.pk for code in expiring]).update(
            expiry_notice_at=now
        )
    pdfs_deleted = _delete_old_pdfs(now=now)
    renders_requeued = _requeue_stalled_renders(now=now)
    return HousekeepingReport(
        certificates_expired=certificates_expired,
        codes_expired=codes_expired,
        codes_expiring_noticed=len(expiring),
        pdfs_deleted=pdfs_deleted,
        renders_requeued=renders_requeued,
    )


def _delete_old_pdfs(*, now: datetime.datetime) -> int:
    keep_after = now - datetime.timedelta(days=settings.CERTIFICATE_PDF_RETENTION_DAYS)
    deleted = 0
    candidates = Certificate.objects.filter(
        valid_until__lte=keep_after, pdf_deleted_at__isnull=True
    )
    for certificate in candidates.exclude(pdf="").only("pk", "pdf").iterator():
        # The row first: a crash after it leaves an orphan file, never a row pointing at nothing.
        with transaction.atomic():
            if Certificate.objects.filter(pk=certificate.pk, pdf_deleted_at__isnull=True).update(
                pdf="", pdf_deleted_at=now
            ):
                transaction.on_commit(partial(default_storage.delete, str(certificate.pdf.name)))
                deleted += 1
    return deleted


def _requeue_stalled_renders(*, now: datetime.datetime) -> int:
    """Certificates whose render task was lost (a broker that was down at enqueue time)."""
    from documents.tasks import render_certificate

    stale = now - datetime.timedelta(seconds=settings.CERTIFICATE_RENDER_STALE_SECONDS)
    ids = list(
        Certificate.objects.filter(
            Q(rendering_status=Certificate.Rendering.PENDING, issued_at__lt=stale)
            | Q(rendering_status=Certificate.Rendering.RENDERING, rendering_started_at__lt=stale)
        ).values_list("pk", flat=True)[:500]
    )
    for certificate_id in ids:
        render_certificate.delay(certificate_id)
    return len(ids)
