import io

import pytest
from django.core.management import call_command

from accounts.demo import demo_user
from documents.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_seed_demo_gives_the_demo_citizen_one_certificate_however_often_it_runs():
    for _ in range(2):
        out = io.StringIO()
        call_command("seed_demo", stdout=out, no_color=True)
    certificates = Certificate.objects.filter(holder=demo_user("citizen"))
    assert certificates.count() == 1
    assert f"/verify/{certificates.get().number}/" in out.getvalue()
