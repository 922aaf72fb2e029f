"""What a worker does for `documents.tasks.render_certificate`: claim, render, store, or fail."""

import datetime
import enum
import hashlib
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from documents import signing
from documents.models import Certificate, InboxNotice
from portal import metrics


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
    """Render the certificate's PDF, sign it (documents/signing.py), store it and its SHA-256,
    and mark it ready.

    Safe to run twice or in parallel: only the holder of the claim may finish, and the one file
    a certificate keeps is replaced, never added to. On an error the claim is given back
    (pending) so that a retry can take it; `mark_rendering_failed` ends the attempts.
    """
    # WeasyPrint is heavy to import: only the processes that render load it.
    from documents import pdf as certificate_pdf

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

    # The PDF reads the snapshot and the addressee's name; the holder's row it never needs.
    certificate = Certificate.objects.select_related("addressed_to").get(pk=certificate_id)
    started = time.perf_counter()
    new_name = ""
    try:
        pdf = signing.sign_certificate_pdf(
            certificate_pdf.render_certificate_pdf(certificate), number=certificate.number
        )
        # A name per claim: a slow worker that lost its claim never overwrites the winner's file.
        new_name = default_storage.save(
            f"certificates/{certificate.number}-{claim.hex[:12]}.pdf", ContentFile(pdf)
        )
        # One statement, atomic by itself: no BEGIN and COMMIT round trips around it.
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
    metrics.observe_render(seconds=time.perf_counter() - started)
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
