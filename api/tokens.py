"""OAuth 2.0 client credentials (RFC 6749 §4.4) and bearer tokens (RFC 6750).

A token is only a handle on its client: `caller_for_token` checks, on every call and in one
statement (`token_in_force`), that the token is unexpired, its client active, the secret that
got it unexpired and not revoked, the responsible person's account active and the MoU in force
today. Suspending the MoU or revoking the client therefore refuses the very next call.

A client bound to a certificate (RFC 8705) gets a token only when the call presents that
certificate through the trusted proxy (`api.mtls`); the token records its thumbprint (`cnf`
`x5t#S256`) and every call with it must present the same certificate.
"""

import datetime
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import (
    AccessRequest,
    Agency,
    ApiClient,
    ApiClientSecret,
    ApiClientStatus,
    Mou,
    MouStatus,
    mou_in_force_on,
)
from agencies.models.api_client import secret_digest
from api.models import AccessToken, token_digest
from api.mtls import presented_thumbprint
from api.problems import Problem
from api.stats import CallTally
from portal import throttle
from portal.rows import first_read, instance_from_row, quoted_columns

_M = TypeVar("_M", bound=Model)

_INVALID_TOKEN_HEADERS = {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}


@dataclass(frozen=True)
class Caller:
    """Who is calling: the client, its MoU and its responsible staff member; and this call's
    place in the client's daily counts."""

    client: ApiClient
    token: AccessToken
    tally: CallTally

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


def _same_thumbprint(expected: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(expected, presented)


def issue_token(
    *, client_id: str, client_secret: str, address: str, certificate: str | None = None
) -> IssuedToken:
    """A new bearer token for a client that proves its secret (and, if bound, presents its
    `certificate`: the trusted proxy's header value), from an allowed address, while the client
    is active and its MoU in force."""
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
    if client.cert_thumbprint and not _same_thumbprint(
        client.cert_thumbprint, presented_thumbprint(certificate)
    ):
        # RFC 8705 §2: a failed mutual-TLS client authentication is invalid_client.
        raise Problem(
            "invalid-client",
            _(
                "This client is bound to a certificate: ask for tokens over mutual TLS with "
                "that certificate."
            ),
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
        cert_thumbprint=client.cert_thumbprint,
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


def caller_for_token(*, token: str, address: str, certificate: str | None = None) -> Caller:
    """The caller behind a bearer token, or a `Problem` (401, or 403 for a wrong address).
    `certificate` is the trusted proxy's header value, read only for a bound token."""
    found = token_in_force(token_digest(token))
    if found is None:
        raise Problem(
            "invalid-token",
            _(
                "The token has expired or was never issued, or its client, secret or MoU no "
                "longer allows calls. Ask for a new token."
            ),
            headers=_INVALID_TOKEN_HEADERS,
        )
    if found.cert_thumbprint or found.client.cert_thumbprint:
        _check_binding(found, certificate)
    _check_address(found.client, address)
    return Caller(client=found.client, token=found, tally=CallTally(found.client_id))


def _check_binding(found: AccessToken, certificate: str | None) -> None:
    """RFC 8705 §3: the call presents the certificate the token was issued to, and that is
    still the client's (a token from before a binding or a replaced certificate is refused)."""
    presented = presented_thumbprint(certificate)
    if not (
        hmac.compare_digest(found.cert_thumbprint, found.client.cert_thumbprint)
        and _same_thumbprint(found.cert_thumbprint, presented)
    ):
        raise Problem(
            "invalid-token",
            _(
                "This token is bound to a client certificate: call over mutual TLS with the "
                "certificate it was issued to."
            ),
            headers=_INVALID_TOKEN_HEADERS,
        )


def token_in_force(digest: str) -> AccessToken | None:
    """The unexpired token with this digest whose client is active, whose secret is unrevoked
    and unexpired, whose responsible person's account is active and whose MoU is in force
    today; with its client, and the client's MoU (knowing its expected volume), agency and
    responsible person, loaded.

    Every API call runs it, so it is one fixed SQL statement: the same query built with the ORM
    (`select_related` over five models) cost more CPU than the rest of an inquiry.
    `tests/api/test_token_sql.py` checks it against that ORM query on random data.
    """
    now = timezone.now()
    day = timezone.localdate()
    # An API call's first statement: it is the connection's health check too.
    row = first_read(
        _token_statement(), [digest, now, ApiClientStatus.ACTIVE, now, MouStatus.ACTIVE, day, day]
    )
    if row is None:
        return None
    *columns, expected_volume = row
    values = iter(columns)

    def take(model: type[_M]) -> _M:
        return instance_from_row(model, [next(values) for _ in model._meta.concrete_fields])

    found, client, mou, agency, responsible = (
        take(AccessToken),
        take(ApiClient),
        take(Mou).with_expected_monthly_volume(expected_volume),
        take(Agency),
        take(User),
    )
    # As select_related would: reading these relations costs no query.
    AccessToken.client.field.set_cached_value(found, client)
    ApiClient.mou.field.set_cached_value(client, mou)
    ApiClient.agency.field.set_cached_value(client, agency)
    ApiClient.responsible.field.set_cached_value(client, responsible)
    Mou.agency.field.set_cached_value(mou, agency)
    return found


@functools.cache
def _token_statement() -> str:
    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    # Built from the models' own table and column names, never from input; values go as params.
    return (
        f"SELECT {quoted_columns(AccessToken, 't')}, {quoted_columns(ApiClient, 'c')}, "  # noqa: S608
        f"{quoted_columns(Mou, 'u')}, {quoted_columns(Agency, 'a')}, "
        f"{quoted_columns(User, 'r')}, q.monthly_volume "
        f"FROM {table(AccessToken)} t "
        f"JOIN {table(ApiClient)} c ON c.id = t.client_id "
        f"JOIN {table(Mou)} u ON u.id = c.mou_id "
        f"JOIN {table(Agency)} a ON a.id = c.agency_id "
        f"JOIN {table(User)} r ON r.id = c.responsible_id "
        f"JOIN {table(ApiClientSecret)} s ON s.id = t.secret_id "
        f"LEFT JOIN {table(AccessRequest)} q ON q.id = u.access_request_id "
        "WHERE t.digest = %s AND t.expires_at > %s AND c.status = %s AND r.is_active "
        "AND s.revoked_at IS NULL AND s.valid_until > %s "
        # mou_in_force_on: active, started, not yet ended.
        "AND u.status = %s AND u.valid_from <= %s "
        "AND (u.valid_until IS NULL OR u.valid_until >= %s)"
    )
