"""Expired tokens and answers past their keeping time are deleted; disclosure records stay."""

import datetime

import pytest
from django.utils import timezone

from api.housekeeping import purge_expired
from api.models import AccessToken, ApiAnswer
from api.tasks import purge_expired as purge_task
from inquiries.models import DisclosureRecord
from tests.api.conftest import call, inquiry

pytestmark = pytest.mark.django_db


def test_it_purges_expired_tokens_and_old_answers_twice_safely(
    connect, registered_person, settings
):
    connected = connect()
    token = connected.token()
    answer_id = call("POST", "/api/v1/inquiries", token, json=inquiry()).json()["id"]
    assert purge_expired().tokens == 0
    later = timezone.now() + datetime.timedelta(hours=settings.API_ANSWER_KEEP_HOURS, minutes=1)
    first = purge_expired(now=later)
    assert (first.tokens, first.answers) == (1, 1)
    assert purge_expired(now=later) == type(first)(tokens=0, answers=0)
    assert not AccessToken.objects.exists()
    assert not ApiAnswer.objects.filter(pk=answer_id).exists()
    assert DisclosureRecord.objects.count() == 1
    assert purge_task.delay().get() == {"tokens": 0, "answers": 0}
