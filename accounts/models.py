import functools

from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, Group, PermissionsMixin
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import MFA_REQUIRED_ROLES, Role
from portal.phones import display_mobile
from portal.validators import clean_national_code, validate_national_code


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, national_code: str, password: str | None = None, **fields) -> "User":
        user = self.model(national_code=clean_national_code(national_code), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, national_code: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(national_code, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with a portal account, identified by their 10-digit national code."""

    national_code = models.CharField(
        _("national code"),
        max_length=10,
        unique=True,
        validators=[validate_national_code],
        error_messages={"unique": _("An account with this national code already exists.")},
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    mobile = models.CharField(
        _("mobile number"),
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stored as +989xxxxxxxxx."),
    )
    mobile_verified = models.BooleanField(_("mobile verified"), default=False)
    identity_verified_at = models.DateTimeField(
        _("identity proven at"),
        null=True,
        blank=True,
        help_text=_(
            "When the person proved this national code is theirs: the SMS code proved the "
            "mobile, and the identity service confirmed the mobile is registered to the code."
        ),
    )
    must_complete_account = models.BooleanField(
        _("must complete the account"),
        default=False,
        help_text=_(
            "Set for accounts migrated from isinsured: until the person adds a mobile the "
            "identity service confirms, proves it with an SMS code and chooses a new password, "
            "every other page stays closed."
        ),
    )
    unproven_expires_at = models.DateTimeField(
        _("deleted if still unproven at"),
        null=True,
        blank=True,
        help_text=_(
            "Accounts made by sign-up that have not proven their identity by then are deleted, "
            "so that they never block the person the national code names."
        ),
    )
    email = models.EmailField(_("email address"), blank=True)
    language = models.CharField(_("preferred language"), max_length=8, default="fa")
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can sign in to the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "national_code"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        # A code shown inside Persian text: kept left-to-right, whole (U+2066 ... U+2069).
        return self.get_full_name() or f"\u2066{self.national_code}\u2069"

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.national_code

    @property
    def mobile_display(self) -> str:
        return display_mobile(self.mobile) if self.mobile else ""

    @property
    def roles(self) -> frozenset[str]:
        """The user's role names, cached on the instance for the request."""
        if not hasattr(self, "_roles"):
            self._load_roles_and_totp()
        return self._roles

    @property
    def totp_enrolled(self) -> bool:
        """Whether the user has enrolled TOTP, cached with the roles."""
        if not hasattr(self, "_roles"):
            self._load_roles_and_totp()
        return self._totp_enrolled

    def _load_roles_and_totp(self) -> None:
        """Both in one query: every staff page asks for both (the MFA middleware, the gate)."""
        names: list[str | None] = []
        if self.pk is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    _roles_and_totp_statement(), [self.pk, self.pk, Authenticator.Type.TOTP]
                )
                names = [name for (name,) in cursor.fetchall()]
        self._roles = frozenset(name for name in names if name is not None)
        self._totp_enrolled = None in names

    def forget_roles(self) -> None:
        """After a change of roles or second factor: the next question asks the database."""
        for cached in ("_roles", "_totp_enrolled"):
            self.__dict__.pop(cached, None)

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles

    @property
    def is_committee_reviewer(self) -> bool:
        """May review agencies' requests and record, suspend or end MoUs."""
        return self.is_active and (self.is_superuser or self.has_role(Role.COMMITTEE_REVIEWER))

    @property
    def works_for_an_agency(self) -> bool:
        """Agency staff or admin: the government agencies panel is their place of work."""
        return self.is_active and bool(
            self.roles & {Role.AGENCY_STAFF.value, Role.AGENCY_ADMIN.value}
        )

    @property
    def is_operator(self) -> bool:
        """IT: grants staff lists, removes access, runs the isinsured migration."""
        return self.is_active and (self.is_superuser or self.has_role(Role.OPERATOR))

    @property
    def identity_proven(self) -> bool:
        """Whether this account has proven it is the person its national code names."""
        return self.identity_verified_at is not None

    @property
    def has_staff_role(self) -> bool:
        """Agency staff or admin, committee reviewer, operator, or a superuser."""
        return self.is_superuser or bool(self.roles & {r.value for r in MFA_REQUIRED_ROLES})

    @property
    def requires_mfa(self) -> bool:
        return self.has_staff_role


def legacy_username_key(username: str) -> str:
    """How a legacy user name is looked up: digits as ASCII, no spaces or dashes, any case.

    The sign-in form normalises what is typed the same way (it is made for national codes).
    """
    from portal.digits import normalize_digits

    return normalize_digits(username).casefold()


class LegacyAccount(models.Model):
    """A person's account on the old isinsured site, kept after migrating them.

    It lets them sign in with the old user name during the transition window
    (ISINSURED_USERNAME_LOGIN_UNTIL), tells a later migration run which account a legacy user
    became, and whether the migration made that account (only such accounts may be updated by a
    corrected file; an account the person had already is never overwritten).
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="legacy_account", verbose_name=_("user")
    )
    legacy_user_id = models.CharField(_("isinsured user id"), max_length=50, unique=True)
    username = models.CharField(_("isinsured user name"), max_length=150)
    username_key = models.CharField(max_length=150, unique=True, editable=False)
    created_by_migration = models.BooleanField(_("account made by the migration"), default=False)
    legacy_last_login = models.DateTimeField(_("last sign-in on isinsured"), null=True, blank=True)
    migrated_at = models.DateTimeField(_("migrated at"), default=timezone.now)
    panel_notice_seen_at = models.DateTimeField(
        _("saw the panel's migration notice at"), null=True, blank=True
    )
    password_from_isinsured = models.BooleanField(
        _("password still from isinsured"),
        default=False,
        help_text=_(
            "The account's password is still the one isinsured kept as an unsalted hash; the "
            "person must choose a new one before using the portal."
        ),
    )

    class Meta:
        verbose_name = _("isinsured account")
        verbose_name_plural = _("isinsured accounts")

    def __str__(self) -> str:
        return f"{self.username} → {self.user}"

    def save(self, *args, **kwargs) -> None:
        self.username_key = legacy_username_key(self.username)
        if "update_fields" in kwargs and "username" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "username_key"}
        super().save(*args, **kwargs)


class DemoIdentityPair(models.Model):
    """A (national code, mobile) pair the demo identity backend confirms; `seed_demo` fills it."""

    national_code = models.CharField(_("national code"), max_length=10)
    mobile = models.CharField(_("mobile number"), max_length=13)

    class Meta:
        verbose_name = _("demo identity pair")
        verbose_name_plural = _("demo identity pairs")
        constraints = [
            models.UniqueConstraint(fields=["national_code", "mobile"], name="demo_identity_pair")
        ]

    def __str__(self) -> str:
        return f"{self.national_code} {self.mobile}"


@functools.cache
def _roles_and_totp_statement() -> str:
    """The user's group names, then one NULL row if a TOTP authenticator exists (a group name
    is never NULL)."""
    quote = connection.ops.quote_name
    memberships = User.groups.through._meta
    return (
        f"SELECT g.name FROM {quote(Group._meta.db_table)} g "  # noqa: S608
        f"JOIN {quote(memberships.db_table)} ug ON ug.group_id = g.id WHERE ug.user_id = %s "
        f"UNION ALL SELECT NULL FROM {quote(Authenticator._meta.db_table)} "
        "WHERE user_id = %s AND type = %s"
    )
