"""Document inquiry: an agency's staff member opens a citizen's certificate with its access code.

The services of /gov/documents/ (kept apart from `documents.services`, which serves the holder).
Every refusal looks the same from outside, whatever was wrong (no oracle); the reason is kept
for the log only. Failed attempts are counted in the cache (Redis in production, shared by every
process) per staff member, per agency, per (agency, holder) and per holder; the holder-wide limit
is set so high that one agency alone cannot reach it (ADR 0007, `documents.checks`).
"""

import datetime
import enum
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from agencies.models import Agency, Mou
from agencies.scopes import Scope
from documents.identifiers import (
    access_code_digest,
    access_code_is_well_formed,
    normalize_access_code,
)
from documents.models import AccessCode, Certificate, InboxNotice, Redemption, Validity
from inquiries.disclosures import record_disclosure
from inquiries.models import DisclosureChannel
from portal import metrics, throttle

logger = logging.getLogger(__name__)

DISCLOSURE_PURPOSE = "certificate"


class RefusalReason(enum.Enum):
    """Why a redemption was refused: for the log and the tests, never for the page."""

    UNKNOWN_HOLDER_OR_CODE = "unknown_holder_or_code"
    CODE_REVOKED = "code_revoked"
    CODE_EXPIRED = "code_expired"
    CODE_USED_UP = "code_used_up"
    OTHER_AGENCY = "other_agency"
    CERTIFICATE_NOT_VALID = "certificate_not_valid"
    CERTIFICATE_NOT_READY = "certificate_not_ready"


class RedemptionRefused(Exception):
    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class RedemptionLimit(enum.StrEnum):
    """Which failed-attempt limit stopped an inquiry; the 429 page says which."""

    STAFF = "staff"  # this staff member, whichever holder
    AGENCY = "agency"  # every staff member of the agency together, whichever holder
    AGENCY_HOLDER = "agency_holder"  # the agency, for this holder's national code
    HOLDER = "holder"  # this holder's national code, by several agencies


class RedemptionThrottled(Exception):
    """Too many failed attempts: `limit` says whose, `retry_after` (seconds) when to try again."""

    def __init__(self, *, limit: RedemptionLimit, retry_after: int) -> None:
        super().__init__(limit.value)
        self.limit = limit
        self.retry_after = retry_after


def disclosed_scopes(certificate: Certificate) -> list[str]:
    """What the certificate shows, as MoU scopes: everything it holds, or, for a person with no
    record, that they are neither insured nor a pensioner."""
    if not certificate.snapshot.get("has_record"):
        return [Scope.COVERAGE_FLAG, Scope.PENSION_FLAG]
    return list(Scope.values)


# --- Counting failed attempts ------------------------------------------------------------------


@dataclass(frozen=True)
class _Attempt:
    """An attempt counted as a failure up front; `forgive` takes it back if it succeeds.

    Counting first and forgiving later (rather than checking first and counting failures after)
    keeps the limit exact when one staff member fires many guesses in parallel.
    """

    keys: tuple[str, ...]

    def forgive(self) -> None:
        for key in self.keys:
            throttle.forget_one(key)


def _limits(
    *, staff_member: User, agency_id: int, national_code: str
) -> list[tuple[RedemptionLimit, str, tuple[int, int]]]:
    """The counters an attempt is counted under, in the order they are checked: the narrowest
    first, so an attempt refused by one limit is not counted under the wider ones."""
    return [
        (
            RedemptionLimit.STAFF,
            f"redeem:staff:{staff_member.pk}",
            settings.DOCUMENT_INQUIRY_STAFF_FAILURES,
        ),
        (
            RedemptionLimit.AGENCY,
            f"redeem:agency:{agency_id}",
            settings.DOCUMENT_INQUIRY_AGENCY_FAILURES,
        ),
        (
            RedemptionLimit.AGENCY_HOLDER,
            f"redeem:agency-holder:{agency_id}:{national_code}",
            settings.DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES,
        ),
        (
            RedemptionLimit.HOLDER,
            f"redeem:holder:{national_code}",
            settings.DOCUMENT_INQUIRY_HOLDER_FAILURES,
        ),
    ]


def _count_attempt(*, staff_member: User, agency_id: int, national_code: str) -> _Attempt:
    counted: list[str] = []
    for limit, key, (allowed, window) in _limits(
        staff_member=staff_member, agency_id=agency_id, national_code=national_code
    ):
        if not throttle.hit(key, limit=allowed, window_seconds=window):
            # This attempt is not checked, so it counts under no limit at all: a staff member
            # whose agency is paused for one holder keeps their own allowance, and an agency
            # paused for a holder adds nothing to the holder-wide count (one agency can never
            # lock a holder out for every agency).
            throttle.forget_one(key)
            for earlier in counted:
                throttle.forget_one(earlier)
            raise RedemptionThrottled(limit=limit, retry_after=window)
        counted.append(key)
    return _Attempt(keys=tuple(counted))


# --- Redeeming ---------------------------------------------------------------------------------


@sensitive_variables("code", "normalized")
def redeem_access_code(
    *,
    staff_member: User,
    mou: Mou,
    national_code: str,
    code: str,
    client_ip: str | None,
    api_client_id: int | None = None,
) -> Redemption:
    """Open the holder's certificate for the staff member's agency, using one use of the code.

    `national_code` is already validated (10 ASCII digits); `code` is what the staff member
    typed (case, separators and digit scripts do not matter).

    On success, one transaction writes the use, the `Redemption`, the disclosure record and the
    holder's inbox notice naming the agency. Raises `RedemptionThrottled` once too many attempts
    failed (nothing is checked then), and `RedemptionRefused` for anything else that is wrong;
    a refusal adds to the holder's failed-attempt notice of the window, in its own transaction.
    An agency's system (`api_client_id`) redeems for its responsible person, on the API channel.
    Not atomic as a whole for that reason: the notice must stay while the refusal is raised.
    """
    attempt = _count_attempt(
        staff_member=staff_member, agency_id=mou.agency_id, national_code=national_code
    )
    normalized = normalize_access_code(code)
    try:
        redemption = _redeem(
            staff_member=staff_member,
            mou=mou,
            national_code=national_code,
            code=normalized,
            client_ip=client_ip,
            api_client_id=api_client_id,
        )
    except RedemptionRefused as refusal:
        logger.info(
            "document inquiry refused: %s (staff member %s, agency %s)",
            refusal.reason.value,
            staff_member.pk,
            mou.agency_id,
        )
        _notify_failed_attempt(national_code=national_code, agency=mou.agency)
        raise
    except BaseException:
        attempt.forgive()  # our failure, not a wrong guess
        raise
    attempt.forgive()
    metrics.count_redemption(agency_id=mou.agency_id)
    return redemption


def _matching_code(*, national_code: str, code: str) -> AccessCode | None:
    """The holder's access code equal to `code`, compared in constant time, or None."""
    if not access_code_is_well_formed(code):
        return None
    digest = access_code_digest(code)
    candidates = AccessCode.objects.filter(
        certificate__holder__national_code=national_code
    ).values_list("pk", "code_digest")
    found = None
    for pk, stored_digest in candidates:
        # Every candidate is compared, so the time taken does not depend on which one matched.
        if hmac.compare_digest(digest, stored_digest) and found is None:
            found = pk
    if found is None:
        return None
    return AccessCode.objects.select_related("certificate", "bound_agency").get(pk=found)


def _check(access_code: AccessCode | None, *, agency: Agency, now: datetime.datetime) -> AccessCode:
    if access_code is None:
        raise RedemptionRefused(RefusalReason.UNKNOWN_HOLDER_OR_CODE)
    if access_code.revoked_at is not None:
        raise RedemptionRefused(RefusalReason.CODE_REVOKED)
    if access_code.valid_until <= now:
        raise RedemptionRefused(RefusalReason.CODE_EXPIRED)
    if access_code.uses >= access_code.max_uses:
        raise RedemptionRefused(RefusalReason.CODE_USED_UP)
    if access_code.bound_agency_id is not None and access_code.bound_agency_id != agency.pk:
        raise RedemptionRefused(RefusalReason.OTHER_AGENCY)
    certificate = access_code.certificate
    if certificate.validity(now) != Validity.VALID:
        raise RedemptionRefused(RefusalReason.CERTIFICATE_NOT_VALID)
    if not certificate.has_pdf:
        raise RedemptionRefused(RefusalReason.CERTIFICATE_NOT_READY)
    return access_code


@transaction.atomic
def _redeem(
    *,
    staff_member: User,
    mou: Mou,
    national_code: str,
    code: str,
    client_ip: str | None,
    api_client_id: int | None,
) -> Redemption:
    now = timezone.now()
    access_code = _check(
        _matching_code(national_code=national_code, code=code), agency=mou.agency, now=now
    )
    # The use is taken by a conditional update: under concurrent redemptions PostgreSQL makes
    # each wait for the row and re-checks the condition, so the uses never pass the limit
    # (and a code revoked meanwhile is not used).
    taken = AccessCode.objects.filter(
        pk=access_code.pk,
        revoked_at__isnull=True,
        valid_until__gt=now,
        uses__lt=F("max_uses"),
    ).update(uses=F("uses") + 1)
    if not taken:
        raise RedemptionRefused(RefusalReason.CODE_USED_UP)
    certificate = access_code.certificate
    disclosure = record_disclosure(
        national_code=national_code,
        staff_member=staff_member,
        mou=mou,
        channel=DisclosureChannel.CERTIFICATE if api_client_id is None else DisclosureChannel.API,
        api_client_id=api_client_id,
        scopes=disclosed_scopes(certificate),
        record_found=bool(certificate.snapshot.get("has_record")),
        purpose=DISCLOSURE_PURPOSE,
        purpose_detail=certificate.number,
        client_ip=client_ip,
    )
    redemption = Redemption.objects.create(
        access_code=access_code,
        certificate=certificate,
        agency_id=mou.agency_id,
        mou=mou,
        staff_member=staff_member,
        disclosure=disclosure,
        redeemed_at=now,
        pdf_available_until=min(
            now + datetime.timedelta(minutes=settings.DOCUMENT_INQUIRY_OPEN_MINUTES),
            certificate.valid_until,
        ),
    )
    InboxNotice.objects.create(
        recipient_id=certificate.holder_id,
        certificate=certificate,
        kind=InboxNotice.Kind.REDEEMED,
        details={"agency": mou.agency.name, "redemption": redemption.pk},
        created_at=now,
    )
    return redemption


@transaction.atomic
def _notify_failed_attempt(*, national_code: str, agency: Agency) -> None:
    """Tell the holder (if the national code has an account) that an agency failed to open a
    certificate with their national code: one notice per window, summing up the attempts and
    naming the agencies. An agency is accountable for its staff's attempts and the holder can
    take it up with them; the staff member is not named.

    The holder's row is locked first, so parallel failures add to one notice instead of each
    starting its own. A later attempt marks the notice unread again.
    """
    holder = User.objects.select_for_update().filter(national_code=national_code).only("pk").first()
    if holder is None:
        return
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.DOCUMENT_INQUIRY_FAILURE_NOTICE_WINDOW_SECONDS)
    notice = (
        InboxNotice.objects.filter(
            recipient=holder,
            kind=InboxNotice.Kind.FAILED_ATTEMPT,
            created_at__gt=now - window,
            details__has_key="attempts",
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if notice is None:
        InboxNotice.objects.create(
            recipient=holder,
            kind=InboxNotice.Kind.FAILED_ATTEMPT,
            details={"attempts": 1, "agencies": [agency.name], "last_at": now.isoformat()},
            created_at=now,
        )
        return
    agencies = list(notice.details.get("agencies", []))
    if agency.name not in agencies:
        agencies.append(agency.name)
    notice.details = {
        "attempts": int(notice.details.get("attempts", 0)) + 1,
        "agencies": agencies,
        "last_at": now.isoformat(),
    }
    notice.read_at = None
    notice.save(update_fields=["details", "read_at"])
