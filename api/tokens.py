"""OAuth 2.0 client credentials (RFC 6749 §4.4) and bearer tokens (RFC 6750).

A token is only a handle on its client: `caller_for_token` checks, on every call and in one
query, that the token is unexpired, its client active, the secret that got it unexpired and not
revoked, the responsible person's account active and the MoU in force today. Suspending the MoU
or revoking the client therefore refuses the very next call.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import ApiClient, ApiClientSecret, ApiClientStatus, Mou, mou_in_force_on
from agencies.models.api_client import secret_digest
from api.models import AccessToken, token_digest
from api.problems import Problem
from portal import throttle


@dataclass(frozen=True)
class Caller:
    """Who is calling: the client, its MoU and its responsible staff member."""

    client: ApiClient
    token: AccessToken

    @property
    def mou(self) -> Mou:
        return self.client.mou

    @property
    def responsible(self) -> User:
        return self.client.responsible


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    scopes: list[str]


def _check_address(client: ApiClient, address: str) -> None:
    if not client.allows_address(address):
        raise Problem(
            "address-not-allowed",
            _("Calls for this client must come from the addresses its agency listed."),
        )


def issue_token(*, client_id: str, client_secret: str, address: str) -> IssuedToken:
    """A new bearer token for a client that proves its secret, from an allowed address, while
    the client is active and its MoU in force."""
    minute = int(timezone.now().timestamp()) // 60
    if not throttle.hit(
        # Hashed: a client ID is whatever the caller sent, and cache keys must stay plain.
        f"api-token:{hashlib.sha256(client_id.encode()).hexdigest()[:32]}:{minute}",
        limit=settings.API_TOKEN_REQUESTS_PER_MINUTE,
        window_seconds=120,
    ):
        raise Problem(
            "rate-limited",
            _("Too many token requests for this client; try again in a minute."),
            headers={"Retry-After": str(60 - int(timezone.now().timestamp()) % 60)},
        )
    today = timezone.localdate()
    now = timezone.now()
    client = ApiClient.objects.select_related("mou").filter(client_id=client_id).first()
    secret = _matching_secret(client, client_secret, now) if client is not None else None
    if client is None or secret is None:
        raise Problem(
            "invalid-client",
            _("The client ID or secret is wrong, or the secret has expired."),
            headers={"WWW-Authenticate": 'Basic realm="api"'},
            extra={"error": "invalid_client"},
        )
    _check_address(client, address)
    if (
        client.status != ApiClientStatus.ACTIVE
        or not Mou.objects.filter(mou_in_force_on(today), pk=client.mou_id).exists()
    ):
        raise Problem(
            "client-not-allowed",
            _("The client is not active, or its agency's MoU is not in force."),
            extra={"error": "unauthorized_client"},
        )
    token = secrets.token_urlsafe(32)
    lifetime = int(settings.API_TOKEN_SECONDS)
    AccessToken.objects.create(
        digest=token_digest(token),
        client=client,
        secret=secret,
        issued_at=now,
        expires_at=min(now + datetime.timedelta(seconds=lifetime), secret.valid_until),
        client_ip=address,
    )
    return IssuedToken(token=token, expires_in=lifetime, scopes=list(client.scopes))


def _matching_secret(
    client: ApiClient, offered: str, now: datetime.datetime
) -> ApiClientSecret | None:
    """The client's unexpired secret equal to `offered`, compared in constant time."""
    digest = secret_digest(offered)
    found = None
    for secret in ApiClientSecret.objects.filter(
        client=client, revoked_at__isnull=True, valid_until__gt=now
    ):
        if hmac.compare_digest(secret.digest, digest) and found is None:
            found = secret
    return found


def caller_for_token(*, token: str, address: str) -> Caller:
    """The caller behind a bearer token, or a `Problem` (401, or 403 for a wrong address)."""
    now = timezone.now()
    found = (
        AccessToken.objects.select_related("client__mou", "client__agency", "client__responsible")
        .filter(
            mou_in_force_on(timezone.localdate(), prefix="client__mou__"),
            digest=token_digest(token),
            expires_at__gt=now,
            client__status=ApiClientStatus.ACTIVE,
            client__responsible__is_active=True,
            secret__revoked_at__isnull=True,
            secret__valid_until__gt=now,
        )
        .first()
    )
    if found is None:
        raise Problem(
            "invalid-token",
            _(
                "The token has expired or was never issued, or its client, secret or MoU no "
                "longer allows calls. Ask for a new token."
            ),
            headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
        )
    _check_address(found.client, address)
    return Caller(client=found.client, token=found)
