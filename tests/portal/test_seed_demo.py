"""manage.py seed_demo: the same demo people on every run, and they can sign in."""

import io
import time
from types import SimpleNamespace

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import demo
from accounts.models import User
from accounts.roles import MFA_REQUIRED_ROLES, Role
from portal.management.commands import seed_demo
from portal.validators import national_code_is_valid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_seed_demo(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True, **options)
    return out.getvalue()


def snapshot() -> dict:
    """Everything seed_demo writes, down to the password hashes and authenticator rows."""
    return {
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk",
                "national_code",
                "password",
                "mobile",
                "mobile_verified",
                "is_staff",
                "is_superuser",
                "first_name",
                "last_name",
                "birth_date",
            )
        ),
        "memberships": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "authenticators": list(
            Authenticator.objects.order_by("pk").values_list("pk", "user_id", "type", "data")
        ),
    }


def test_it_creates_one_user_of_each_role():
    run_seed_demo()

    for role in Role:
        spec = next(spec for spec in demo.DEMO_USERS if spec.role == role)
        user = User.objects.get(national_code=spec.national_code)
        assert user.groups.filter(name=role.value).exists()
        assert user.has_role(role)
        assert national_code_is_valid(user.national_code)
        assert user.mobile == spec.mobile
        assert spec.mobile.startswith("+98912")
        assert user.mobile_verified
        assert user.check_password(spec.password)


def test_it_creates_a_superuser_for_the_admin():
    run_seed_demo()

    superuser = demo.demo_user("superuser")
    assert superuser.is_superuser
    assert superuser.is_staff
    assert superuser.has_role(Role.OPERATOR)


def test_staff_roles_and_the_superuser_have_a_totp_authenticator():
    run_seed_demo()

    for spec in demo.DEMO_USERS:
        user = User.objects.get(national_code=spec.national_code)
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        needs_totp = user.is_superuser or spec.role in MFA_REQUIRED_ROLES
        assert has_totp is needs_totp, spec.key
        assert user.requires_mfa is needs_totp, spec.key


def test_running_twice_changes_nothing_and_prints_the_same_credentials():
    first_output = run_seed_demo()
    after_first = snapshot()

    second_output = run_seed_demo()

    assert snapshot() == after_first
    assert User.objects.count() == len(demo.DEMO_USERS)
    assert "created" in first_output
    assert "created" not in second_output
    assert second_output.count("unchanged") == len(demo.DEMO_USERS)
    credentials = first_output[first_output.index("Demo accounts") :]
    assert credentials == second_output[second_output.index("Demo accounts") :]


def test_it_prints_passwords_and_totp_secrets():
    output = run_seed_demo()

    for spec in demo.DEMO_USERS:
        assert spec.national_code in output
        assert spec.password in output
        if spec.requires_mfa:
            assert spec.totp_secret in output
            assert f"otpauth://totp/{spec.national_code}?secret={spec.totp_secret}" in output
    citizen = next(spec for spec in demo.DEMO_USERS if spec.role == Role.CITIZEN)
    assert citizen.totp_secret not in output


def test_it_puts_back_what_a_tester_changed():
    run_seed_demo()
    citizen = demo.demo_user("citizen")
    citizen.set_password("a-password-the-tester-chose")
    citizen.groups.clear()
    citizen.save()
    staff = demo.demo_user("agency_staff")
    Authenticator.objects.filter(user=staff).update(data={"secret": "JBSWY3DPEHPK3PXP"})

    output = run_seed_demo()

    assert "citizen: updated (password, role)" in output
    assert "agency_staff: updated (TOTP)" in output
    after_repair = snapshot()
    run_seed_demo()
    assert snapshot() == after_repair
    assert demo.demo_user("citizen").has_role(Role.CITIZEN)


def test_a_seeded_citizen_can_sign_in(client):
    run_seed_demo()
    citizen = next(spec for spec in demo.DEMO_USERS if spec.role == Role.CITIZEN)

    response = client.post(
        reverse("account_login"), {"login": citizen.national_code, "password": citizen.password}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.session[SESSION_KEY] == str(demo.demo_user("citizen").pk)
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_a_seeded_citizen_can_sign_in_with_persian_digits(client):
    run_seed_demo()
    citizen = next(spec for spec in demo.DEMO_USERS if spec.role == Role.CITIZEN)
    persian = citizen.national_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))

    response = client.post(
        reverse("account_login"), {"login": persian, "password": citizen.password}
    )

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(demo.demo_user("citizen").pk)


def test_a_seeded_staff_member_signs_in_with_the_printed_totp_secret(client):
    run_seed_demo()
    staff = next(spec for spec in demo.DEMO_USERS if spec.role == Role.AGENCY_STAFF)

    response = client.post(
        reverse("account_login"), {"login": staff.national_code, "password": staff.password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session  # the password alone is not enough

    with time_machine.travel(time.time(), tick=False):  # the code must not expire mid-test
        code = format_hotp_value(hotp_value(staff.totp_secret, int(time.time()) // 30))
        response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(demo.demo_user("agency_staff").pk)


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    settings.TESTING = False

    with pytest.raises(CommandError, match="--not-production"):
        run_seed_demo()
    assert not User.objects.exists()

    run_seed_demo(not_production=True)
    assert User.objects.count() == len(demo.DEMO_USERS)


def test_it_finds_the_demo_modules_of_the_projects_apps_in_order(settings):
    names = [module.__name__ for module in seed_demo.demo_modules()]

    assert names[0] == "accounts.demo"
    app_order = [app.rpartition(".")[2] for app in settings.INSTALLED_APPS]
    assert names == sorted(names, key=lambda name: app_order.index(name.split(".")[0]))
    assert not any(name.startswith(("django.", "allauth.")) for name in names)


def test_a_failing_part_rolls_back_everything_and_prints_nothing(monkeypatch):
    def seed(*, stdout):
        raise RuntimeError("a later app's demo data failed")

    failing = SimpleNamespace(__name__="documents.demo", seed=seed)
    monkeypatch.setattr(seed_demo, "demo_modules", lambda: [demo, failing])
    out = io.StringIO()

    with pytest.raises(RuntimeError):
        call_command("seed_demo", stdout=out)

    assert not User.objects.exists()
    assert not Authenticator.objects.exists()
    assert out.getvalue() == ""


def test_the_operators_have_an_email_address_so_their_notices_are_seen(mailoutbox):
    """In the demo, IT's emails (an MoU to action, a staff list to grant) reach the console."""
    from agencies.models import Agency
    from inquiries.services import notify_operators_of_daily_limit

    run_seed_demo()
    operator = demo.demo_user("operator")
    assert operator.email.endswith(".example")
    assert demo.demo_user("superuser").email not in ("", operator.email)

    agency = Agency.objects.order_by("pk").first()  # one of the demo's agencies
    assert agency is not None
    assert notify_operators_of_daily_limit(agency_id=agency.pk, day="2026-12-06", limit=20)
    assert {address for message in mailoutbox for address in message.to} >= {operator.email}


def test_an_email_a_tester_changed_is_put_back():
    run_seed_demo()
    operator = demo.demo_user("operator")
    wanted = operator.email
    operator.email = ""
    operator.save(update_fields=["email"])
    assert "email" in run_seed_demo()
    assert demo.demo_user("operator").email == wanted


def test_it_prints_registry_people_to_try_and_what_each_shows():
    import re

    from inquiries.demo import SIGNUP_PAIRS, with_check_digit
    from inquiries.models import InsuredPerson

    output = run_seed_demo()
    lines = {}
    for index, mobile in SIGNUP_PAIRS:
        code = with_check_digit(f"99{index:07d}")
        person = InsuredPerson.objects.get(national_code=code)
        line = next(line for line in output.splitlines() if code in line)
        assert person.birth_date.isoformat() in line and mobile in line
        lines[index] = line.split(mobile, 1)[1]
    # Each says what its status page shows, in a few words.
    assert re.search(r"insured today", lines[0])
    assert re.search(r"(main|dependent) pensioner", lines[3])
    assert re.search(r"no coverage", lines[5])
    assert all(len(said.strip()) > 10 for said in lines.values())
