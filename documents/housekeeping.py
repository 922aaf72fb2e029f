"""Housekeeping of certificates and access codes, run by `documents.tasks.expire_documents`."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from documents.models import AccessCode, Certificate, InboxNotice


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


def expire_documents(
    *, requeue_render: Callable[[int], object], now: datetime.datetime | None = None
) -> HousekeepingReport:
    """Mark what has expired, warn of codes about to expire, delete PDFs kept long enough,
    and requeue renders that never started or whose worker vanished (`requeue_render` sends
    one; the task passes its sender). Safe to run twice."""
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
    renders_requeued = _requeue_stalled_renders(now=now, requeue_render=requeue_render)
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


def _requeue_stalled_renders(
    *, now: datetime.datetime, requeue_render: Callable[[int], object]
) -> int:
    """Certificates whose render task was lost (a broker that was down at enqueue time)."""
    stale = now - datetime.timedelta(seconds=settings.CERTIFICATE_RENDER_STALE_SECONDS)
    ids = list(
        Certificate.objects.filter(
            Q(rendering_status=Certificate.Rendering.PENDING, issued_at__lt=stale)
            | Q(rendering_status=Certificate.Rendering.RENDERING, rendering_started_at__lt=stale)
        ).values_list("pk", flat=True)[:500]
    )
    for certificate_id in ids:
        requeue_render(certificate_id)
    return len(ids)
