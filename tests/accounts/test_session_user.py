"""Who signed in (accounts.authentication): the user read in one statement with roles and TOTP,
against the ORM's user and `User.roles` / `User.totp_enrolled`; and `session_user` against
Django's own `get_user` on valid, stale, tampered, rotated-secret and foreign sessions."""

import hashlib
import inspect

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from accounts.authentication import session_user, signed_in_user
from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role
from portal.sessions import SessionStore
from tests.agencies.conftest import enrol_totp
from tests.conftest import make_user
from tests.plain_sql import columns, random_rows, rolled_back

# Django's get_user as `session_user` copies it: an upgrade that changes it fails here first.
DJANGO_GET_USER_SHA256 = "08a852f701f765bc91f251764cc682d2d3f59d5d0fdfa2e1fc6fb9bba45ba960"


def test_session_user_follows_djangos_get_user_as_it_is() -> None:
    source = inspect.getsource(auth.get_user).encode()
    assert hashlib.sha256(source).hexdigest() == DJANGO_GET_USER_SHA256


@pytest.mark.django_db
@random_rows(max_examples=40)
@given(
    roles=st.sets(st.sampled_from(list(Role))),
    factors=st.sets(st.sampled_from([Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES])),
    active=st.booleans(),
    someone_else_has_totp=st.booleans(),
)
def test_it_reads_what_the_orm_and_the_roles_query_read(
    roles, factors, active, someone_else_has_totp
) -> None:
    with rolled_back():
        user = make_user("0010000089", "+989121110009", is_active=active)
        other = make_user("0010000097", "+989121110010", Role.OPERATOR)
        for role in roles:
            assign_role(user=user, role=role)
        for kind in factors:
            Authenticator.objects.create(user=user, type=kind, data={})
        if someone_else_has_totp:
            enrol_totp(other)
        read = signed_in_user(user.pk)
        expected = User.objects.get(pk=user.pk)
        assert read is not None
        assert columns(read) == columns(expected)
        assert (read.roles, read.totp_enrolled) == (expected.roles, expected.totp_enrolled)
        assert read.roles == {role.value for role in roles}
        assert signed_in_user(user.pk + other.pk + 1000) is None


def sessions_of(user: User | None, settings, **changes) -> list:
    """The same signed-in session twice, one for each reader."""
    factory = RequestFactory()
    requests = []
    for _ in range(2):
        request = factory.get("/")
        request.session = SessionStore()
        if user is not None:
            request.session[auth.SESSION_KEY] = str(user.pk)
            request.session[auth.BACKEND_SESSION_KEY] = changes.get(
                "backend", settings.AUTHENTICATION_BACKENDS[0]
            )
            request.session[auth.HASH_SESSION_KEY] = changes.get(
                "hash", user.get_session_auth_hash()
            )
        request.session.save()
        requests.append(request)
    return requests


def read_both(requests) -> list:
    return [
        (session_user(requests[0]), requests[0].session),
        (auth.get_user(requests[1]), requests[1].session),
    ]


def outcome(user, session) -> tuple:
    return (
        None if isinstance(user, AnonymousUser) else user.pk,
        session.is_empty(),
        session.get(auth.HASH_SESSION_KEY),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    [
        "valid",
        "no session",
        "tampered hash",
        "no hash",
        "password changed",
        "deleted",
        "inactive",
        "foreign backend",
        "allauth backend",
        "rotated secret",
    ],
)
def test_it_answers_what_djangos_get_user_answers(case, settings) -> None:
    user = make_user("0010000089", "+989121110009", Role.AGENCY_STAFF)
    changes: dict = {}
    if case == "tampered hash":
        changes["hash"] = "0" * 64
    if case == "no hash":
        changes["hash"] = ""
    if case == "foreign backend":
        changes["backend"] = "django.contrib.auth.backends.RemoteUserBackend"
    if case == "allauth backend":
        changes["backend"] = "allauth.account.auth_backends.AuthenticationBackend"
    requests = sessions_of(None if case == "no session" else user, settings, **changes)
    keys = [request.session.session_key for request in requests]
    if case == "rotated secret":  # signed in under the old key, which is now a fallback
        settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
        settings.SECRET_KEY = "a-new-secret-" + "x" * 50
    if case == "password changed":
        user.set_password("another password entirely 42")
        user.save()
    if case == "deleted":
        User.objects.filter(pk=user.pk).delete()
    if case == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)
    (ours, our_session), (djangos, django_session) = read_both(requests)
    assert outcome(ours, our_session) == outcome(djangos, django_session)
    if case in ("valid", "allauth backend", "rotated secret"):
        assert ours.pk == user.pk and ours.roles == {Role.AGENCY_STAFF.value}
    else:
        assert isinstance(ours, AnonymousUser)
    if case == "rotated secret":  # kept, under a new session key, with the new secret's hash
        assert our_session.session_key != keys[0]
        assert django_session.session_key != keys[1]
        assert our_session[auth.HASH_SESSION_KEY] == user.get_session_auth_hash()


def test_a_staff_page_reads_the_session_and_the_user_in_two_queries(
    client, agency_staff, django_assert_num_queries
) -> None:
    from django.db import connection

    client.force_login(agency_staff)
    request = RequestFactory().get("/")
    request.session = SessionStore(client.session.session_key)
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        user = session_user(request)
        assert isinstance(user, User) and user.pk == agency_staff.pk
        assert user.has_staff_role and not user.totp_enrolled
