"""migrate_isinsured: agencies, circular No. 1 MoUs, users and memberships, run by the tasks."""

import datetime

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.management import call_command
from django.utils import translation

import portal.sms
from accounts.identity.backends import locmem as identity_service
from accounts.models import LegacyAccount, User
from accounts.roles import Role
from agencies import services as agency_services
from agencies.models import (
    Agency,
    AgencyKind,
    Invitation,
    Membership,
    Mou,
    MouBasis,
    RemovalRequest,
    RemovalRequestStatus,
)
from isinsured import services
from isinsured.models import MigrationChunk, MigrationRow, MigrationRun, RowState, RunState
from portal.phones import normalize_mobile
from tests.conftest import PASSWORD, make_user
from tests.isinsured.conftest import (
    cell,
    legacy_rows,
    password_for,
    snapshot,
    with_cell,
    write_export,
)

pytestmark = pytest.mark.django_db


def test_a_valid_file_makes_the_agencies_mous_users_and_memberships(export, migrate):
    output = migrate(export)

    rows = legacy_rows()
    run = MigrationRun.objects.get()
    assert run.state == RunState.DONE
    assert run.rows_total == 6
    assert Agency.objects.count() == 2
    agency = Agency.objects.get(legacy_code="ORG-001")
    assert agency.legal_id == cell(rows[0], "organization_legal_id")
    assert agency.name == cell(rows[0], "organization_name")
    assert agency.kind == AgencyKind.QUASI_JUDICIAL  # ORG-001 is kind 1 in the generator
    mou = Mou.objects.get(agency=agency)
    assert mou.basis == MouBasis.CIRCULAR_1
    assert mou.number == cell(rows[0], "mou_number")
    assert cell(rows[0], "mou_date") == "1391/02/11"
    assert mou.signed_on == mou.valid_from == datetime.date(2012, 4, 30)
    assert mou.valid_until is None
    assert mou.events.get().reasons.startswith("Migrated from isinsured")
    assert User.objects.count() == 1 + 6  # the operator and the migrated
    for row in rows:
        user = User.objects.get(national_code=cell(row, "national_code"))
        assert user.first_name == cell(row, "first_name")
        assert user.mobile == cell(row, "mobile")
        assert user.has_role(Role.AGENCY_STAFF)
        assert user.legacy_account.username == cell(row, "username")
        assert user.legacy_account.created_by_migration
        membership = Membership.objects.get(user=user)
        assert membership.is_active
        assert membership.agency.legacy_code == cell(row, "organization_code")
    assert "6 created" in output
    assert "rows skipped: 0" in output


def test_the_same_file_twice_changes_nothing(export, migrate):
    migrate(export)
    before = snapshot()

    output = migrate(export)

    assert snapshot() == before
    assert MigrationRun.objects.count() == 1
    assert "nothing to do" in output


def test_the_same_rows_in_another_file_change_nothing(export, migrate, tmp_path):
    migrate(export)
    before = snapshot()
    # Another checksum (a BOM, rows reordered): a second run, matched on natural keys.
    again = write_export(tmp_path / "again.csv", reversed(legacy_rows()), bom=True)

    output = migrate(again)

    assert snapshot() == before
    run = MigrationRun.objects.latest("pk")
    assert set(run.rows.values_list("user_outcome", flat=True)) == {"unchanged"}
    assert set(run.rows.values_list("membership_outcome", flat=True)) == {"unchanged"}
    assert set(run.organizations.values_list("agency_outcome", flat=True)) == {"unchanged"}
    assert "6 unchanged" in output


def test_bad_rows_are_reported_and_the_good_rows_migrated(tmp_path, migrate):
    rows = legacy_rows()
    rows[1] = with_cell(rows[1], "national_code", "0012345678")  # bad check digit
    rows[2] = with_cell(rows[2], "password_hash", "crypt$abc")
    export = write_export(tmp_path / "isinsured.csv", rows)

    output = migrate(export)

    report = (tmp_path / "isinsured.errors.csv").read_text(encoding="utf-8").splitlines()
    assert report[0] == "row,column,problem"
    assert report[1].startswith("3,national_code,")
    assert report[2].startswith("4,password_hash,Unknown password hash format")
    assert "crypt$abc" not in "\n".join(report)
    assert User.objects.filter(national_code=cell(rows[0], "national_code")).exists()
    assert not User.objects.filter(national_code=cell(rows[2], "national_code")).exists()
    assert Membership.objects.count() == 4
    assert "rows skipped: 2" in output
    assert "row 3: national_code:" in output


def test_a_dry_run_writes_nothing(export, operator, capsys):
    before = snapshot()

    with translation.override("en"):
        call_command("migrate_isinsured", str(export), "--dry-run")

    assert snapshot() == before
    assert MigrationRun.objects.count() == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out
    assert "legacy users: 6 created" in out
    assert "6 legacy hashes to wrap" in out


def test_an_existing_account_gets_the_membership_and_is_not_overwritten(tmp_path, migrate):
    rows = legacy_rows()
    existing = make_user(
        cell(rows[0], "national_code"), "+989121119999", Role.CITIZEN, first_name="Own name"
    )
    before = (existing.password, existing.mobile, existing.email, existing.first_name)

    migrate(write_export(tmp_path / "isinsured.csv", rows))

    existing.refresh_from_db()
    assert (existing.password, existing.mobile, existing.email, existing.first_name) == before
    assert existing.check_password(PASSWORD)
    assert Membership.objects.get(user=existing).is_active
    assert existing.has_role(Role.AGENCY_STAFF)
    assert not existing.legacy_account.created_by_migration
    row = MigrationRow.objects.get(national_code=existing.national_code)
    assert row.user_outcome == "matched"
    assert not row.invited  # they have a password of their own


def test_users_without_a_hash_are_invited_like_granted_staff(tmp_path, migrate):
    export = write_export(tmp_path / "isinsured.csv", legacy_rows(no_hash_every=3))
    # Like granted staff, a link that sets a password goes only to a mobile the identity
    # service confirms for the national code.
    for row in legacy_rows():
        identity_service.register(cell(row, "national_code"), normalize_mobile(cell(row, "mobile")))

    migrate(export)

    invited = User.objects.filter(agency_memberships__invitations__isnull=False)
    assert sorted(invited.values_list("national_code", flat=True)) == sorted(
        cell(row, "national_code") for row in legacy_rows()[2::3]
    )
    for user in invited:
        assert not user.has_usable_password()
        invitation = Invitation.objects.get(membership__user=user)
        assert invitation.sent_at is not None
    assert len(portal.sms.outbox) == 2


def test_inactive_legacy_users_are_migrated_without_access(tmp_path, migrate):
    export = write_export(tmp_path / "isinsured.csv", legacy_rows(inactive_every=2))

    migrate(export)

    inactive_row = legacy_rows()[1]
    user = User.objects.get(national_code=cell(inactive_row, "national_code"))
    membership = Membership.objects.get(user=user)
    assert not membership.is_active
    assert membership.removal_reasons == services.INACTIVE_ON_ISINSURED
    assert not user.has_usable_password()  # the old password does not come along
    assert not user.has_role(Role.AGENCY_STAFF)
    assert not Invitation.objects.filter(membership=membership).exists()


def test_a_corrected_file_updates_what_changed(tmp_path, migrate):
    rows = legacy_rows(inactive_every=2)
    migrate(write_export(tmp_path / "first.csv", rows))
    corrected = [list(row) for row in rows]
    corrected[0] = with_cell(corrected[0], "last_name", "Corrected")
    corrected[1] = with_cell(corrected[1], "is_active", "1")  # was inactive
    corrected[2] = with_cell(corrected[2], "is_active", "0")  # was active
    corrected = [with_cell(row, "organization_name", "Renamed") if cell(row, "organization_code")
                 == "ORG-001" else row for row in corrected]  # fmt: skip

    migrate(write_export(tmp_path / "second.csv", corrected))

    run = MigrationRun.objects.latest("pk")
    outcomes = dict(run.rows.values_list("row_number", "user_outcome"))
    assert outcomes[2] == "updated"
    assert User.objects.get(national_code=cell(rows[0], "national_code")).last_name == "Corrected"
    reactivated = Membership.objects.get(user__national_code=cell(rows[1], "national_code"))
    assert reactivated.is_active
    # Inactive, the old password did not come along; active now, it does.
    assert reactivated.user.check_password(password_for(2))
    deactivated = Membership.objects.get(user__national_code=cell(rows[2], "national_code"))
    assert not deactivated.is_active
    assert Agency.objects.get(legacy_code="ORG-001").name == "Renamed"
    assert Agency.objects.get(legacy_code="ORG-002").name == cell(rows[1], "organization_name")


def test_an_agency_is_matched_by_legal_id_else_by_organization_code(tmp_path, migrate):
    rows = legacy_rows()
    by_legal_id = Agency.objects.create(
        name="Already here",
        kind=AgencyKind.JUDICIAL,
        legal_id=cell(rows[0], "organization_legal_id"),
    )
    by_code = Agency.objects.create(
        name="Known by code", kind=AgencyKind.JUDICIAL, legal_id="10100010002",
        legacy_code="ORG-002",
    )  # fmt: skip
    rows = [with_cell(row, "organization_legal_id", "") if cell(row, "organization_code") ==
            "ORG-002" else row for row in rows]  # fmt: skip

    migrate(write_export(tmp_path / "isinsured.csv", rows))

    by_legal_id.refresh_from_db()
    assert by_legal_id.legacy_code == "ORG-001"
    assert by_legal_id.name == "Already here"  # not overwritten
    assert Agency.objects.count() == 2
    assert Membership.objects.filter(agency=by_code).count() == 3
    assert Mou.objects.filter(agency=by_code, basis=MouBasis.CIRCULAR_1).count() == 1


def test_rows_of_an_organization_that_clashes_with_the_portal_are_skipped(
    tmp_path, migrate, committee_reviewer
):
    rows = legacy_rows()
    other = Agency.objects.create(name="Other", kind=AgencyKind.JUDICIAL, legal_id="10100010002")
    Mou.objects.create(
        agency=other, number=cell(rows[0], "mou_number"), signed_on=datetime.date(2020, 1, 1),
        valid_from=datetime.date(2020, 1, 1), scopes=["coverage_flag"],
        recorded_by=committee_reviewer,
    )  # fmt: skip

    output = migrate(write_export(tmp_path / "isinsured.csv", rows))

    run = MigrationRun.objects.get()
    assert run.state == RunState.DONE
    skipped = run.rows.filter(state=RowState.SKIPPED)
    assert skipped.count() == 3
    assert all("is recorded for another agency" in row.skip_reason for row in skipped)
    assert run.rows.filter(state=RowState.APPLIED).count() == 3
    assert "rows skipped: 3" in output


def test_a_chunk_applied_twice_is_applied_once(export, migrate):
    migrate(export, "--chunk-size", "4")
    before = snapshot()
    chunk = MigrationChunk.objects.first()
    assert chunk is not None

    assert services.apply_chunk(chunk_id=chunk.pk) is False
    assert services.apply_organizations(run_id=chunk.run_id) == 0

    assert snapshot() == before
    assert MigrationRun.objects.get().chunks.count() == 2


def test_the_legacy_username_is_kept_for_the_transition(export, migrate):
    migrate(export)

    assert LegacyAccount.objects.filter(username_key="user1").exists()


def test_status_shows_the_latest_run(export, migrate, capsys):
    migrate(export)

    call_command("migrate_isinsured", "--status")

    out = capsys.readouterr().out
    run = MigrationRun.objects.get()
    assert f"Run #{run.pk} of isinsured.csv" in out
    assert "6 of 6 valid rows done" in out


def test_a_run_needs_an_operator(export, citizen):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Only an operator"):
        call_command("migrate_isinsured", str(export), "--operator", citizen.national_code)
    assert MigrationRun.objects.count() == 0


def test_the_wrapped_hash_is_stored_for_new_accounts(export, migrate):
    migrate(export)

    algorithms = {identify_hasher(user.password).algorithm for user in User.objects.exclude(
        legacy_account=None)}  # fmt: skip
    assert algorithms == {"pbkdf2_wrapped_md5", "pbkdf2_wrapped_sha1"}
    assert not MigrationRow.objects.exclude(sealed_hash="").exists()


def test_access_ended_by_a_corrected_file_closes_the_pending_removal_requests(
    tmp_path, migrate, operator
):
    rows = legacy_rows()
    migrate(write_export(tmp_path / "first.csv", rows))
    membership = Membership.objects.get(user__national_code=cell(rows[2], "national_code"))
    pending = RemovalRequest.objects.create(
        membership=membership, requested_by=operator, reasons="Left the court."
    )
    unused = agency_services.invite_member(membership=membership)
    corrected = [list(row) for row in rows]
    corrected[2] = with_cell(corrected[2], "is_active", "0")

    migrate(write_export(tmp_path / "second.csv", corrected))

    membership.refresh_from_db()
    pending.refresh_from_db()
    assert not membership.is_active
    assert pending.status == RemovalRequestStatus.DONE
    assert not membership.user.has_role(Role.AGENCY_STAFF)
    unused.refresh_from_db()
    assert unused.revoked_at is not None
