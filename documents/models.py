"""Certificates of insurance status, the personal inbox and access codes.

A certificate freezes a person's status at the moment it is issued (`snapshot`); its PDF is
rendered afterwards by a Celery task (`documents.tasks.render_certificate`). Moving it to the
person's inbox gives it an access code, which an agency uses to open it.

State changes live in `documents.services`; the models hold data, invariants and read-only
answers (is this certificate valid now?).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.identifiers import format_certificate_number


class Validity(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    class Rendering(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        RENDERING = "rendering", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    number = models.CharField(_("certificate number"), max_length=12, unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The agency the holder addressed it to: printed on it, and the suggested binding of its code.
    addressed_to = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("addressed to"),
    )
    # The holder's identity and status as they were at `issued_at` (documents/snapshot.py).
    snapshot = models.JSONField(_("status at issue"))
    issued_at = models.DateTimeField(_("issued at"))
    valid_until = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Set by the housekeeping task once `valid_until` has passed; validity itself reads the clock.
    expired_at = models.DateTimeField(_("marked expired at"), null=True, blank=True)
    # When the holder moved it to the personal inbox (which gave it an access code).
    inboxed_at = models.DateTimeField(_("moved to the inbox at"), null=True, blank=True)
    # The one-time token of the form that issued it: the same form sent again (a double click,
    # a reload, parallel requests) finds this certificate instead of making another.
    submission = models.CharField(max_length=64, blank=True, editable=False)

    rendering_status = models.CharField(
        _("PDF"), max_length=10, choices=Rendering.choices, default=Rendering.PENDING
    )
    # Who holds the current rendering claim; a worker's result counts only under its own claim.
    rendering_claim = models.UUIDField(null=True, blank=True, editable=False)
    rendering_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    rendering_attempts = models.PositiveSmallIntegerField(_("rendering attempts"), default=0)
    rendering_error = models.TextField(_("rendering error"), blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    pdf_deleted_at = models.DateTimeField(_("PDF deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["holder", "-issued_at"], name="certificate_holder_issued"),
            models.Index(
                fields=["rendering_status", "rendering_started_at"],
                name="certificate_rendering",
                condition=~Q(rendering_status="ready"),
            ),
            models.Index(fields=["valid_until"], name="certificate_valid_until"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("issued_at")),
                name="certificate_valid_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(rendering_status__in=["pending", "rendering", "ready", "failed"]),
                name="certificate_rendering_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(rendering_status="ready") | ~Q(pdf_sha256=""),
                name="certificate_ready_has_hash",
            ),
            models.UniqueConstraint(
                fields=["holder", "submission"],
                condition=~Q(submission=""),
                name="certificate_one_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return self.formatted_number

    @property
    def formatted_number(self) -> str:
        return format_certificate_number(self.number)

    def validity(self, now: datetime.datetime | None = None) -> Validity:
        if self.revoked_at is not None:
            return Validity.REVOKED
        if self.valid_until <= (now or timezone.now()):
            return Validity.EXPIRED
        return Validity.VALID

    @property
    def is_valid(self) -> bool:
        return self.validity() == Validity.VALID

    @property
    def is_being_prepared(self) -> bool:
        return self.rendering_status in {self.Rendering.PENDING, self.Rendering.RENDERING}

    @property
    def has_pdf(self) -> bool:
        return self.rendering_status == self.Rendering.READY and bool(self.pdf)

    @property
    def holder_name(self) -> str:
        return f"{self.snapshot.get('first_name', '')} {self.snapshot.get('last_name', '')}".strip()

    @property
    def holder_national_code(self) -> str:
        return str(self.snapshot.get("national_code", ""))

    def download_name(self) -> str:
        return f"certificate-{self.number}.pdf"


class AccessCode(models.Model):
    """The secret an agency needs to open a certificate, stored only as a keyed hash."""

    class EndReason(models.TextChoices):
        REVOKED = "revoked", _("Revoked")
        REPLACED = "replaced", _("Replaced")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")

    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.CASCADE,
        related_name="access_codes",
        verbose_name=_("certificate"),
    )
    code_digest = models.CharField(_("code hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"))
    max_uses = models.PositiveSmallIntegerField(_("allowed uses"))
    uses = models.PositiveSmallIntegerField(_("uses"), default=0)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    end_reason = models.CharField(
        _("why it ended"), max_length=24, choices=EndReason.choices, blank=True
    )
    expired_at = models.DateTimeField(_("marked expired at"), null=True, blank=True)
    expiry_notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When set, only this agency's staff can redeem the code.
    bound_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bound to agency"),
    )

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one code of a certificate is live; replacing one revokes it first.
            models.UniqueConstraint(
                fields=["certificate"],
                condition=Q(revoked_at__isnull=True),
                name="access_code_one_live_per_certificate",
            ),
            models.CheckConstraint(
                condition=Q(uses__lte=models.F("max_uses")), name="access_code_uses_within_limit"
            ),
            models.CheckConstraint(
                condition=Q(max_uses__gte=1, max_uses__lte=10), name="access_code_max_uses_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} ({self.created_at:%Y-%m-%d})"

    @property
    def uses_left(self) -> int:
        return max(self.max_uses - self.uses, 0)

    def state(self, now: datetime.datetime | None = None) -> str:
        """One word for the inbox: active, revoked, replaced, expired or used up."""
        if self.revoked_at is not None:
            return self.end_reason or "revoked"
        if self.valid_until <= (now or timezone.now()):
            return "expired"
        if self.uses >= self.max_uses:
            return "used_up"
        return "active"

    @property
    def is_active(self) -> bool:
        return self.state() == "active"


class InboxNotice(models.Model):
    """A line in the holder's inbox: something happened to one of their certificates.

    The text is chosen at display time from `kind`, so it reads in the reader's language.
    """

    class Kind(models.TextChoices):
        CODE_ISSUED = "code_issued", _("Access code created")
        CODE_REVOKED = "code_revoked", _("Access code revoked")
        CODE_EXPIRING = "code_expiring", _("Access code about to expire")
        REDEEMED = "redeemed", _("Certificate opened by an agency")
        FAILED_ATTEMPT = "failed_attempt", _("Failed attempt with your national code")
        RENDERING_FAILED = "rendering_failed", _("Certificate could not be prepared")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inbox_notices",
        verbose_name=_("recipient"),
    )
    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("certificate"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Names shown in the text (an agency's name); never a code or another person's data.
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox notice")
        verbose_name_plural = _("inbox notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"],
                name="inbox_notice_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="inbox_notice_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


class Redemption(models.Model):
    """An agency opened a certificate with its access code: one use of the code.

    Written by `documents.redemptions.redeem_access_code` together with the disclosure record and
    the holder's notice. It is also the staff member's short-lived permission to see the
    document and download its PDF (`pdf_available_until`).
    """

    access_code = models.ForeignKey(
        AccessCode,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("access code"),
    )
    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("certificate"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    mou = models.ForeignKey(
        "agencies.Mou", on_delete=models.PROTECT, related_name="+", verbose_name=_("MoU")
    )
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    disclosure = models.OneToOneField(
        "inquiries.DisclosureRecord",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("disclosure record"),
    )
    redeemed_at = models.DateTimeField(_("redeemed at"))
    pdf_available_until = models.DateTimeField(_("document available to the agency until"))

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-redeemed_at", "-id"]
        indexes = [
            models.Index(fields=["certificate", "-redeemed_at"], name="redemption_certificate"),
            models.Index(fields=["agency", "-redeemed_at"], name="redemption_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} → {self.agency_id} ({self.redeemed_at:%Y-%m-%d %H:%M})"

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        """May the redeeming staff member still see the document and download its PDF?"""
        return (now or timezone.now()) < self.pdf_available_until and self.certificate.is_valid
