from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models.agency import Agency, AgencyKind
from agencies.models.transitions import Transition
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


S = RequestStatus
REQUEST_TRANSITIONS: dict[str, Transition] = {
    "resubmit": Transition(
        frozenset({S.RETURNED}),
        S.RESUBMITTED,
        _("Only a request returned for more information can be resubmitted."),
    ),
    "start_review": Transition(
        frozenset({S.SUBMITTED, S.RESUBMITTED}),
        S.IN_REVIEW,
        _("Only a submitted or resubmitted request can be taken into review."),
    ),
    "approve": Transition(
        frozenset({S.IN_REVIEW}), S.APPROVED, _("Only a request in review can be approved.")
    ),
    "reject": Transition(
        frozenset({S.IN_REVIEW}), S.REJECTED, _("Only a request in review can be rejected.")
    ),
    "return": Transition(
        frozenset({S.IN_REVIEW}), S.RETURNED, _("Only a request in review can be returned.")
    ),
    "reopen": Transition(
        frozenset({S.APPROVED, S.REJECTED}),
        S.IN_REVIEW,
        _("Only an approved or rejected request can be reopened."),
    ),
}
del S

# At most one application per legal ID is with the committee or the applicant at a time (a
# constraint says so); an approved one still waiting for its MoU counts too (`open_application`).
OPEN_REQUEST_STATUSES = (
    RequestStatus.SUBMITTED,
    RequestStatus.IN_REVIEW,
    RequestStatus.RETURNED,
    RequestStatus.RESUBMITTED,
)
# Approved, and waiting for its MoU to be recorded.
AWAITING_MOU = models.Q(status=RequestStatus.APPROVED, mou__isnull=True)


class AccessRequest(models.Model):
    """An agency's application for access, and its way through the data-protection committee.

    The status changes only in `agencies.services` (one function per transition), along
    `REQUEST_TRANSITIONS`.
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
        constraints = [
            # A second identical application became a second MoU in force.
            models.UniqueConstraint(
                fields=["legal_id"],
                condition=models.Q(status__in=OPEN_REQUEST_STATUSES),
                name="access_request_one_open_per_legal_id",
                violation_error_message=_(
                    "An application for this legal-entity national ID is already open."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_name} ({self.get_status_display()})"

    @property
    def is_awaiting_committee(self) -> bool:
        return self.status in {
            RequestStatus.SUBMITTED,
            RequestStatus.RESUBMITTED,
            RequestStatus.IN_REVIEW,
        }

    def refusal(self, action: str) -> str | None:
        """Why `action` cannot be taken now, or None if it can."""
        transition = REQUEST_TRANSITIONS[action]
        if self.status not in transition.sources:
            return str(transition.refusal)
        if action == "reopen" and self.has_mou:
            return str(
                _("An MoU has been recorded for this request; suspend or end the MoU instead.")
            )
        return None

    def allows(self, action: str) -> bool:
        return self.refusal(action) is None

    @property
    def has_mou(self) -> bool:
        return hasattr(self, "mou")

    @property
    def is_awaiting_mou(self) -> bool:
        """In Python what `AWAITING_MOU` says in SQL."""
        return self.status == RequestStatus.APPROVED and not self.has_mou

    @property
    def can_be_resubmitted(self) -> bool:
        return self.allows("resubmit")

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


class RequestAction(models.TextChoices):
    REVIEW_STARTED = "review_started", _("Taken into review")
    RESUBMITTED = "resubmitted", _("Resubmitted by the applicant")


class RequestEvent(models.Model):
    """A step of a request that is not a committee decision: who took it and when. Append-only.

    A resubmission keeps, in `previous_details`, the details the committee had judged, so the
    corrected request does not overwrite what the return was about.
    """

    request = models.ForeignKey(
        AccessRequest, on_delete=models.PROTECT, related_name="events", verbose_name=_("request")
    )
    action = models.CharField(_("action"), max_length=20, choices=RequestAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    previous_details = models.JSONField(_("details before this step"), default=dict, blank=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request.agency_name}: {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("A request's history cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A request's history cannot be deleted."))
