"""The isinsured export file (docs/isinsured-migration.md): read it and check every row.

Nothing here touches the database. The result says, for every row, either its clean values or
everything wrong with it; problems that span rows (the same national code under two legacy
ids, an organization described two ways) are found after all rows are read.
"""

import csv
import datetime
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKind
from portal.cells import FieldProblem, RowProblem, date, national_code
from portal.digits import normalize_digits, to_ascii_digits
from portal.phones import normalize_mobile
from portal.validators import clean_legal_id

COLUMNS = (
    "legacy_user_id",
    "username",
    "first_name",
    "last_name",
    "national_code",
    "mobile",
    "email",
    "organization_code",
    "organization_name",
    "organization_kind",
    "organization_legal_id",
    "mou_number",
    "mou_date",
    "password_hash",
    "is_active",
    "last_login",
)
ORGANIZATION_COLUMNS = (
    "organization_name",
    "organization_kind",
    "organization_legal_id",
    "mou_number",
    "mou_date",
)
# isinsured's kinds and the portal's. isinsured's "other" is the portal's "other public body".
KINDS = {
    "judicial": AgencyKind.JUDICIAL,
    "quasi_judicial": AgencyKind.QUASI_JUDICIAL,
    "insurance_fund": AgencyKind.INSURANCE_FUND,
    "support_relief": AgencyKind.SUPPORT_RELIEF,
    "other": AgencyKind.PUBLIC_BODY,
}
_MD5 = re.compile(r"md5\$([0-9a-fA-F]{32})")
_SHA1 = re.compile(r"sha1\$([^$]+)\$([0-9a-fA-F]{40})")
_TIME = re.compile(r"^(.*?)(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


class LegacyFileError(Exception):
    """The file cannot be read at all (missing, not UTF-8, wrong header)."""


@dataclass(frozen=True)
class LegacyOrganization:
    code: str
    name: str
    kind: str
    legal_id: str
    mou_number: str
    mou_date: datetime.date
    first_row: int


@dataclass
class LegacyUser:
    row_number: int
    legacy_user_id: str
    username: str
    first_name: str
    last_name: str
    national_code: str
    mobile: str
    email: str
    organization_code: str
    hash_kind: str  # "", "md5" or "sha1"
    legacy_hash: str  # "<hex>" for md5, "<salt>$<hex>" for sha1, "" for none
    is_active: bool
    last_login: datetime.datetime | None
    note: str = ""


@dataclass
class LegacyFile:
    checksum: str
    rows_total: int = 0
    users: list[LegacyUser] = field(default_factory=list)
    organizations: dict[str, LegacyOrganization] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def invalid_rows(self) -> list[int]:
        return sorted({problem.row for problem in self.problems})


# --- Cells -------------------------------------------------------------------------------------


def _required(text: str, max_length: int) -> str:
    value = text.strip()
    if not value:
        raise FieldProblem(_("This value is required."))
    if len(value) > max_length:
        raise FieldProblem(
            _("This text is longer than %(length)d characters.") % {"length": max_length}
        )
    return value


def name(*, max_length: int, required: bool = True) -> Callable[[str], str]:
    """A person's or organization's name, inner spaces collapsed."""

    def parse(text: str) -> str:
        value = " ".join(text.split())
        if not value and required:
            raise FieldProblem(_("This value is required."))
        if len(value) > max_length:
            raise FieldProblem(
                _("This text is longer than %(length)d characters.") % {"length": max_length}
            )
        return value

    return parse


def _username(text: str) -> str:
    value = _required(text, 150)
    if any(character.isspace() for character in value):
        raise FieldProblem(_("A user name cannot contain spaces."))
    if not normalize_digits(value):
        raise FieldProblem(_("This value is required."))
    return value


def _mobile(text: str) -> str:
    if not text.strip():
        return ""
    try:
        return normalize_mobile(text)
    except ValidationError as error:
        raise FieldProblem(error.messages[0]) from None


def _email(text: str) -> str:
    value = text.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise FieldProblem(_("%(value)s is not an email address.") % {"value": text}) from None
    return value


def _kind(text: str) -> str:
    value = text.strip().lower()
    if value not in KINDS:
        raise FieldProblem(
            _("%(value)s is not a known organization kind (one of: %(allowed)s).")
            % {"value": text, "allowed": ", ".join(KINDS)}
        )
    return KINDS[value]


def _legal_id(text: str) -> str:
    if not text.strip():
        return ""
    try:
        return clean_legal_id(text)
    except ValidationError as error:
        raise FieldProblem(error.messages[0]) from None


def _split_time(text: str) -> tuple[str, datetime.time | None]:
    match = _TIME.match(to_ascii_digits(text).strip())
    assert match is not None  # noqa: S101 (the pattern matches any text)
    day, hour, minute, second = match.groups()
    if hour is None:
        return day, None
    try:
        return day, datetime.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise FieldProblem(_("%(value)s is not a time of day.") % {"value": text}) from None


def _mou_date(text: str) -> datetime.date:
    day, _time = _split_time(text)
    value = date(day)
    if value > timezone.localdate():
        raise FieldProblem(_("The MoU's date is in the future."))
    return value


def _last_login(text: str) -> datetime.datetime | None:
    if not text.strip():
        return None
    day, time = _split_time(text)
    value = datetime.datetime.combine(date(day), time or datetime.time())
    return timezone.make_aware(value)


def _password_hash(text: str) -> tuple[str, str]:
    value = text.strip()
    if not value:
        return "", ""
    if match := _MD5.fullmatch(value):
        return "md5", match.group(1).lower()
    if match := _SHA1.fullmatch(value):
        return "sha1", f"{match.group(1)}${match.group(2).lower()}"
    # The value itself is not repeated: the report must not carry password hashes either.
    raise FieldProblem(
        _("Unknown password hash format; expected md5$<32 hex digits> or sha1$<salt>$<40 hex>.")
    )


def _is_active(text: str) -> bool:
    value = normalize_digits(text)
    if value not in {"0", "1"}:
        raise FieldProblem(_("%(value)s should be 1 (active) or 0 (inactive).") % {"value": text})
    return value == "1"


_CELLS = {
    "legacy_user_id": lambda text: _required(text, 50),
    "username": _username,
    "first_name": name(max_length=150, required=False),
    "last_name": name(max_length=150, required=False),
    "national_code": national_code,
    "mobile": _mobile,
    "email": _email,
    "organization_code": lambda text: _required(text, 50),
    "organization_name": lambda text: name(max_length=200)(text),
    "organization_kind": _kind,
    "organization_legal_id": _legal_id,
    "mou_number": lambda text: _required(to_ascii_digits(text), 50),
    "mou_date": _mou_date,
    "password_hash": _password_hash,
    "is_active": _is_active,
    "last_login": _last_login,
}


# --- The file ----------------------------------------------------------------------------------


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise LegacyFileError(
            _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
        ) from None
    return digest.hexdigest()


def read_legacy_file(path: Path) -> LegacyFile:
    """Every row of the file, checked: the good users and organizations, and every problem."""
    result = LegacyFile(checksum=file_checksum(path))
    parsed: list[tuple[int, dict[str, object]]] = []
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        row_number = 1
        try:
            header = next(reader, None)
            if header is None:
                raise LegacyFileError(_("%(path)s is empty.") % {"path": path})
            found = tuple(cell.strip().lower() for cell in header)
            if found != COLUMNS:
                raise LegacyFileError(
                    _("The header row should be: %(expected)s. It is: %(found)s.")
                    % {"expected": ",".join(COLUMNS), "found": ",".join(header)}
                )
            for row_number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                result.rows_total += 1
                values = _parse_cells(row_number, cells, result.problems)
                if values is not None:
                    parsed.append((row_number, values))
        except UnicodeDecodeError:
            raise LegacyFileError(
                _("The file is not UTF-8 text after row %(row)d; save it as CSV UTF-8.")
                % {"row": row_number}
            ) from None
        except csv.Error as error:
            raise LegacyFileError(
                _("The file is not readable CSV after row %(row)d: %(reason)s")
                % {"row": row_number, "reason": error}
            ) from None
    _check_across_rows(parsed, result)
    result.problems.sort(key=lambda problem: (problem.row, COLUMNS.index(problem.column)))
    return result


def _parse_cells(
    row_number: int, cells: list[str], problems: list[RowProblem]
) -> dict[str, object] | None:
    """The row's values by column; None if the row's shape is wrong. Bad cells are FieldProblem
    values (and reported), so that the good ones still count in the checks across rows."""
    if len(cells) != len(COLUMNS):
        problems.append(
            RowProblem(
                row_number,
                "legacy_user_id",
                _("Expected %(expected)d columns, found %(found)d.")
                % {"expected": len(COLUMNS), "found": len(cells)},
            )
        )
        return None
    values: dict[str, object] = {}
    for column, text in zip(COLUMNS, cells, strict=True):
        try:
            values[column] = _CELLS[column](text)
        except FieldProblem as problem:
            values[column] = problem
            problems.append(RowProblem(row_number, column, str(problem)))
    return values


def _good(values: dict[str, object], *columns: str) -> bool:
    return not any(isinstance(values[column], FieldProblem) for column in columns)


def _check_across_rows(parsed: list[tuple[int, dict[str, object]]], result: LegacyFile) -> None:
    problems = result.problems
    organizations: dict[str, LegacyOrganization] = {}
    legal_ids: dict[str, str] = {}
    mou_numbers: dict[str, str] = {}
    ids_by_code: dict[str, dict[str, int]] = {}
    usernames: dict[str, tuple[str, int]] = {}
    legacy_ids: dict[str, int] = {}
    organization: LegacyOrganization | None
    for row_number, values in parsed:
        if _good(values, "national_code", "legacy_user_id"):
            code, legacy_id = str(values["national_code"]), str(values["legacy_user_id"])
            ids_by_code.setdefault(code, {}).setdefault(legacy_id, row_number)
        org_code = values["organization_code"]
        if not isinstance(org_code, str) or not _good(values, *ORGANIZATION_COLUMNS):
            continue
        if org_code in organizations:
            continue
        organization = LegacyOrganization(
            code=org_code,
            name=str(values["organization_name"]),
            kind=str(values["organization_kind"]),
            legal_id=str(values["organization_legal_id"]),
            mou_number=str(values["mou_number"]),
            mou_date=values["mou_date"],  # type: ignore[arg-type]
            first_row=row_number,
        )
        clash = None
        if organization.legal_id and organization.legal_id in legal_ids:
            clash = (
                "organization_legal_id",
                _("This legal ID is already given to organization %(code)s.")
                % {"code": legal_ids[organization.legal_id]},
            )
        elif organization.mou_number in mou_numbers:
            clash = (
                "mou_number",
                _("This MoU number is already given to organization %(code)s.")
                % {"code": mou_numbers[organization.mou_number]},
            )
        if clash:
            problems.append(RowProblem(row_number, *clash))
            continue
        organizations[org_code] = organization
        if organization.legal_id:
            legal_ids[organization.legal_id] = org_code
        mou_numbers[organization.mou_number] = org_code

    mobiles: dict[str, int] = {}
    row_problems = {problem.row for problem in problems}
    for row_number, values in parsed:
        row_is_bad = row_number in row_problems
        found: list[tuple[str, str]] = []
        org_code = values["organization_code"]
        organization = organizations.get(org_code) if isinstance(org_code, str) else None
        if organization is not None and organization.first_row != row_number:
            differing = [
                column
                for column in ORGANIZATION_COLUMNS
                if _good(values, column)
                and values[column] != _organization_value(organization, column)
            ]
            for column in differing:
                found.append(
                    (
                        column,
                        _("Organization %(code)s is described differently at row %(row)d.")
                        % {"code": organization.code, "row": organization.first_row},
                    )
                )
        elif organization is None and isinstance(org_code, str) and not row_is_bad:
            found.append(
                (
                    "organization_code",
                    _("Organization %(code)s has no valid description in this file.")
                    % {"code": org_code},
                )
            )
        if _good(values, "legacy_user_id"):
            legacy_id = str(values["legacy_user_id"])
            if legacy_id in legacy_ids:
                found.append(
                    (
                        "legacy_user_id",
                        _("The same legacy user id is already at row %(row)d.")
                        % {"row": legacy_ids[legacy_id]},
                    )
                )
            else:
                legacy_ids[legacy_id] = row_number
        if _good(values, "national_code", "legacy_user_id"):
            others = {
                legacy_id: other_row
                for legacy_id, other_row in ids_by_code[str(values["national_code"])].items()
                if legacy_id != values["legacy_user_id"]
            }
            if others:
                legacy_id, other_row = next(iter(others.items()))
                found.append(
                    (
                        "national_code",
                        _(
                            "The same national code is also under legacy user id %(id)s "
                            "(row %(row)d)."
                        )
                        % {"id": legacy_id, "row": other_row},
                    )
                )
        if _good(values, "username", "legacy_user_id"):
            key = normalize_digits(str(values["username"])).casefold()
            if key in usernames and usernames[key][0] != values["legacy_user_id"]:
                found.append(
                    (
                        "username",
                        _("The same user name is already at row %(row)d.")
                        % {"row": usernames[key][1]},
                    )
                )
            else:
                usernames.setdefault(key, (str(values["legacy_user_id"]), row_number))
        problems.extend(RowProblem(row_number, column, message) for column, message in found)
        if row_is_bad or found:
            continue
        hash_kind, legacy_hash = cast(tuple[str, str], values["password_hash"])
        user = LegacyUser(
            row_number=row_number,
            legacy_user_id=str(values["legacy_user_id"]),
            username=str(values["username"]),
            first_name=str(values["first_name"]),
            last_name=str(values["last_name"]),
            national_code=str(values["national_code"]),
            mobile=str(values["mobile"]),
            email=str(values["email"]),
            organization_code=str(org_code),
            hash_kind=hash_kind,
            legacy_hash=legacy_hash,
            is_active=bool(values["is_active"]),
            last_login=values["last_login"],  # type: ignore[arg-type]
        )
        if user.mobile:
            if user.mobile in mobiles:
                # One number, two people: the second account is made without it (as granting
                # staff does), rather than leaving the person out.
                user.note = _(
                    "The mobile is also given at row %(row)d; this account gets no mobile."
                ) % {"row": mobiles[user.mobile]}
                user.mobile = ""
            else:
                mobiles[user.mobile] = row_number
        result.users.append(user)
    used = {user.organization_code for user in result.users}
    result.organizations = {
        code: organization for code, organization in organizations.items() if code in used
    }


def _organization_value(organization: LegacyOrganization, column: str) -> object:
    return {
        "organization_name": organization.name,
        "organization_kind": organization.kind,
        "organization_legal_id": organization.legal_id,
        "mou_number": organization.mou_number,
        "mou_date": organization.mou_date,
    }[column]
