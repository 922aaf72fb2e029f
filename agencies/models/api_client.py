"""An agency's own system that calls the portal's API under the agency's MoU (issue 15).

The client is an agency matter, like a membership: the agency admin asks for it on the panel,
the committee or an operator approves it in the admin, the agency admin issues and rotates its
secret. Only `agencies.services.api_clients` changes it, each change writing an `ApiClientEvent`.
The tokens it obtains live in the `api` app.
"""

import hashlib
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models.agency import Agency
from agencies.models.mou import Mou
from agencies.models.transitions import Transition
from agencies.scopes import ScopeListField, scope_labels


class ApiClientStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


API_CLIENT_TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(
        frozenset({ApiClientStatus.REQUESTED}),
        ApiClientStatus.ACTIVE,
        _("Only a client waiting for approval can be approved."),
    ),
    "reject": Transition(
        frozenset({ApiClientStatus.REQUESTED}),
        ApiClientStatus.REJECTED,
        _("Only a client waiting for approval can be rejected."),
    ),
    "revoke": Transition(
        frozenset({ApiClientStatus.ACTIVE}),
        ApiClientStatus.REVOKED,
        _("Only an active client can be revoked."),
    ),
}


def new_client_id() -> str:
    return "cl_" + secrets.token_urlsafe(16)


def secret_digest(secret: str) -> str:
    """A client secret is 32 random bytes: a plain SHA-256 is enough to store it (no guessing
    can reach it), and fast enough to check on every token request."""
    return hashlib.sha256(secret.encode()).hexdigest()


def validate_addresses(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one address or network."), code="no_addresses")
    for item in value:
        try:
            ipaddress.ip_network(str(item), strict=False)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not an IP address or network (CIDR)."),
                code="bad_address",
                params={"value": item},
            ) from None


class ApiClient(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("agency")
    )
    mou = models.ForeignKey(
        Mou, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("MoU")
    )
    name = models.CharField(_("system name"), max_length=150)
    client_id = models.CharField(
        _("client ID"), max_length=40, unique=True, default=new_client_id, editable=False
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible staff member"),
    )
    scopes = ScopeListField(_("scopes"))
    allowed_addresses = models.JSONField(
        _("allowed addresses"), default=list, validators=[validate_addresses]
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApiClientStatus.choices,
        default=ApiClientStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # RFC 8705: when set, tokens go only to calls that present this certificate through the
    # trusted TLS proxy, and are honoured only with it (agencies/client_certificates.py).
    cert_thumbprint = models.CharField(
        _("certificate thumbprint (SHA-256)"), max_length=43, blank=True, default=""
    )
    cert_subject = models.CharField(_("certificate subject"), max_length=500, blank=True)
    cert_not_valid_after = models.DateTimeField(_("certificate valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_labels(self) -> list[str]:
        return scope_labels(self.scopes)

    def refusal(self, action: str) -> str | None:
        transition = API_CLIENT_TRANSITIONS[action]
        return None if self.status in transition.sources else str(transition.refusal)

    def allows(self, action: str) -> bool:
        return self.refusal(action) is None

    @property
    def is_certificate_bound(self) -> bool:
        return bool(self.cert_thumbprint)

    def allows_address(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(
            ip in ipaddress.ip_network(str(network), strict=False)
            for network in self.allowed_addresses
        )


class ApiClientSecret(models.Model):
    """One secret of a client, stored as its digest. A rotation gives the previous secret a
    short overlap (`valid_until`) so the agency can switch its system without downtime."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="secrets", verbose_name=_("client")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    valid_until = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("client secret")
        verbose_name_plural = _("client secrets")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.created_at:%Y-%m-%d}"


class ApiClientAction(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")
    SECRET_ISSUED = "secret_issued", _("Secret issued")
    SECRET_ROTATED = "secret_rotated", _("Secret rotated")
    CERTIFICATE_BOUND = "certificate_bound", _("Certificate bound")


class ApiClientEvent(models.Model):
    """One change to a client: who, when, why. Append-only."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="events", verbose_name=_("client")
    )
    action = models.CharField(_("action"), max_length=20, choices=ApiClientAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    reasons = models.TextField(_("reasons"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client event")
        verbose_name_plural = _("API client events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.get_action_display()}"
