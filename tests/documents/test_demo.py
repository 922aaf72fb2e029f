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


def test_the_demo_staff_member_can_open_the_demo_citizens_certificate_with_the_printed_code(
    django_capture_on_commit_callbacks,
):
    import re

    from agencies.selectors import panel_membership_for
    from documents.models import Redemption
    from documents.redemptions import redeem_access_code

    outputs = []
    for _ in range(2):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered
            call_command("seed_demo", stdout=out, no_color=True)
        outputs.append(out.getvalue())
    ours = [
        [line for line in output.splitlines() if "certificate" in line or "/gov/documents/" in line]
        for output in outputs
    ]
    assert ours[0] == ours[1] and len(ours[0]) == 2
    line = ours[1][1]
    code = re.search(r"access code ([A-Z2-9]{5}-[A-Z2-9]{5})", line)
    assert code is not None

    staff = demo_user("agency_staff")
    _membership, mou = panel_membership_for(staff) or (None, None)
    assert mou is not None
    redemption = redeem_access_code(
        staff_member=staff,
        mou=mou,
        national_code=demo_user("citizen").national_code,
        code=code[1],
        client_ip=None,
    )
    assert redemption.certificate.holder == demo_user("citizen")
    assert Redemption.objects.count() == 1
    # A third run keeps the code and prints the same.
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    assert out.getvalue() == outputs[1]  # "unchanged" everywhere, as on the second run
