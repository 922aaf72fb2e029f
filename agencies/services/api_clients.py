"""API clients: asked for by the agency admin, approved or rejected by the committee or an
operator, their secrets issued and rotated by the agency admin, revoked by either side.

Every action writes an `ApiClientEvent` in its transaction. A secret is returned once, to be
shown once; only its digest is kept.
"""

import datetime
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from agencies import outbox
from agencies.client_certificates import ClientCertificate
from agencies.models import (
    ApiClient,
    ApiClientAction,
    ApiClientEvent,
    ApiClientSecret,
    ApiClientStatus,
    Membership,
    Mou,
)
from agencies.models.api_client import secret_digest, validate_addresses
from agencies.services.common import TransitionError, require_agency_admin


def _require_allowed(client: ApiClient, action: str) -> None:
    if refusal := client.refusal(action):
        raise TransitionError(refusal)


def _require_committee_or_operator(user: User) -> None:
    if not (user.is_committee_reviewer or user.is_operator):
        raise PermissionDenied(_("Only the committee or IT operators may do this."))


def _locked(client: ApiClient) -> ApiClient:
    return ApiClient.objects.select_for_update().get(pk=client.pk)


def _event(client: ApiClient, action: ApiClientAction, actor: User, reasons: str = "") -> None:
    ApiClientEvent.objects.create(client=client, action=action, actor=actor, reasons=reasons)


_DECISION_SUBJECTS = {
    ApiClientAction.APPROVED: gettext_noop("Your agency's system was approved"),
    ApiClientAction.REJECTED: gettext_noop("Your agency's system was not approved"),
    ApiClientAction.REVOKED: gettext_noop("Your agency's system was revoked"),
}


def _tell_the_agency(client: ApiClient, action: ApiClientAction, reasons: str) -> None:
    """The admin who asked for the client hears of the committee's or IT's decision (by SMS and
    email too), with a link to the panel's page of the agency's systems."""
    outbox.post_notice(
        recipient=client.requested_by,
        api_client=client,
        template="api_client_decision",
        subject=_DECISION_SUBJECTS[action],
        context={"client": client, "action": action, "reasons": reasons},
    )


@transaction.atomic
def request_api_client(
    *,
    mou: Mou,
    requested_by: User,
    name: str,
    responsible: User,
    scopes: Sequence[str],
    allowed_addresses: Sequence[str],
    certificate: ClientCertificate | None = None,
) -> ApiClient:
    """The agency admin asks for a client on the agency's MoU. Scopes must be the MoU's, and the
    responsible person an active member of the agency. With a certificate, the client is bound
    to it (RFC 8705) from its approval on."""
    require_agency_admin(requested_by, mou.agency)
    problems: dict[str, str] = {}
    if not scopes:
        problems["scopes"] = _("Choose at least one scope.")
    elif not set(scopes) <= set(mou.scopes):
        problems["scopes"] = _("A client cannot have scopes that the MoU does not grant.")
    if not Membership.objects.filter(
        user=responsible, agency_id=mou.agency_id, is_active=True, accepted_at__isnull=False
    ).exists():
        problems["responsible"] = _("The responsible person must be an active staff member.")
    try:
        validate_addresses(list(allowed_addresses))
    except ValidationError as error:
        problems["allowed_addresses"] = " ".join(error.messages)
    if problems:
        raise ValidationError(problems)
    client = ApiClient.objects.create(
        agency_id=mou.agency_id,
        mou=mou,
        name=name.strip(),
        responsible=responsible,
        scopes=[scope for scope in mou.scopes if scope in scopes],
        allowed_addresses=[str(address).strip() for address in allowed_addresses],
        requested_by=requested_by,
        **_certificate_fields(certificate),
    )
    _event(client, ApiClientAction.REQUESTED, requested_by, _certificate_note(certificate))
    return client


def _certificate_fields(certificate: ClientCertificate | None) -> dict[str, object]:
    if certificate is None:
        return {}
    return {
        "cert_thumbprint": certificate.thumbprint,
        "cert_subject": certificate.subject,
        "cert_not_valid_after": certificate.not_valid_after,
    }


def _certificate_note(certificate: ClientCertificate | None) -> str:
    if certificate is None:
        return ""
    return f"x5t#S256={certificate.thumbprint} subject={certificate.subject}"


@transaction.atomic
def bind_api_client_certificate(
    *, client: ApiClient, actor: User, certificate: ClientCertificate
) -> ApiClient:
    """The agency admin binds a client waiting for approval or active to a certificate, or
    replaces its certificate (before it expires, say). Binding only narrows who may use the
    client, so it needs no approval; the audit row names the certificate. From the next call on,
    tokens issued under another certificate, or under none, are refused. A binding is never
    removed here: a system that must go without one asks for a new client."""
    require_agency_admin(actor, client.agency)
    client = _locked(client)
    if client.status not in (ApiClientStatus.REQUESTED, ApiClientStatus.ACTIVE):
        raise TransitionError(_("Only a client waiting for approval or active can be bound."))
    for name, value in _certificate_fields(certificate).items():
        setattr(client, name, value)
    client.save(update_fields=["cert_thumbprint", "cert_subject", "cert_not_valid_after"])
    _event(client, ApiClientAction.CERTIFICATE_BOUND, actor, _certificate_note(certificate))
    return client


@transaction.atomic
def approve_api_client(*, client: ApiClient, actor: User, reasons: str = "") -> ApiClient:
    """The committee or an operator approves the client; the agency admin can then issue its
    secret on the panel."""
    _require_committee_or_operator(actor)
    client = _locked(client)
    _require_allowed(client, "approve")
    client.status = ApiClientStatus.ACTIVE
    client.save(update_fields=["status"])
    _event(client, ApiClientAction.APPROVED, actor, reasons)
    _tell_the_agency(client, ApiClientAction.APPROVED, reasons)
    return client


@transaction.atomic
def reject_api_client(*, client: ApiClient, actor: User, reasons: str) -> ApiClient:
    _require_committee_or_operator(actor)
    client = _locked(client)
    _require_allowed(client, "reject")
    client.status = ApiClientStatus.REJECTED
    client.save(update_fields=["status"])
    _event(client, ApiClientAction.REJECTED, actor, reasons)
    _tell_the_agency(client, ApiClientAction.REJECTED, reasons)
    return client


@transaction.atomic
def revoke_api_client(*, client: ApiClient, actor: User, reasons: str) -> ApiClient:
    """Revoke the client for good: its tokens are refused from the next call on. The agency's
    admin, the committee or an operator may."""
    if not (actor.is_committee_reviewer or actor.is_operator):
        require_agency_admin(actor, client.agency)
    client = _locked(client)
    _require_allowed(client, "revoke")
    client.status = ApiClientStatus.REVOKED
    client.save(update_fields=["status"])
    now = timezone.now()
    client.secrets.filter(revoked_at__isnull=True).update(revoked_at=now)
    _event(client, ApiClientAction.REVOKED, actor, reasons)
    if actor.is_committee_reviewer or actor.is_operator:
        _tell_the_agency(client, ApiClientAction.REVOKED, reasons)
    return client


def secret_expiry(client: ApiClient, now: datetime.datetime) -> datetime.datetime:
    """A secret lasts API_SECRET_DAYS, and never past the end of the MoU's last day."""
    until = now + datetime.timedelta(days=settings.API_SECRET_DAYS)
    if client.mou.valid_until is not None:
        end_of_mou = timezone.make_aware(
            datetime.datetime.combine(
                client.mou.valid_until + datetime.timedelta(days=1), datetime.time.min
            )
        )
        until = min(until, end_of_mou)
    return until


@transaction.atomic
def issue_api_client_secret(*, client: ApiClient, actor: User) -> str:
    """A new secret for an active client, returned once. Secrets still valid keep at most
    API_SECRET_ROTATION_OVERLAP_MINUTES more, so the agency's system can switch over."""
    require_agency_admin(actor, client.agency)
    client = _locked(client)
    if client.status != ApiClientStatus.ACTIVE:
        raise TransitionError(_("Only an active client can get a secret."))
    now = timezone.now()
    overlap_end = now + datetime.timedelta(minutes=settings.API_SECRET_ROTATION_OVERLAP_MINUTES)
    current = client.secrets.filter(revoked_at__isnull=True, valid_until__gt=now)
    rotated = False
    for old in current:
        rotated = True
        if old.valid_until > overlap_end:
            old.valid_until = overlap_end
            old.save(update_fields=["valid_until"])
    secret = secrets.token_urlsafe(32)
    ApiClientSecret.objects.create(
        client=client,
        digest=secret_digest(secret),
        created_at=now,
        valid_until=secret_expiry(client, now),
    )
    _event(
        client,
        ApiClientAction.SECRET_ROTATED if rotated else ApiClientAction.SECRET_ISSUED,
        actor,
    )
    return secret
