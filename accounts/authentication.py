"""Who signed in: Django's `AuthenticationMiddleware` with the user, their roles and their TOTP
enrolment read in one statement on PostgreSQL.

Every signed-in request loads its user, and every staff page then asks for the roles and TOTP
(the staff-session check, the MFA middleware, the panel's gate): two queries, the first built
by the ORM at more cost than running it. `session_user` is Django 5.2's
`django.contrib.auth.get_user` line for line (tests/accounts/test_session_user.py holds its
source to Django's and compares the two on valid, stale, tampered and foreign sessions), except
that a backend whose `get_user` is ModelBackend's (all of AUTHENTICATION_BACKENDS today) has the
user read by `signed_in_user`; any other backend is asked as Django would ask it.
"""

import functools
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from portal.middleware import pages_only
from portal.rows import instance_from_row, quoted_columns


class AuthenticationMiddleware(DjangoAuthentication):
    __call__ = pages_only(DjangoAuthentication.__call__)

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)  # its checks, and `request.auser`
        request.user = SimpleLazyObject(lambda: _cached_session_user(request))  # type: ignore[assignment]


def _cached_session_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


def session_user(request: HttpRequest) -> User | AnonymousUser:
    """`django.contrib.auth.get_user(request)`, reading the user with `signed_in_user`."""
    user: Any = None
    try:
        user_id = auth._get_user_session_key(request)  # type: ignore[attr-defined]
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = auth.load_backend(backend_path)
            if (
                isinstance(backend, ModelBackend)
                and type(backend).get_user is ModelBackend.get_user
            ):
                user = signed_in_user(user_id)
                if user is not None and not backend.user_can_authenticate(user):
                    user = None
            else:
                user = backend.get_user(user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(auth.HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the
                    # fallback secrets and stop when a matching one is found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[auth.HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None

    return user or AnonymousUser()


def signed_in_user(user_id: Any) -> User | None:
    """`User.objects.get(pk=user_id)` (None if there is none), with `roles` and `totp_enrolled`
    already answered: on PostgreSQL one statement, elsewhere the ORM's query."""
    if connection.vendor != "postgresql":
        return User.objects.filter(pk=user_id).first()
    with connection.cursor() as cursor:
        cursor.execute(_signed_in_user_statement(), [Authenticator.Type.TOTP, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    *columns, roles, totp_enrolled = row
    user = instance_from_row(User, columns)
    user._roles = frozenset(roles)
    user._totp_enrolled = totp_enrolled
    return user


@functools.cache
def _signed_in_user_statement() -> str:
    """The user's columns, their group names as an array, and whether a TOTP authenticator
    exists: the answers of `User._load_roles_and_totp` in the same statement."""
    quote = connection.ops.quote_name
    memberships = quote(User.groups.through._meta.db_table)
    return (
        f"SELECT {quoted_columns(User, 'u')}, "  # noqa: S608 (names from the models)
        f"ARRAY(SELECT g.name FROM {quote(Group._meta.db_table)} g "
        f"JOIN {memberships} ug ON ug.group_id = g.id WHERE ug.user_id = u.id), "
        f"EXISTS(SELECT 1 FROM {quote(Authenticator._meta.db_table)} a "
        "WHERE a.user_id = u.id AND a.type = %s) "
        f"FROM {quote(User._meta.db_table)} u WHERE u.id = %s"
    )
