"""The API's plain-SQL token read (`api.tokens.token_in_force`) against the ORM query it
replaced, on random tokens, clients, secrets, responsible people and MoUs: the same token found
or refused, every column of the five rows the same."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from agencies.models import ApiClientSecret, ApiClientStatus, Mou, MouStatus, mou_in_force_on
from api.models import AccessToken, token_digest
from api.tokens import token_in_force
from tests.agencies.factories import AccessRequestFactory
from tests.conftest import make_user
from tests.plain_sql import columns, random_rows, rolled_back

TOKEN = "random-token"


def orm_token_in_force(digest: str) -> AccessToken | None:
    """The reference: the query `caller_for_token` ran before it was written in SQL."""
    now = timezone.now()
    return (
        AccessToken.objects.select_related("client__mou", "client__agency", "client__responsible")
        .filter(
            mou_in_force_on(timezone.localdate(), prefix="client__mou__"),
            digest=digest,
            expires_at__gt=now,
            client__status=ApiClientStatus.ACTIVE,
            client__responsible__is_active=True,
            secret__revoked_at__isnull=True,
            secret__valid_until__gt=now,
        )
        .first()
    )


def mostly(valid, *others):
    """Draws `valid` about three times in four: a token is found only when every one of its
    nine conditions holds, and each example should still often break one or two of them."""
    return st.sampled_from([valid] * (3 * len(others) or 1) + list(others))


def offset(unit: str, *values: int):
    return mostly(*(datetime.timedelta(**{unit: value}) for value in values))


@pytest.mark.django_db
@random_rows(max_examples=80)
@given(
    expires_in=offset("minutes", 3, -3, 0),
    client_status=mostly(ApiClientStatus.ACTIVE, *set(ApiClientStatus) - {ApiClientStatus.ACTIVE}),
    responsible_active=mostly(True, False),
    secret_revoked=mostly(False, True),
    secret_valid_for=offset("minutes", 3, -3, 0),
    mou_status=mostly(MouStatus.ACTIVE, *set(MouStatus) - {MouStatus.ACTIVE}),
    mou_started=offset("days", 1, 0, -1),
    mou_lasts=mostly(None, *(datetime.timedelta(days=n) for n in (0, 1, 2))),
    right_token=mostly(True, False),
)
def test_it_finds_what_the_orm_query_finds(
    connect,
    expires_in,
    client_status,
    responsible_active,
    secret_revoked,
    secret_valid_for,
    mou_status,
    mou_started,
    mou_lasts,
    right_token,
) -> None:
    now = timezone.now()
    today = timezone.localdate()
    with rolled_back():
        client = connect().client
        secret = ApiClientSecret.objects.get(client=client)
        AccessToken.objects.create(
            digest=token_digest(TOKEN),
            client=client,
            secret=secret,
            issued_at=now,
            expires_at=now + expires_in,
        )
        type(client).objects.filter(pk=client.pk).update(status=client_status)
        type(client.responsible).objects.filter(pk=client.responsible_id).update(
            is_active=responsible_active
        )
        ApiClientSecret.objects.filter(pk=secret.pk).update(
            revoked_at=now if secret_revoked else None, valid_until=now + secret_valid_for
        )
        Mou.objects.filter(pk=client.mou_id).update(
            status=mou_status,
            valid_from=today - mou_started,
            valid_until=None if mou_lasts is None else today - mou_started + mou_lasts,
        )
        digest = token_digest(TOKEN if right_token else "another-token")
        found = token_in_force(digest)
        expected = orm_token_in_force(digest)
        if expected is None:
            assert found is None
        else:
            assert found is not None
            assert columns(found) == columns(expected)
            for relation in ("client", "client.mou", "client.agency", "client.responsible"):
                ours, theirs = found, expected
                for name in relation.split("."):
                    ours, theirs = getattr(ours, name), getattr(theirs, name)
                assert columns(ours) == columns(theirs), relation
            assert columns(found.client.mou.agency) == columns(expected.client.agency)


def test_a_call_reads_its_caller_in_one_query(connect, django_assert_num_queries) -> None:
    connected = connect()
    secret = ApiClientSecret.objects.get(client=connected.client)
    now = timezone.now()
    AccessToken.objects.create(
        digest=token_digest(TOKEN),
        client=connected.client,
        secret=secret,
        issued_at=now,
        expires_at=now + datetime.timedelta(minutes=5),
    )
    applicant = make_user("0010000089", "+989121110009")
    connected.mou.access_request = AccessRequestFactory.create(
        applicant=applicant, monthly_volume=700
    )
    connected.mou.save(update_fields=["access_request"])
    with django_assert_num_queries(1):
        found = token_in_force(token_digest(TOKEN))
        assert found is not None
        assert found.client.mou.agency.pk == found.client.agency.pk == connected.mou.agency_id
        assert found.client.responsible.pk == connected.responsible.pk
        assert found.client.mou.expected_monthly_volume() == 700
