"""retire_isinsured: refused while rows wait, then /isinsured/ answers 410 in both languages,
then --undo; the panel's one-time notice for migrated staff."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from accounts.models import User
from isinsured.models import MigrationRow, RetirementAction, RetirementEvent, RowState
from tests.isinsured.conftest import cell, complete_account, legacy_rows

pytestmark = pytest.mark.django_db


def retire(*args: str) -> None:
    with translation.override("en"):
        call_command("retire_isinsured", *args)


def test_retiring_is_refused_before_any_migration_run(db):
    with pytest.raises(CommandError, match="No migration run has been recorded"):
        retire()
    assert not RetirementEvent.objects.exists()


def test_retiring_is_refused_while_valid_rows_wait(export, migrate):
    migrate(export)
    MigrationRow.objects.filter(row_number=2).update(state=RowState.PENDING)

    with pytest.raises(CommandError, match="1 valid rows still waiting"):
        retire()
    assert not RetirementEvent.objects.exists()


def test_retiring_is_refused_while_valid_rows_were_skipped(export, migrate):
    migrate(export)
    MigrationRow.objects.filter(row_number=3).update(state=RowState.SKIPPED)

    with pytest.raises(CommandError, match="skipped 1 valid rows"):
        retire()


def test_forcing_needs_a_reason_and_is_recorded(export, migrate, operator):
    migrate(export)
    MigrationRow.objects.filter(row_number=2).update(state=RowState.PENDING)

    with pytest.raises(CommandError, match="needs a reason"):
        retire("--force")
    retire("--force", "--reason", "Order of the deputy", "--operator", operator.national_code)

    event = RetirementEvent.objects.get()
    assert event.action == RetirementAction.RETIRED
    assert event.forced
    assert event.reason == "Order of the deputy"
    assert event.actor == operator
    assert event.unmigrated_rows == 1


def test_before_the_cut_over_isinsured_paths_are_not_found(client, db):
    assert client.get("/isinsured/").status_code == 404


def test_after_the_cut_over_every_isinsured_path_says_it_moved_in_both_languages(
    export, migrate, client
):
    migrate(export)
    retire()

    for path in ["/isinsured/", "/isinsured", "/isinsured/inquiry.aspx?code=1"]:
        response = client.get(path)
        assert response.status_code == 410
    response = client.post("/isinsured/login", {"user": "x"})
    assert response.status_code == 410
    page = response.content.decode()
    assert 'lang="fa" dir="rtl"' in page
    assert 'lang="en" dir="ltr"' in page
    assert "isinsured has moved to the e-services portal" in page
    assert 'href="http://127.0.0.1:8000/accounts/login/"' in page
    assert 'href="http://127.0.0.1:8000/agencies/apply/"' in page
    # The rest of the portal is untouched.
    assert client.get("/").status_code == 200


def test_after_the_cut_over_the_legacy_host_says_it_moved(export, migrate, client, settings):
    settings.ISINSURED_LEGACY_HOSTS = ["isinsured.example"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "isinsured.example"]
    migrate(export)
    assert client.get("/", HTTP_HOST="isinsured.example").status_code != 410

    retire()

    assert client.get("/", HTTP_HOST="isinsured.example").status_code == 410
    assert client.get("/Default.aspx", HTTP_HOST="isinsured.example:443").status_code == 410
    assert client.get("/").status_code == 200


def test_a_legacy_host_the_operator_did_not_allow_gets_no_page(export, migrate, client, settings):
    # The legacy host names are no longer added to ALLOWED_HOSTS behind the operator's back.
    settings.ISINSURED_LEGACY_HOSTS = ["isinsured.example"]
    migrate(export)
    retire()

    assert client.get("/", HTTP_HOST="isinsured.example").status_code == 400
    warnings = [message.id for message in run_checks() if str(message.id).startswith("isinsured.")]
    assert warnings == ["isinsured.W001"]

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "isinsured.example"]
    assert client.get("/", HTTP_HOST="isinsured.example").status_code == 410
    assert not [message for message in run_checks() if str(message.id).startswith("isinsured.")]


def test_undo_switches_isinsured_back_and_is_recorded(export, migrate, client, operator):
    migrate(export)
    retire()

    retire("--undo", "--reason", "Agencies asked for a week more", "--operator",
           operator.national_code)  # fmt: skip

    assert client.get("/isinsured/").status_code == 404
    actions = list(RetirementEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [RetirementAction.RETIRED, RetirementAction.RESTORED]
    with pytest.raises(CommandError, match="nothing to undo"):
        retire("--undo")
    retire()
    assert client.get("/isinsured/").status_code == 410


def test_retiring_twice_is_refused(export, migrate):
    migrate(export)
    retire()

    with pytest.raises(CommandError, match="already switched off"):
        retire()


def test_migrated_staff_see_the_panel_notice_on_their_first_visit_only(export, migrate, client):
    migrate(export)
    user = User.objects.get(national_code=cell(legacy_rows()[0], "national_code"))
    complete_account(user)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)

    first = client.get("/gov/")
    second = client.get("/gov/")

    assert first.status_code == 200
    assert 'data-testid="isinsured-notice"' in first.content.decode()
    assert 'data-testid="isinsured-notice"' not in second.content.decode()
