import csv
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.utils import timezone, translation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import generate_isinsured

from accounts.identity.backends import locmem as identity_service
from accounts.models import LegacyAccount, User
from agencies.models import Agency, Invitation, Membership, Mou, MouEvent
from tests.conftest import PASSWORD

COLUMNS = generate_isinsured.COLUMNS
password_for = generate_isinsured.password_for


@pytest.fixture(autouse=True)
def _fast_pbkdf2(monkeypatch):
    # PBKDF2 at Django's million iterations costs ~0.4 s a hash; the wrapped hashers inherit
    # the count, and a hash records its own count, so fewer iterations test the same paths.
    monkeypatch.setattr(PBKDF2PasswordHasher, "iterations", 1000)


def legacy_rows(users: int = 6, organizations: int = 2, **options: Any) -> list[list[str]]:
    return list(generate_isinsured.rows(users=users, organizations=organizations, **options))


def write_export(path: Path, rows: Iterable[list[str]], *, bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def complete_account(user: User) -> User:
    """As if the migrated person had completed the account (a proven mobile, a new password)."""
    mobile = user.mobile or f"+98939{user.national_code[-7:]}"
    identity_service.register(user.national_code, mobile)
    user.mobile, user.mobile_verified = mobile, True
    user.identity_verified_at = timezone.now()
    user.must_complete_account = False
    user.set_password(PASSWORD)
    user.save()
    LegacyAccount.objects.filter(user=user).update(password_from_isinsured=False)
    return user


def cell(row: list[str], column: str) -> str:
    return row[COLUMNS.index(column)]


def with_cell(row: list[str], column: str, value: str) -> list[str]:
    changed = list(row)
    changed[COLUMNS.index(column)] = value
    return changed


@pytest.fixture
def export(tmp_path) -> Path:
    return write_export(tmp_path / "isinsured.csv", legacy_rows())


@pytest.fixture
def migrate(django_capture_on_commit_callbacks, operator, capsys):
    """Run `migrate_isinsured` with the tasks run eagerly after the commit; returns its output."""

    def _migrate(path: Path, *args: str) -> str:
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            call_command(
                "migrate_isinsured",
                str(path),
                "--operator",
                operator.national_code,
                "--no-wait",
                *args,
            )
        with translation.override("en"):
            call_command("migrate_isinsured", "--status")
        captured = capsys.readouterr()
        return captured.out + captured.err

    return _migrate


def snapshot() -> dict[str, Any]:
    """Everything the migration writes to, as plain values, to compare two moments."""
    return {
        "users": sorted(
            User.objects.values_list(
                "national_code", "first_name", "last_name", "mobile", "email", "password",
                "is_active",
            )
        ),
        "legacy": sorted(
            LegacyAccount.objects.values_list(
                "legacy_user_id", "username", "user__national_code", "created_by_migration"
            )
        ),
        "agencies": sorted(Agency.objects.values_list("name", "kind", "legal_id", "legacy_code")),
        "mous": sorted(
            Mou.objects.values_list("number", "agency__legal_id", "signed_on", "basis", "status")
        ),
        "mou_events": MouEvent.objects.count(),
        "memberships": sorted(
            Membership.objects.values_list(
                "user__national_code", "agency__legal_id", "role", "is_active"
            )
        ),
        "invitations": Invitation.objects.count(),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    }  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    """These tests read command output and messages in English; pages set their own language."""
    with translation.override("en"):
        yield
