import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models.agency import Agency
from agencies.models.request import AccessRequest
from agencies.models.transitions import Transition
from agencies.scopes import ScopeListField, scope_labels
from agencies.uploads import mou_scan_upload_to, validate_official_document


class MouBasis(models.TextChoices):
    THIS_ORDER = "this_order", _("This order (e-services portal)")
    CIRCULAR_1 = "circular_1", _("Circular No. 1 (registration and individual accounts)")


class MouStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")
    SUPERSEDED = "superseded", _("Superseded by a newer MoU")


# An agency has at most one MoU in these states (a constraint says so): the one that grants its
# access, or would again once reinstated. A newer MoU supersedes it explicitly.
OPEN_MOU_STATUSES = (MouStatus.ACTIVE, MouStatus.SUSPENDED)

MOU_TRANSITIONS: dict[str, Transition] = {
    "suspend": Transition(
        frozenset({MouStatus.ACTIVE}),
        MouStatus.SUSPENDED,
        _("Only an active MoU can be suspended."),
    ),
    "reinstate": Transition(
        frozenset({MouStatus.SUSPENDED}),
        MouStatus.ACTIVE,
        _("Only a suspended MoU can be reinstated."),
    ),
    "end": Transition(
        frozenset({MouStatus.ACTIVE, MouStatus.SUSPENDED}),
        MouStatus.ENDED,
        _("This MoU has already ended."),
    ),
    # Only `record_mou` takes it, when the committee records the agency's newer MoU.
    "supersede": Transition(
        frozenset({MouStatus.ACTIVE, MouStatus.SUSPENDED}),
        MouStatus.SUPERSEDED,
        _("Only an MoU in force or suspended can be superseded."),
    ),
}


def mou_in_force_on(day: datetime.date, prefix: str = "") -> models.Q:
    """The condition "this MoU is in force on `day`", for MoUs reached through `prefix`
    (e.g. "agency__mous__" from a membership). The one place that says what "in force" means."""
    return models.Q(
        (f"{prefix}status", MouStatus.ACTIVE),
        (f"{prefix}valid_from__lte", day),
    ) & (
        models.Q((f"{prefix}valid_until__isnull", True))
        | models.Q((f"{prefix}valid_until__gte", day))
    )


class MouQuerySet(models.QuerySet["Mou"]):
    def in_force_on(self, day: datetime.date) -> "MouQuerySet":
        return self.filter(mou_in_force_on(day))

    def with_in_force_on(self, day: datetime.date) -> "MouQuerySet":
        """Each MoU with `in_force`: whether it is in force on `day` (one query for a list)."""
        return self.annotate(
            in_force=models.ExpressionWrapper(
                mou_in_force_on(day), output_field=models.BooleanField()
            )
        )


class Mou(models.Model):
    """A memorandum of understanding: the basis of an agency's access while it is in force.

    Its status changes only through `agencies.services` (suspend, reinstate, end), along
    `MOU_TRANSITIONS`, each writing an `MouEvent`. An MoU past `valid_until` is simply not in
    force on later days (`mou_in_force_on`).
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="mous", verbose_name=_("agency")
    )
    access_request = models.OneToOneField(
        AccessRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mou",
        verbose_name=_("access request"),
        help_text=_("Empty for MoUs signed under circular No. 1 before this portal."),
    )
    number = models.CharField(_("MoU number"), max_length=50, unique=True)
    signed_on = models.DateField(_("signing date"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty if open-ended.")
    )
    signed_by_insurance_deputy = models.CharField(_("insurance deputy"), max_length=150)
    signed_by_pensions_manager = models.CharField(_("general manager of pensions"), max_length=150)
    signed_by_registration_manager = models.CharField(
        _("general manager of registration and individual accounts"), max_length=150
    )
    scopes = ScopeListField(_("granted scopes"))
    scan = models.FileField(
        _("scanned MoU"),
        upload_to=mou_scan_upload_to,
        validators=[validate_official_document],
        blank=True,
    )
    basis = models.CharField(
        _("basis"), max_length=20, choices=MouBasis.choices, default=MouBasis.THIS_ORDER
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MouStatus.choices, default=MouStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes the MoU"),
        help_text=_(
            "The agency's earlier MoU, which stopped granting access when this one was recorded."
        ),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    it_notified_at = models.DateTimeField(_("IT notified at"), null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(_("expiry reminder sent at"), null=True, blank=True)
    it_actioned_at = models.DateTimeField(_("actioned by IT at"), null=True, blank=True)
    it_actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actioned by"),
    )

    objects = MouQuerySet.as_manager()

    class Meta:
        verbose_name = _("MoU")
        verbose_name_plural = _("MoUs")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="mou_valid_until_after_valid_from",
            ),
            # Two MoUs in force at once made the panel pick one silently, and ending one left
            # access open through the other.
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(status__in=OPEN_MOU_STATUSES),
                name="mou_one_open_per_agency",
                violation_error_message=_(
                    "This agency already has an MoU in force or suspended; a new one must "
                    "supersede it."
                ),
            ),
        ]

    def __str__(self) -> str:
        # The number is a code: left-to-right and whole inside Persian titles and options.
        return f"\u2066{self.number}\u2069 — {self.agency}"

    def clean(self) -> None:
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError(
                {"valid_until": _("The end of validity cannot be before its start.")}
            )
        access_request = self.access_request if self.access_request_id else None
        if (
            access_request is not None
            and self.scopes
            and not set(self.scopes) <= set(access_request.scopes)
        ):
            raise ValidationError(
                {"scopes": _("An MoU cannot grant scopes that the agency did not ask for.")}
            )

    @property
    def scope_labels(self) -> list[str]:
        return scope_labels(self.scopes)

    def refusal(self, action: str) -> str | None:
        """Why `action` cannot be taken now, or None if it can."""
        transition = MOU_TRANSITIONS[action]
        return None if self.status in transition.sources else str(transition.refusal)

    def allows(self, action: str) -> bool:
        return self.refusal(action) is None

    def is_active_on(self, day: datetime.date) -> bool:
        return Mou.objects.in_force_on(day).filter(pk=self.pk).exists()

    def expected_monthly_volume(self) -> int | None:
        """The inquiries a month its access request expected (None without a request: circular
        No. 1). The statements that read the MoU on every panel request and API call give it
        with the MoU (`with_expected_monthly_volume`), so a lookup's daily limit costs no query."""
        if EXPECTED_VOLUME in self.__dict__:
            return self.__dict__[EXPECTED_VOLUME]
        if self.access_request_id is None:
            return None
        return (
            AccessRequest.objects.filter(pk=self.access_request_id)
            .values_list("monthly_volume", flat=True)
            .first()
        )

    def with_expected_monthly_volume(self, volume: int | None) -> "Mou":
        """This MoU, knowing its request's volume as read with it (as `.annotate()` would)."""
        self.__dict__[EXPECTED_VOLUME] = volume
        return self


EXPECTED_VOLUME = "_expected_monthly_volume"


class MouAction(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    SUSPENDED = "suspended", _("Suspended")
    REINSTATED = "reinstated", _("Reinstated")
    ENDED = "ended", _("Ended")
    SUPERSEDED = "superseded", _("Superseded by a newer MoU")
    IT_ACTIONED = "it_actioned", _("Actioned by IT")


class MouEvent(models.Model):
    """One change to an MoU: who, when, why. Append-only."""

    mou = models.ForeignKey(
        Mou, on_delete=models.PROTECT, related_name="events", verbose_name=_("MoU")
    )
    action = models.CharField(_("action"), max_length=20, choices=MouAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    reasons = models.TextField(_("reasons"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("MoU event")
        verbose_name_plural = _("MoU events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"\u2066{self.mou.number}\u2069: {self.get_action_display()}"
