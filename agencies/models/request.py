from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models.agency import Agency, AgencyKind
from agencies.scopes import ScopeListField, scope_labels
from agencies.uploads import letter_upload_to, validate_official_document
from portal.validators import validate_legal_id


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for more information")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AccessRequest(models.Model):
    """An agency's application for access, and its way through the data-protection committee.

    The status changes only in `agencies.services` (one function per transition).
    """

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agency_requests",
        verbose_name=_("applicant"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("agency"),
        help_text=_("Set when the request is approved."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED,
        db_index=True,
    )
    # The agency as the applicant declares it.
    agency_name = models.CharField(_("agency name"), max_length=200)
    agency_kind = models.CharField(_("kind of agency"), max_length=20, choices=AgencyKind.choices)
    legal_id = models.CharField(
        _("legal-entity national ID"), max_length=11, validators=[validate_legal_id]
    )
    address = models.TextField(_("address"))
    letter_number = models.CharField(_("official letter number"), max_length=50)
    letter_date = models.DateField(_("official letter date"))
    letter = models.FileField(
        _("official letter"),
        upload_to=letter_upload_to,
        validators=[validate_official_document],
        help_text=_("The signed letter, as PDF, JPEG or PNG."),
    )
    purpose = models.TextField(_("purpose of the inquiries"))
    legal_basis = models.TextField(_("legal basis"))
    scopes = ScopeListField(_("data asked for"))
    monthly_volume = models.PositiveIntegerField(_("expected inquiries a month"))
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_position = models.CharField(_("contact person's position"), max_length=150)
    contact_mobile = models.CharField(_("contact mobile"), max_length=13)
    contact_email = models.EmailField(_("contact email"))

    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agency access request")
        verbose_name_plural = _("agency access requests")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.agency_name} ({self.get_status_display()})"

    @property
    def is_awaiting_committee(self) -> bool:
        return self.status in {
            RequestStatus.SUBMITTED,
            RequestStatus.RESUBMITTED,
            RequestStatus.IN_REVIEW,
        }

    @property
    def can_be_resubmitted(self) -> bool:
        return self.status == RequestStatus.RETURNED

    @property
    def scope_labels(self) -> list[str]:
        return scope_labels(self.scopes)

    @property
    def current_decision(self) -> "Decision | None":
        return self.decisions.order_by("-decided_at", "-pk").first()


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for more information")
    REOPENED = "reopened", _("Reopened for review")


class Decision(models.Model):
    """A committee decision on a request: written once, never edited or deleted.

    A later decision supersedes an earlier one; both stay in the history.
    """

    request = models.ForeignKey(
        AccessRequest,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("request"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=DecisionOutcome.choices)
    reasons = models.TextField(_("reasons"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agency_decisions",
        verbose_name=_("reviewer"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )

    class Meta:
        verbose_name = _("committee decision")
        verbose_name_plural = _("committee decisions")
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} — {self.request.agency_name}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("A committee decision cannot be changed once recorded."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A committee decision cannot be deleted."))
