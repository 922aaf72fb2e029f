from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import claims
from accounts.backends import legacy_username_login_open
from accounts.mfa import signed_in_by_password_moments_ago
from accounts.models import LegacyAccount, User, legacy_username_key
from accounts.roles import Role
from accounts.services import assign_role, prove_identity
from portal.fields import MobileField
from portal.sms import send_templated_sms_in_background
from portal.validators import clean_national_code


@dataclass(frozen=True)
class SiteFromSettings:
    """What allauth's emails show as `current_site`: SITE_URL's, not the request's Host."""

    domain: str
    name: str

    @classmethod
    def current(cls) -> "SiteFromSettings":
        return cls(domain=urlsplit(settings.SITE_URL).netloc, name=str(_("e-services portal")))


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def _on_site_url(value: Any, request_host: str | None) -> Any:
    """`value` moved onto SITE_URL if it is a link to the request's host; else unchanged."""
    if not (request_host and isinstance(value, str) and value.startswith(("http://", "https://"))):
        return value
    link = urlsplit(value)
    if link.netloc != request_host:
        return value
    return site_url(link._replace(scheme="", netloc="").geturl())


class AccountAdapter(DefaultAccountAdapter):
    """allauth, fitted to national codes as user names and Iranian mobiles as phone numbers."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_taken": _("An account with this national code already exists."),
        "phone_taken": _("An account with this mobile number already exists."),
        "invalid_login": _("The national code or password is not correct."),
        "username_password_mismatch": _("The national code or password is not correct."),
    }

    # --- Links in emails: from SITE_URL, never from the request's Host header ---------------

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's, with `current_site` from SITE_URL, and any link allauth built from the
        request (the sign-up and reset links of its "unknown account" emails) moved onto
        SITE_URL. A Host the portal answers to is still the client's word, not the portal's."""
        request = globals()["context"].request
        request_host = request.get_host() if request is not None else None
        ctx = {"request": request, "email": email, "current_site": SiteFromSettings.current()}
        ctx.update({key: _on_site_url(value, request_host) for key, value in context.items()})
        self.render_mail(template_prefix, email, ctx).send()

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        request = context.request
        if (
            app == "allauth.mfa"
            and request is not None
            and request.user.is_authenticated
            and signed_in_by_password_moments_ago(request)
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_login_stages(self) -> list[str]:
        return [
            "accounts.stages.MobileVerificationStage"
            if stage == "allauth.account.stages.PhoneVerificationStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed sign-ins per typed name. Inside the isinsured window an account
        # has two (its national code and its old user name): count both as the national code,
        # or each name would get its own five tries.
        login = credentials.get("username") or ""
        if login and legacy_username_login_open():
            legacy_code = (
                LegacyAccount.objects.filter(username_key=legacy_username_key(login))
                .exclude(user__national_code=login)
                .values_list("user__national_code", flat=True)
                .first()
            )
            if legacy_code and not User.objects.filter(national_code=login).exists():
                credentials = {**credentials, "username": legacy_code}
        return super()._get_login_attempts_cache_key(request, **credentials)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        return super().clean_username(clean_national_code(username), shallow=shallow)

    def phone_form_field(self, **kwargs: Any) -> MobileField:
        kwargs.pop("label", None)  # ours says "mobile number", not allauth's generic "phone"
        return MobileField(**kwargs)

    def send_verification_code_sms(self, user: Any, phone: str, code: str, **kwargs: Any) -> None:
        send_templated_sms_in_background(
            to=phone,
            template_name="verification_code",
            context={"code": code},
            language=getattr(user, "language", None) or self._request_language(),
        )

    def send_unknown_account_sms(self, phone: str, **kwargs: Any) -> None:
        send_templated_sms_in_background(
            to=phone, template_name="unknown_account", context={}, language=self._request_language()
        )

    def send_account_already_exists_sms(self, phone: str) -> None:
        # Enumeration prevention shows a sign-up with a taken mobile or national code the usual
        # "code sent" page; the owner of the mobile, or of the national code, is told instead.
        # A national code or mobile that only unproven accounts hold may be claimed: the new
        # mobile gets the very SMS a new account gets (accounts/claims.py).
        claim = getattr(context.request, "portal_claim", None)
        if claim is not None and claim.mobile == phone:
            code = claims.start(context.request, claim=claim)
            send_templated_sms_in_background(
                to=phone,
                template_name="verification_code",
                context={"code": code},
                language=claim.language,
            )
            return
        if self.get_user_by_phone(phone) is None:
            national_code = getattr(context.request, "portal_taken_national_code", "")
            owner = User.objects.filter(
                national_code=national_code, mobile_verified=True, is_active=True
            ).first()
            if owner is not None and owner.mobile:
                send_templated_sms_in_background(
                    to=owner.mobile,
                    template_name="signup_with_your_national_code",
                    context={},
                    language=owner.language,
                )
            return
        send_templated_sms_in_background(
            to=phone,
            template_name="account_already_exists",
            context={},
            language=self._request_language(),
        )

    def set_phone(self, user: Any, phone: str, verified: bool) -> None:
        user.mobile = phone
        user.mobile_verified = verified
        if user.pk:
            user.save(update_fields=["mobile", "mobile_verified"])

    def get_phone(self, user: Any) -> tuple[str, bool] | None:
        return (user.mobile, user.mobile_verified) if user.mobile else None

    def set_phone_verified(self, user: Any, phone: str) -> None:
        """The SMS code proved the mobile: now ask the identity service whether it is the
        person's (the account stays unproven, and sees no registry data, until it says yes)."""
        User.objects.filter(pk=user.pk, mobile=phone).update(mobile_verified=True)
        user.mobile_verified = True
        if not user.identity_proven:
            prove_identity(user=user)

    def get_user_by_phone(self, phone: str) -> User | None:
        return User.objects.filter(mobile=phone).order_by("-mobile_verified").first()

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user.birth_date = form.cleaned_data.get("birth_date")
        user.language = self._request_language()
        user.unproven_expires_at = timezone.now() + settings.UNPROVEN_ACCOUNT_LIFETIME
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            assign_role(user=user, role=Role.CITIZEN)
        return user

    def _request_language(self) -> str:
        request = getattr(self, "request", None)
        return getattr(request, "LANGUAGE_CODE", None) or "fa"
