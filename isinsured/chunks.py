"""What the migration's workers run: the organizations step and the chunks of users.

`apply_organizations` (one task per run: agencies and circular No. 1 MoUs, then the chunks are
enqueued after commit) -> `apply_chunk` (one task per chunk: accounts and memberships). Every
step is safe to run twice: the organizations step holds the run's row lock and marks itself
done; a chunk is claimed by a conditional update of its `applied_at` in the transaction that
applies it, so a chunk whose worker died is applied by the redelivered task, and a duplicate
delivery finds it claimed. The tasks are defined here, beside the code they run, under the
names they always had (`isinsured.tasks.*`); `isinsured.tasks` re-exports them for Celery's
autodiscovery. Agencies' rows are written through `agencies.services` only.
"""

from typing import Any

from celery import shared_task
from django.contrib.auth.hashers import identify_hasher
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.hashers import (
    WRAPPED_ALGORITHMS,
    PBKDF2WrappedMD5PasswordHasher,
    PBKDF2WrappedSHA1PasswordHasher,
)
from accounts.models import LegacyAccount, User, legacy_username_key
from accounts.services import (
    assign_role,
    correct_unused_account,
    open_account,
    require_account_completion,
)
from agencies import services as agency_services
from agencies.models import Agency, Membership, MembershipRole, Mou
from agencies.scopes import Scope
from agencies.services import ROLE_FOR_MEMBERSHIP, invite_member
from isinsured.models import (
    HashKind,
    MigrationChunk,
    MigrationOrganization,
    MigrationRow,
    MigrationRun,
    Outcome,
    RowState,
    RunState,
)
from isinsured.sealing import unseal

_RETRY_TRANSIENT: dict[str, Any] = {
    "autoretry_for": (ConnectionError, TimeoutError, OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 5,
}
# What isinsured let agencies see: whether a person is insured, and whether a pensioner. The
# committee may widen or narrow a migrated MoU in the admin like any other.
LEGACY_MOU_SCOPES = [Scope.COVERAGE_FLAG.value, Scope.PENSION_FLAG.value]
# isinsured did not record who signed circular No. 1 MoUs.
NOT_RECORDED = "—"
# Marks a membership the migration made inactive (the legacy user was inactive), so that a
# corrected file may reactivate it, but never one that an operator removed.
INACTIVE_ON_ISINSURED = "Inactive on isinsured when migrated."


# --- Organizations and MoUs --------------------------------------------------------------------


@shared_task(name="isinsured.tasks.apply_organizations", **_RETRY_TRANSIENT)
def apply_organizations(run_id: int) -> int:
    """Create or match the run's agencies and MoUs (once), then enqueue every chunk not yet
    applied, after commit. Returns how many chunks were enqueued."""
    with transaction.atomic():
        run = MigrationRun.objects.select_for_update().get(pk=run_id)
        if run.organizations_applied_at is None:
            for organization in run.organizations.order_by("pk"):
                _apply_organization(organization, run)
            run.organizations_applied_at = timezone.now()
            run.save(update_fields=["organizations_applied_at"])
        chunk_ids = list(
            run.chunks.filter(applied_at=None).order_by("number").values_list("pk", flat=True)
        )
        if not chunk_ids:
            _finish_if_complete(run.pk)

        def enqueue() -> None:
            for chunk_id in chunk_ids:
                apply_chunk.delay(chunk_id)

        transaction.on_commit(enqueue)
    return len(chunk_ids)


def _made_agency(agency: Agency) -> bool:
    return MigrationOrganization.objects.filter(
        agency=agency, agency_outcome=Outcome.CREATED
    ).exists()


def _made_mou(mou: Mou) -> bool:
    return MigrationOrganization.objects.filter(mou=mou, mou_outcome=Outcome.CREATED).exists()


def _apply_organization(organization: MigrationOrganization, run: MigrationRun) -> None:
    by_legal_id = (
        Agency.objects.select_for_update().filter(legal_id=organization.legal_id).first()
        if organization.legal_id
        else None
    )
    by_code = Agency.objects.select_for_update().filter(legacy_code=organization.code).first()
    mou = Mou.objects.select_for_update().filter(number=organization.mou_number).first()
    agency = by_legal_id or by_code
    problem = ""
    if by_legal_id and by_code and by_legal_id != by_code:
        problem = _(
            "The legal ID belongs to agency %(legal)s, but the organization code to agency "
            "%(code)s."
        ) % {"legal": by_legal_id, "code": by_code}
    elif by_legal_id and by_legal_id.legacy_code not in (None, organization.code):
        problem = _("The agency with this legal ID came from isinsured organization %(other)s.") % {
            "other": by_legal_id.legacy_code
        }
    elif agency is None and not organization.legal_id:
        problem = _(
            "No legal ID in the file, and no agency in the portal has isinsured organization "
            "code %(code)s."
        ) % {"code": organization.code}
    elif mou is not None and (agency is None or mou.agency_id != agency.pk):
        problem = _("MoU number %(number)s is recorded for another agency (%(agency)s).") % {
            "number": mou.number,
            "agency": mou.agency,
        }
    if problem:
        organization.problem = problem
        organization.save(update_fields=["problem"])
        return

    if agency is None:
        agency = agency_services.register_legacy_agency(
            name=organization.name,
            kind=organization.kind,
            legal_id=organization.legal_id,
            legacy_code=organization.code,
        )
        organization.agency_outcome = Outcome.CREATED
    else:
        changed: dict[str, str] = {}
        made = _made_agency(agency)
        if agency.legacy_code is None:
            changed["legacy_code"] = organization.code
        if made:
            # Only what the migration made may follow a corrected file.
            for field_name in ("name", "kind"):
                if getattr(agency, field_name) != getattr(organization, field_name):
                    changed[field_name] = getattr(organization, field_name)
            if organization.legal_id and agency.legal_id != organization.legal_id:
                changed["legal_id"] = organization.legal_id  # no other agency has it: see above
        agency_services.correct_agency(agency=agency, changes=changed)
        if not made:
            organization.agency_outcome = Outcome.MATCHED
        elif changed:
            organization.agency_outcome = Outcome.UPDATED
        else:
            organization.agency_outcome = Outcome.UNCHANGED
    organization.agency = agency

    if mou is None:
        mou = agency_services.record_circular_mou(
            agency=agency,
            number=organization.mou_number,
            signed_on=organization.mou_date,
            scopes=LEGACY_MOU_SCOPES,
            recorded_by=run.started_by,
            reasons=_("Migrated from isinsured (run #%(run)d).") % {"run": run.pk},
            signatory=NOT_RECORDED,
        )
        organization.mou_outcome = Outcome.CREATED
    elif _made_mou(mou):
        if mou.signed_on != organization.mou_date:
            agency_services.correct_circular_mou_date(mou=mou, signed_on=organization.mou_date)
            organization.mou_outcome = Outcome.UPDATED
        else:
            organization.mou_outcome = Outcome.UNCHANGED
    else:
        organization.mou_outcome = Outcome.MATCHED
    organization.mou = mou
    organization.save(update_fields=["agency", "agency_outcome", "mou", "mou_outcome"])


# --- Chunks of users ---------------------------------------------------------------------------


_md5_hasher = PBKDF2WrappedMD5PasswordHasher()
_sha1_hasher = PBKDF2WrappedSHA1PasswordHasher()


def wrap_legacy_hash(hash_kind: str, legacy_hash: str) -> str:
    """The stored form of a legacy hash: PBKDF2 over it (the slow part of the migration)."""
    if hash_kind == HashKind.MD5:
        return _md5_hasher.wrap(legacy_hash)
    legacy_salt, sha1_hash = legacy_hash.rsplit("$", 1)
    return _sha1_hasher.wrap(legacy_salt, sha1_hash)


def _wraps(encoded: str, hash_kind: str, legacy_hash: str) -> bool:
    algorithm = encoded.split("$", 1)[0]
    if hash_kind == HashKind.MD5 and algorithm == _md5_hasher.algorithm:
        return _md5_hasher.wraps(encoded, legacy_hash)
    if hash_kind == HashKind.SHA1 and algorithm == _sha1_hasher.algorithm:
        legacy_salt, sha1_hash = legacy_hash.rsplit("$", 1)
        return _sha1_hasher.wraps(encoded, legacy_salt, sha1_hash)
    return False


def _password_is_replaceable(user: User) -> bool:
    """The migration may set this account's password: it made the account, and the person has
    not chosen a password since (none yet, or still the wrapped legacy one)."""
    legacy = getattr(user, "legacy_account", None)
    if legacy is None or not legacy.created_by_migration:
        return False
    if not user.has_usable_password():
        return True
    return identify_hasher(user.password).algorithm in WRAPPED_ALGORITHMS


def _prepare_password(row: MigrationRow) -> str | None:
    """The wrapped hash to store for this row, or None if there is nothing to store. Done before
    the chunk's transaction, so that no lock is held while PBKDF2 runs."""
    if not row.hash_kind or not row.is_active:
        return None
    legacy_hash = unseal(row.sealed_hash)
    user = (
        User.objects.select_related("legacy_account")
        .filter(national_code=row.national_code)
        .first()
    )
    if user is None:
        return wrap_legacy_hash(row.hash_kind, legacy_hash)
    if not _password_is_replaceable(user):
        return None
    if user.has_usable_password() and _wraps(user.password, row.hash_kind, legacy_hash):
        return None  # the same legacy hash as before
    return wrap_legacy_hash(row.hash_kind, legacy_hash)


@shared_task(name="isinsured.tasks.apply_chunk", **_RETRY_TRANSIENT)
def apply_chunk(chunk_id: int) -> bool:
    """Migrate the chunk's users in one transaction. Returns False if it was applied already
    (by an earlier delivery of the task) or cannot be applied yet."""
    chunk = MigrationChunk.objects.select_related("run").filter(pk=chunk_id).first()
    if chunk is None or chunk.applied_at is not None:
        return False
    run = chunk.run
    if run.organizations_applied_at is None:
        return False  # the organizations task enqueues this chunk again once it is done
    # Committed at once: which worker took it up, and how often (a redelivery counts twice).
    MigrationChunk.objects.filter(pk=chunk_id, applied_at=None).update(
        attempts=F("attempts") + 1, started_at=timezone.now()
    )
    rows = list(chunk.rows.filter(state=RowState.PENDING).order_by("row_number"))
    passwords = {row.pk: _prepare_password(row) for row in rows}
    with transaction.atomic():
        claimed = MigrationChunk.objects.filter(pk=chunk_id, applied_at=None).update(
            applied_at=timezone.now()
        )
        if claimed != 1:
            return False  # another worker got there first
        organizations = {
            organization.code: organization
            for organization in run.organizations.select_related("agency", "mou")
        }
        for row in rows:
            _apply_row(row, organizations[row.organization_code], passwords[row.pk], run)
        _finish_if_complete(run.pk)
    return True


def _skip(row: MigrationRow, reason: str) -> None:
    row.state = RowState.SKIPPED
    row.skip_reason = reason
    row.sealed_hash = ""
    row.applied_at = timezone.now()
    row.save(update_fields=["state", "skip_reason", "sealed_hash", "applied_at"])


def _apply_row(
    row: MigrationRow,
    organization: MigrationOrganization,
    wrapped_password: str | None,
    run: MigrationRun,
) -> None:
    if organization.problem or organization.agency is None:
        _skip(row, organization.problem)
        return
    agency = organization.agency
    legacy = (
        LegacyAccount.objects.select_for_update().filter(legacy_user_id=row.legacy_user_id).first()
    )
    user = (
        User.objects.select_for_update(of=("self",))
        .select_related("legacy_account")
        .filter(national_code=row.national_code)
        .first()
    )
    if legacy is not None and (user is None or legacy.user_id != user.pk):
        _skip(
            row,
            _("This legacy user was migrated earlier to another account (national code %(code)s).")
            % {"code": legacy.user.national_code},
        )
        return
    other_legacy = getattr(user, "legacy_account", None) if user is not None else None
    if legacy is None and other_legacy is not None:
        _skip(
            row,
            _("This national code was migrated earlier under legacy user id %(id)s.")
            % {"id": other_legacy.legacy_user_id},
        )
        return
    username_taken = (
        LegacyAccount.objects.filter(username_key=legacy_username_key(row.username))
        .exclude(legacy_user_id=row.legacy_user_id)
        .exists()
    )
    if username_taken:
        _skip(row, _("Another migrated person already has this user name."))
        return

    if user is None:
        user = _create_user(row, wrapped_password)
        legacy = LegacyAccount.objects.create(
            user=user,
            legacy_user_id=row.legacy_user_id,
            username=row.username,
            created_by_migration=True,
            legacy_last_login=row.last_login,
            password_from_isinsured=bool(wrapped_password),
        )
        row.user_outcome = Outcome.CREATED
    elif legacy is None:
        # The person has an account already: it gets the membership; nothing of it changes, but
        # one that has not proven a mobile must do so before the old user name opens anything.
        legacy = LegacyAccount.objects.create(
            user=user,
            legacy_user_id=row.legacy_user_id,
            username=row.username,
            created_by_migration=False,
            legacy_last_login=row.last_login,
        )
        if not (user.mobile_verified and user.identity_proven):
            require_account_completion(user=user)
        row.user_outcome = Outcome.MATCHED
    else:
        changed = _update_legacy(legacy, row)
        if legacy.created_by_migration and user.last_login is None:
            changed |= _update_user(user, row, wrapped_password)
            if wrapped_password and not legacy.password_from_isinsured:
                legacy.password_from_isinsured = True
                legacy.save(update_fields=["password_from_isinsured"])
        row.user_outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED

    membership, row.membership_outcome = _membership_for(user, agency, row, run)
    if membership.is_active:  # an earlier run's grant, or a membership the person had
        assign_role(user=user, role=ROLE_FOR_MEMBERSHIP[MembershipRole(membership.role)])
    new_access = row.membership_outcome in {Outcome.CREATED, Outcome.REACTIVATED}
    if membership.is_active and new_access and not user.has_usable_password():
        invite_member(membership=membership)  # the link to set a password, sent after commit
        row.invited = True
    row.user = user
    row.membership = membership
    row.state = RowState.APPLIED
    row.sealed_hash = ""
    row.applied_at = timezone.now()
    row.save(
        update_fields=[
            "user",
            "user_outcome",
            "membership",
            "membership_outcome",
            "invited",
            "state",
            "sealed_hash",
            "applied_at",
        ]
    )


def _mobile_if_free(mobile: str, user: User | None = None) -> str | None:
    if not mobile:
        return None
    taken = User.objects.filter(mobile=mobile)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    return None if taken.exists() else mobile


def _create_user(row: MigrationRow, wrapped_password: str | None) -> User:
    # Inactive legacy users, and those without a hash, get no usable password; every migrated
    # account proves a mobile (and replaces isinsured's password, if it came along) first.
    return open_account(
        national_code=row.national_code,
        first_name=row.first_name,
        last_name=row.last_name,
        mobile=_mobile_if_free(row.mobile),
        email=row.email,
        password_hash=wrapped_password,
        must_complete=True,
    )


def _update_legacy(legacy: LegacyAccount, row: MigrationRow) -> bool:
    changed = []
    if legacy.username != row.username:
        legacy.username = row.username
        changed.append("username")
    if legacy.legacy_last_login != row.last_login:
        legacy.legacy_last_login = row.last_login
        changed.append("legacy_last_login")
    if changed:
        legacy.save(update_fields=changed)
    return bool(changed)


def _update_user(user: User, row: MigrationRow, wrapped_password: str | None) -> bool:
    """A corrected file's values, for an account the migration made and nobody has used yet. A
    mobile another account holds now is not taken: the account keeps its own."""
    mobile = _mobile_if_free(row.mobile, user)
    if mobile is None and row.mobile:
        mobile = user.mobile
    return correct_unused_account(
        user=user,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        mobile=mobile,
        password_hash=wrapped_password if _password_is_replaceable(user) else None,
    )


def _membership_for(
    user: User, agency: Agency, row: MigrationRow, run: MigrationRun
) -> tuple[Membership, str]:
    membership = Membership.objects.select_for_update().filter(user=user, agency=agency).first()
    if membership is None:
        membership = agency_services.add_membership(
            user=user, agency=agency, role=MembershipRole.STAFF, granted_by=run.started_by
        )
        if not row.is_active:
            agency_services.deactivate_membership(
                membership=membership, by=run.started_by, reasons=INACTIVE_ON_ISINSURED
            )
        return membership, Outcome.CREATED
    made = MigrationRow.objects.filter(
        membership=membership, membership_outcome=Outcome.CREATED
    ).exists()
    if not made:
        return membership, Outcome.MATCHED
    if row.is_active and not membership.is_active:
        if membership.removal_reasons != INACTIVE_ON_ISINSURED:
            return membership, Outcome.UNCHANGED  # an operator removed it: that stands
        agency_services.reactivate_membership(membership=membership)
        return membership, Outcome.REACTIVATED
    if not row.is_active and membership.is_active:
        agency_services.deactivate_membership(
            membership=membership, by=run.started_by, reasons=INACTIVE_ON_ISINSURED
        )
        return membership, Outcome.DEACTIVATED
    return membership, Outcome.UNCHANGED


def _finish_if_complete(run_id: int) -> None:
    # The run's row lock orders the chunks' last steps: of two chunks finishing at once, the
    # second to take the lock sees the first one committed, so one of them marks the run done.
    run = MigrationRun.objects.select_for_update().get(pk=run_id)
    if run.finished_at is None and not run.chunks.filter(applied_at=None).exists():
        run.state = RunState.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "finished_at"])
