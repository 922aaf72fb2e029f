"""Actions that change accounts."""

import datetime
import enum
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.identity import Ownership, mobile_belongs_to
from accounts.models import LegacyAccount, User
from accounts.roles import Role
from portal import throttle
from portal.sms import send_templated_sms, send_templated_sms_in_background

logger = logging.getLogger(__name__)

_RESET_KEY = "accounts:password-reset-sms:{national_code}"
_RESET_CLOSED_KEY = "accounts:password-reset-sms-closed:{national_code}"
_COMPLETION_CODE_KEY = "accounts:completion-mobile:{user_id}"

# Session keys of the staff timeouts (accounts.middleware.StaffSessionTimeoutMiddleware).
SIGNED_IN_AT = "portal_signed_in_at"
LAST_SEEN_AT = "portal_last_seen_at"
STAFF_SESSION = "portal_staff_session"


def start_session_clock(request: HttpRequest, *, user: User) -> None:
    """Note when this session signed in, and whether as staff, for the staff timeouts."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session[STAFF_SESSION] = user.has_staff_role


def end_all_sessions(*, user: User) -> int:
    """Sign the user out everywhere: every session allauth.usersessions knows, on every device.

    Each sign-in through allauth (the sign-in form, the admin's, sign-up, password reset) is
    recorded there; a session that somehow is not would still stop working once the account is
    inactive, as Django's backends refuse inactive users.
    """
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    return len(sessions)


def end_current_session(request: HttpRequest) -> None:
    """Sign out this session only (a timeout), leaving the user's other devices signed in."""
    if request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
    request.session.flush()
    request.user = AnonymousUser()


@transaction.atomic
def deactivate_account(*, user: User) -> None:
    """Turn an account off; its sessions end at once (also when done in the admin: signals.py)."""
    user.is_active = False
    user.save(update_fields=["is_active"])


def _code_digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def start_password_reset_by_sms(*, national_code: str, mobile: str) -> None:
    """Text a 6-digit code to the account's verified mobile, if the two match an account and
    SMS reset is not closed for it.

    Says nothing either way, so the form cannot tell anyone whether an account exists.
    """
    user = User.objects.filter(
        national_code=national_code, mobile=mobile, mobile_verified=True, is_active=True
    ).first()
    if user is None or password_reset_by_sms_closed(national_code=national_code):
        return
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_RESET_KEY.format(national_code=national_code), _code_digest(code), _reset_timeout())
    send_templated_sms_in_background(
        to=mobile,
        template_name="password_reset_code",
        context={"code": code},
        language=user.language,
    )


def password_reset_code_matches(*, national_code: str, code: str) -> bool:
    """Check a reset code in constant time; the sixth try voids the code, and the day's
    PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS + 1st try on the account closes SMS reset.

    Tries are counted with an atomic increment, so parallel guesses cannot share one count.
    A new code does not reset the count: asking again is no way around the limit. Nor is
    waiting for the code's count to expire: the account's guesses are counted for a day too.
    """
    key = _RESET_KEY.format(national_code=national_code)
    digest = cache.get(key)
    if digest is None or not _count_daily_reset_guess(national_code=national_code):
        return False
    attempts_key = f"{key}:attempts"
    cache.add(attempts_key, 0, _reset_timeout())
    try:
        attempts = cache.incr(attempts_key)
    except ValueError:  # the count expired just now, and the code with it
        return False
    if attempts > settings.PASSWORD_RESET_SMS_MAX_ATTEMPTS:
        cache.delete(key)
        return False
    return hmac.compare_digest(digest, _code_digest(code))


def _reset_timeout() -> int:
    return int(settings.PASSWORD_RESET_SMS_TIMEOUT.total_seconds())


def password_reset_by_sms_closed(*, national_code: str) -> bool:
    return cache.get(_RESET_CLOSED_KEY.format(national_code=national_code)) is not None


def _count_daily_reset_guess(*, national_code: str) -> bool:
    """Count one guess against the account's day; past the cap, close SMS reset for
    PASSWORD_RESET_SMS_CLOSED_FOR and tell the owner by SMS, once (the first to close it)."""
    if password_reset_by_sms_closed(national_code=national_code):
        return False
    closed_for = int(settings.PASSWORD_RESET_SMS_CLOSED_FOR.total_seconds())
    guesses = throttle.count(f"password-reset-sms-day:{national_code}", window_seconds=closed_for)
    if guesses <= settings.PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS:
        return True
    key = _RESET_KEY.format(national_code=national_code)
    cache.delete(key)
    if cache.add(_RESET_CLOSED_KEY.format(national_code=national_code), True, closed_for):
        owner = User.objects.filter(national_code=national_code).first()
        if owner is not None and owner.mobile and owner.mobile_verified:
            send_templated_sms_in_background(
                to=owner.mobile,
                template_name="password_reset_closed",
                context={"hours": closed_for // 3600},
                language=owner.language,
            )
    return False


@transaction.atomic
def finish_password_reset_by_sms(*, national_code: str, code: str, new_password: str) -> bool:
    """Set a new password if the code is right. The code works once."""
    if not password_reset_code_matches(national_code=national_code, code=code):
        return False
    user = User.objects.select_for_update().get(national_code=national_code)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    key = _RESET_KEY.format(national_code=national_code)
    cache.delete_many([key, f"{key}:attempts"])
    return True


# --- Completing a migrated account (accounts.middleware.AccountCompletionMiddleware) ----------


class CompletionStep(enum.StrEnum):
    MOBILE = "mobile"
    PASSWORD = "password"  # noqa: S105 (a step's name, not a password)
    DONE = "done"


def next_completion_step(*, user: User) -> CompletionStep:
    """What a migrated account still lacks: a proven mobile first, then a new password."""
    if not (user.mobile and user.mobile_verified and user.identity_proven):
        return CompletionStep.MOBILE
    if LegacyAccount.objects.filter(user=user, password_from_isinsured=True).exists():
        return CompletionStep.PASSWORD
    return CompletionStep.DONE


class MobileAnswer(enum.StrEnum):
    CODE_SENT = "code_sent"
    PROVEN = "proven"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"


def start_completion_mobile(*, user: User, mobile: str) -> MobileAnswer:
    """Check that `mobile` is registered to the account's national code and used by no other
    account, then text it a code. The mobile the account has proven already (by the code at
    sign-in) needs only the identity check. Side effect: an SMS, or the account proven."""
    if mobile == user.mobile and user.mobile_verified:
        return {
            Ownership.YES: MobileAnswer.PROVEN,
            Ownership.NO: MobileAnswer.REFUSED,
            Ownership.UNAVAILABLE: MobileAnswer.UNAVAILABLE,
        }[prove_identity(user=user)]
    if User.objects.filter(mobile=mobile).exclude(pk=user.pk).exists():
        return MobileAnswer.REFUSED
    answer = mobile_belongs_to(user.national_code, mobile)
    if answer is Ownership.UNAVAILABLE:
        return MobileAnswer.UNAVAILABLE
    if answer is Ownership.NO:
        return MobileAnswer.REFUSED
    code = f"{secrets.randbelow(10**6):06d}"
    key = _COMPLETION_CODE_KEY.format(user_id=user.pk)
    cache.set(key, {"mobile": mobile, "digest": _code_digest(code)}, _reset_timeout())
    cache.delete(f"{key}:attempts")
    send_templated_sms(
        to=mobile, template_name="verification_code", context={"code": code}, language=user.language
    )
    return MobileAnswer.CODE_SENT


def completion_mobile_pending(*, user: User) -> str | None:
    """The mobile a completion code was texted to and is still waiting for, if any."""
    pending = cache.get(_COMPLETION_CODE_KEY.format(user_id=user.pk))
    return pending["mobile"] if pending else None


@transaction.atomic
def confirm_completion_mobile(*, user: User, code: str) -> Ownership | None:
    """Give the account the mobile the code was texted to, verified, if the code is right, and
    prove the account with it. None if the code is not right: five wrong tries void it, counted
    atomically as for password reset. Otherwise the identity service's answer."""
    key = _COMPLETION_CODE_KEY.format(user_id=user.pk)
    pending = cache.get(key)
    if pending is None:
        return None
    cache.add(f"{key}:attempts", 0, _reset_timeout())
    try:
        attempts = cache.incr(f"{key}:attempts")
    except ValueError:  # the count expired just now, and the code with it
        return None
    if attempts > settings.PASSWORD_RESET_SMS_MAX_ATTEMPTS:
        cache.delete(key)
        return None
    if not hmac.compare_digest(pending["digest"], _code_digest(code)):
        return None
    cache.delete_many([key, f"{key}:attempts"])
    user.mobile, user.mobile_verified = pending["mobile"], True
    try:
        with transaction.atomic():
            user.save(update_fields=["mobile", "mobile_verified"])
    except IntegrityError:  # another account took the number since the code was sent
        user.refresh_from_db(fields=["mobile", "mobile_verified"])
        return Ownership.NO
    return prove_identity(user=user)


@transaction.atomic
def replace_isinsured_password(*, user: User, password: str) -> None:
    """Set the password the person chose under today's policy in place of the isinsured one.
    The caller validates it (AUTH_PASSWORD_VALIDATORS) and keeps the session signed in."""
    user.set_password(password)
    user.save(update_fields=["password"])
    LegacyAccount.objects.filter(user=user).update(password_from_isinsured=False)


@transaction.atomic
def finish_account_completion(*, user: User) -> bool:
    """Open the portal to the account if nothing is missing any more."""
    if next_completion_step(user=user) is not CompletionStep.DONE:
        return False
    user.must_complete_account = False
    user.save(update_fields=["must_complete_account"])
    return True


# --- Accounts that others open: an agency's staff list, the isinsured migration --------------


def open_account(
    *,
    national_code: str,
    first_name: str,
    last_name: str,
    mobile: str | None,
    email: str = "",
    password_hash: str | None = None,
    must_complete: bool = False,
) -> User:
    """A citizen's account opened for a person by someone else. Its mobile is not verified and
    its identity not proven; without `password_hash` it has no usable password (the person sets
    one from a link). `must_complete` keeps the portal closed to it until the person proves a
    mobile (accounts.middleware.AccountCompletionMiddleware)."""
    user = User(
        national_code=national_code,
        first_name=first_name,
        last_name=last_name,
        mobile=mobile,
        mobile_verified=False,
        email=email,
        must_complete_account=must_complete,
    )
    if password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    assign_role(user=user, role=Role.CITIZEN)
    return user


def require_account_completion(*, user: User) -> None:
    """Close the portal to the account until the person proves a mobile and their identity."""
    if not user.must_complete_account:
        user.must_complete_account = True
        user.save(update_fields=["must_complete_account"])


def correct_unused_account(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    mobile: str | None,
    password_hash: str | None = None,
) -> bool:
    """Put corrected values on an account that someone else opened and the person has not used:
    names and email as given, a new mobile unverified, the password hash if given. Whether
    anything changed."""
    given = {"first_name": first_name, "last_name": last_name, "email": email}
    changed = [name for name, value in given.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, given[name])
    if mobile != user.mobile:
        user.mobile, user.mobile_verified = mobile, False
        changed += ["mobile", "mobile_verified"]
    if password_hash:
        user.password = password_hash
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return bool(changed)


def set_invited_password(*, user: User, password: str, proves_mobile: bool) -> None:
    """The password a person sets from the link texted to them; the link proves the mobile it
    was texted to when that is still the account's (`proves_mobile`)."""
    user.set_password(password)
    if proves_mobile:
        user.mobile_verified = True
    user.save(update_fields=["password", "mobile_verified"])


def assign_role(*, user: User, role: Role) -> None:
    # The groups come from a data migration; get_or_create also survives a flushed database.
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user.forget_roles()


def drop_role(*, user: User, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=role.value))
    user.forget_roles()


def claim_migration_notice(*, user: User) -> bool:
    """True the first time a migrated isinsured user asks, False ever after (and for others).

    A conditional update, so two tabs opened at once show the notice once.
    """
    if not user.is_authenticated:
        return False
    return bool(
        LegacyAccount.objects.filter(user=user, panel_notice_seen_at=None).update(
            panel_notice_seen_at=timezone.now()
        )
    )


# --- Identity: binding an account to the person its national code names ----------------------


def prove_identity(*, user: User) -> Ownership:
    """Ask the identity service whether the account's verified mobile belongs to its national code.

    YES marks the account proven (and it is no longer deleted as unfinished). The service is asked
    outside any transaction: a slow answer must not hold rows locked.
    """
    if not (user.mobile and user.mobile_verified):
        return Ownership.NO
    answer = mobile_belongs_to(user.national_code, user.mobile)
    if answer is Ownership.YES:
        _mark_proven(user=user)
    return answer


@transaction.atomic
def _mark_proven(*, user: User) -> None:
    user.identity_verified_at = timezone.now()
    user.unproven_expires_at = None
    user.save(update_fields=["identity_verified_at", "unproven_expires_at"])
    logger.info("account %s proved its identity", user.pk)


def may_be_replaced(user: User) -> bool:
    """Whether another person's proof may take this account's national code: it never proved its
    own identity and holds no staff role (staff accounts are made and vouched for by people)."""
    return not (user.identity_proven or user.is_staff or user.is_superuser or user.has_staff_role)


class ClaimOutcome(enum.StrEnum):
    TAKEN = "taken"  # the claimant now holds the national code
    NOT_CONFIRMED = "not_confirmed"  # the identity service said no
    UNAVAILABLE = "unavailable"  # the identity service did not answer: try again later
    HELD = "held"  # a proven account, or one with records that cannot go, holds the code


@dataclass(frozen=True)
class NationalCodeClaim:
    """A sign-up for a national code or mobile that unproven accounts hold, waiting for its SMS
    code (accounts/claims.py)."""

    national_code: str
    mobile: str
    password_hash: str
    birth_date: datetime.date | None
    language: str


def claim_national_code(*, claim: NationalCodeClaim) -> tuple[ClaimOutcome, User | None]:
    """The person whose mobile the SMS code proved takes the national code, if the identity
    service confirms the mobile is theirs. Side effects: the unproven accounts that held the code
    or the mobile are deleted and all their sessions end; the new account is proven and a
    citizen."""
    answer = mobile_belongs_to(claim.national_code, claim.mobile)
    if answer is Ownership.UNAVAILABLE:
        return ClaimOutcome.UNAVAILABLE, None
    if answer is Ownership.NO:
        return ClaimOutcome.NOT_CONFIRMED, None
    return _take_national_code(claim=claim)


@transaction.atomic
def _take_national_code(*, claim: NationalCodeClaim) -> tuple[ClaimOutcome, User | None]:
    holders = list(
        User.objects.select_for_update().filter(
            Q(national_code=claim.national_code) | Q(mobile=claim.mobile)
        )
    )
    if not all(may_be_replaced(holder) for holder in holders):
        return ClaimOutcome.HELD, None
    for holder in holders:
        end_all_sessions(user=holder)
        try:
            with transaction.atomic():
                holder.delete()
        except ProtectedError:  # e.g. certificates it issued before identities were proven
            transaction.set_rollback(True)
            return ClaimOutcome.HELD, None
        logger.info("an unproven account gave way to a claimant who proved the code and mobile")
    user = User(
        national_code=claim.national_code,
        password=claim.password_hash,
        mobile=claim.mobile,
        mobile_verified=True,
        birth_date=claim.birth_date,
        language=claim.language,
        identity_verified_at=timezone.now(),
    )
    user.save()
    assign_role(user=user, role=Role.CITIZEN)
    return ClaimOutcome.TAKEN, user


@transaction.atomic
def set_birth_date(*, user: User, birth_date: datetime.date) -> None:
    """Correct the birth date the account gave; the registry's is compared when data is shown."""
    user.birth_date = birth_date
    user.save(update_fields=["birth_date"])


@transaction.atomic
def delete_expired_unproven_accounts(*, now: datetime.datetime | None = None) -> int:
    """Housekeeping: sign-ups that did not prove their identity in time are deleted, so that they
    block nobody. Accounts without an expiry (made before identities were proven, or by
    operators) are left alone. Safe to run twice: a second run finds nothing."""
    now = now or timezone.now()
    deleted = 0
    for user in User.objects.select_for_update(skip_locked=True).filter(
        identity_verified_at=None, unproven_expires_at__lte=now
    ):
        if not may_be_replaced(user):
            continue
        end_all_sessions(user=user)
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError:
            continue
        deleted += 1
    return deleted
