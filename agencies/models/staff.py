import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models.agency import Agency
from portal.digits import local_digits
from portal.validators import validate_national_code


class MembershipRole(models.TextChoices):
    STAFF = "staff", _("Staff member")
    ADMIN = "admin", _("Agency admin")


class StaffListStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for IT")
    GRANTED = "granted", _("Access granted")


class NameCheck(models.TextChoices):
    """How the names typed into a staff list compare with the coverage registry's."""

    UNCHECKED = "", _("Not compared")
    MATCH = "match", _("Matches the registry")
    DIFFERS = "differs", _("Differs from the registry")
    NOT_IN_REGISTRY = "not_in_registry", _("Not in the registry")


class RowOutcome(models.TextChoices):
    """What granting did with a row; the operator reads why someone was not invited."""

    WAITING = "", _("Waiting for IT")
    INVITED = "invited", _("Invited by SMS to the mobile the identity service confirmed")
    AWAITING_ACCEPTANCE = (
        "awaiting_acceptance",
        _("Has an account: asked to accept from it (nothing on the account was changed)"),
    )
    ALREADY_MEMBER = "already_member", _("Already a member")
    MOBILE_NOT_CONFIRMED = (
        "mobile_not_confirmed",
        _(
            "Not invited: the identity service says the mobile is not registered to this national "
            "code"
        ),
    )
    IDENTITY_PENDING = (
        "identity_pending",
        _("Pending: the identity service did not answer; it is asked again every 15 minutes"),
    )
    MOBILE_IN_USE = (
        "mobile_in_use",
        _("Not invited: another account holds this mobile; follow up by hand"),
    )


class StaffList(models.Model):
    """Staff an agency admin asks access for; an operator grants it."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="staff_lists", verbose_name=_("agency")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=StaffListStatus.choices,
        default=StaffListStatus.SUBMITTED,
        db_index=True,
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    it_notified_at = models.DateTimeField(_("IT notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff list")
        verbose_name_plural = _("staff lists")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"#{local_digits(str(self.pk))} — {self.agency}"


class StaffListRow(models.Model):
    staff_list = models.ForeignKey(
        StaffList, on_delete=models.CASCADE, related_name="rows", verbose_name=_("staff list")
    )
    national_code = models.CharField(
        _("national code"), max_length=10, validators=[validate_national_code]
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    position = models.CharField(_("position"), max_length=150)
    mobile = models.CharField(_("mobile number"), max_length=13)
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF
    )
    membership = models.ForeignKey(
        "Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("membership"),
    )
    name_check = models.CharField(
        _("names against the registry"),
        max_length=20,
        choices=NameCheck.choices,
        default=NameCheck.UNCHECKED,
        blank=True,
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=30,
        choices=RowOutcome.choices,
        default=RowOutcome.WAITING,
        blank=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("staff list row")
        verbose_name_plural = _("staff list rows")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_list", "national_code"], name="staff_list_row_unique_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} (\u2066{self.national_code}\u2069)"


class Membership(models.Model):
    """A person's access to their agency's panel. Removed memberships stay, inactive."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agency_memberships",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency")
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removal_reasons = models.TextField(_("reasons for removal"), blank=True)
    # A staff list is someone else asking for this person, so its grant leaves this empty and
    # the panel stays closed until the person accepts (`accept_membership`, or the invitation
    # link sent to their confirmed mobile). Memberships made any other way (the applicant's own
    # when an MoU is recorded) are accepted when made.
    accepted_at = models.DateTimeField(
        _("accepted by the person at"), null=True, blank=True, default=timezone.now
    )

    class Meta:
        verbose_name = _("agency membership")
        verbose_name_plural = _("agency memberships")
        ordering = ["agency", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_unique_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"


class RemovalRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for IT")
    DONE = "done", _("Access removed")


class RemovalRequest(models.Model):
    """An agency admin's request that a staff member's access be removed."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="removal_requests",
        verbose_name=_("membership"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    reasons = models.TextField(_("reasons"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RemovalRequestStatus.choices,
        default=RemovalRequestStatus.PENDING,
        db_index=True,
    )

    class Meta:
        verbose_name = _("access removal request")
        verbose_name_plural = _("access removal requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return str(self.membership)


class Invitation(models.Model):
    """A single-use, expiring link to set a password. Only the token's SHA-256 is stored.

    The token is made when the invitation is sent (by a task), so it never passes the broker.
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The mobile the link was texted to: using the link proves that mobile, no other.
    sent_to = models.CharField(max_length=13, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.membership)

    @staticmethod
    def digest(token: str) -> str:
        """What is stored of a token: its SHA-256, so the table alone opens no link."""
        return hashlib.sha256(token.encode()).hexdigest()

    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and timezone.now() < self.expires_at
