"""Settings for the portal, read from the environment.

With nothing set the portal runs on the embedded default: SQLite, a local-memory cache and
Celery tasks executed eagerly in-process. `DATABASE_URL` (PostgreSQL through psycopg 3) and
`REDIS_URL` switch it to the production shape: Redis as cache and Celery broker, a worker.
"""

import ipaddress
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # the embedded default keeps its SQLite file and media here
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

# This checkout's own development settings (scripts/setup.sh writes DEBUG=1 there), read first
# and never overriding the real environment. var/ is never in an image (.dockerignore).
LOCAL_ENV_FILE = env.str("PORTAL_ENV_FILE", default=str(VAR_DIR / "local.env"))
if LOCAL_ENV_FILE and Path(LOCAL_ENV_FILE).is_file():
    environ.Env.read_env(LOCAL_ENV_FILE)


def env_secret(name: str, default: str = "") -> str:
    """A secret from `NAME`, or from the file named by `NAME_FILE` (Docker/Kubernetes secrets)."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return env.str(name, default=default)


DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=False)
# Set by the test suite: no HTTPS redirect, plain static storage, the development key allowed.
TESTING = env.bool("PORTAL_TESTING", default=False)
SECRET_KEY = env_secret("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and not TESTING and SECRET_KEY in {DEVELOPMENT_SECRET_KEY, ""}:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is empty or the built-in development key. "
        "Set SECRET_KEY (or SECRET_KEY_FILE), or DEBUG=1 for local development "
        "(scripts/setup.sh writes it to var/local.env)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Every link the portal sends (emails, SMS, PDFs) starts with this, never with the request's Host.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, for FORM_RENDERER (TemplatesSetting)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    "portal",
    "accounts",
    "agencies",
    "inquiries",
    "documents",
    "isinsured",
    "api",
]

MIDDLEWARE = [
    # Outermost: every answer gets an id, a log line and its place in /metrics.
    "portal.middleware.RequestObservationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.security_headers.ContentSecurityPolicyMiddleware",
    "portal.security_headers.PermissionsPolicyMiddleware",
    # Up here, so that even the 400 of a bad Host header (refused further down) carries it.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions, messages, the signed-in user and the account stages below are for people's
    # pages: the API's calls pass them by (portal.middleware.pages_only).
    "portal.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's own, named as its deployment check looks for it: an API call (csrf-exempt, and
    # asking for no token) costs it a cookie read.
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, reading the user with their roles and TOTP in one statement.
    "accounts.authentication.AuthenticationMiddleware",
    "portal.security_headers.PrivatePagesNotStoredMiddleware",
    "portal.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffSessionTimeoutMiddleware",
    # Before the MFA policy: a migrated account completes itself before it may enrol TOTP.
    "accounts.middleware.AccountCompletionMiddleware",
    "accounts.middleware.RequireMFAForStaffRolesMiddleware",
]
# After the cut-over, /isinsured/... and the legacy host names get the "service moved" page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "isinsured.middleware.RetiredIsinsuredMiddleware",
)

ROOT_URLCONF = "portal.urls"
FORM_RENDERER = "portal.forms.BootstrapFormRenderer"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "documents.context_processors.inbox",
            ],
            "builtins": ["portal.templatetags.persian"],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if USING_POSTGRES and env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # Parameters bound by the server, and a statement run twice on a connection is prepared
    # there: PostgreSQL then stops planning the hot paths' statements on every request (its
    # CPU per API inquiry halved). Off behind a pooler that cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Every transaction takes SQLite's write lock when it starts, so parallel writers wait
    # their turn (up to `timeout` seconds) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Each process's own memory, for page fragments that change only with a deploy (which restarts it).
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "portal-local",
}

SESSION_ENGINE = "portal.sessions"  # the database backend, read with one fixed statement

# --- Celery ------------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_RESULT_EXPIRES = timedelta(days=1)
# A task that is not acknowledged within this time is redelivered (a worker that was killed mid-
# task); it must be longer than the longest task, or a slow task would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT * 4)
}
# Sending a task subscribes to its result; with Redis down, the default policy (20 retries, one a
# second) would hold a request for 20 s. One quick retry, then the send fails and the caller
# copes (documents: housekeeping re-sends the render; tests/reliability/test_redis_outage.py).
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "retry_policy": {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 0.5,
    },
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fix-up closes the database connection around every task unless this is set;
# portal/celery.py applies Django's own CONN_MAX_AGE and health checks around each task instead.
CELERY_DB_REUSE_MAX = 2**31
CELERY_TIMEZONE = "Asia/Tehran"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "agencies-remind-expiring-mous": {
        "task": "agencies.tasks.remind_expiring_mous",
        "schedule": crontab(hour=7, minute=30),
    },
    "expire-documents": {
        "task": "documents.tasks.expire_documents",
        "schedule": crontab(minute="*/15"),
    },
    "accounts-delete-expired-unproven-accounts": {
        "task": "accounts.tasks.delete_expired_unproven_accounts",
        "schedule": crontab(minute="*/30"),
    },
    "agencies-resend-unsent-messages": {
        "task": "agencies.tasks.resend_unsent_messages",
        "schedule": crontab(minute="*/15"),
    },
    "agencies-admit-identity-pending-rows": {
        "task": "agencies.tasks.admit_identity_pending_rows",
        "schedule": crontab(minute="*/15"),
    },
    "api-purge-expired": {
        "task": "api.tasks.purge_expired",
        "schedule": crontab(minute="*/15"),
    },
    "inquiries-seal-disclosure-log": {
        "task": "inquiries.tasks.seal_disclosure_log",
        "schedule": timedelta(seconds=env.int("TRANSPARENCY_SEAL_SECONDS", default=60)),
    },
}

# --- Accounts ----------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # The old isinsured user names, until ISINSURED_USERNAME_LOGIN_UNTIL only.
    "accounts.backends.LegacyUsernameBackend",
]
# Django's defaults, then the wrappers of isinsured's MD5 and SHA-1 hashes (accounts/hashers.py):
# being after the default, a wrapped hash is replaced by the default at the first sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "accounts.hashers.PBKDF2WrappedMD5PasswordHasher",
    "accounts.hashers.PBKDF2WrappedSHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = "national_code"
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "phone*", "email", "password1*", "password2*"]
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "verify_phone": "accounts.code_forms.VerifyPhoneForm",
}
ACCOUNT_USERNAME_MIN_LENGTH = 10
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Six digits, as Iranian banks and services send them: easy to read off a phone and to type.
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PREVENT_ENUMERATION = True
# Failed sign-ins (the Django admin's too: it goes through allauth's form): 10 a minute from one
# client address, 5 per account in 5 minutes. A successful sign-in takes back only its own
# attempt, so interleaving the right password does not reset the per-account count.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "verify_phone": "1/30s/key,3/m/ip",
    # Sign-ups per national code, whatever the address: a few a day.
    "signup_national_code": "5/d/key",
    # Birth-date comparisons on the identity page, per account.
    "compare_birth_date": "5/d/key",
}
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Changing the password, email or mobile asks for the password (or a TOTP code) again unless
# the person authenticated within the timeout; two-factor changes always do (allauth.mfa's own
# MFA_REAUTHENTICATION_REQUIRED, on by default).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("ACCOUNT_REAUTHENTICATION_TIMEOUT", default=300)
# The sign-in's client address (rate limits, sessions list, disclosure log): X-Forwarded-For is
# ignored unless this many proxies of ours sit in front of the portal.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
# allauth.usersessions lists each signed-in session to its owner (/accounts/sessions/), who can
# sign the other devices out; deactivating an account ends them all (accounts/signals.py).
# Activity tracking would write to the database on every request: off.
USERSESSIONS_TRACK_ACTIVITY = False
# Staff roles (accounts.roles.MFA_REQUIRED_ROLES) are signed out after this long without a
# request, and this long after signing in whatever they do; citizens keep the browser session.
STAFF_SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("STAFF_SESSION_IDLE_MINUTES", default=30))
STAFF_SESSION_ABSOLUTE_TIMEOUT = timedelta(
    hours=env.int("STAFF_SESSION_ABSOLUTE_HOURS", default=12)
)
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Links in account emails (confirmation, password reset) use SITE_URL's scheme: https in
# production, http on the documented no-TLS trial of the production settings on a laptop.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = (
    _site_scheme if (_site_scheme := urlsplit(SITE_URL).scheme) in {"http", "https"} else "https"
)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# allauth refuses a second factor while an email address is unverified, which guards sites where
# the email is the account. Here the account is the national code, bound to a mobile the identity
# service confirms and proven by SMS before anyone signs in; the email is optional and recovers
# nothing without the second factor. Staff must not wait on an email link to open the panel.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_FORMS = {
    "authenticate": "accounts.code_forms.AuthenticateForm",
    "reauthenticate": "accounts.code_forms.ReauthenticateForm",
    "activate_totp": "accounts.code_forms.ActivateTOTPForm",
}
# A code typed as the 30-second step turns over is still taken (RFC 6238 section 5.2 allows one
# step of delay); allauth remembers used codes for the whole window, so none is taken twice.
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="") or "SSO e-services portal"

# The identity service that says whether a mobile line is registered to a national code
# (accounts/identity/): "demo", "http", "locmem" or a dotted path. The demo backend is the default
# only in development and tests; with DEBUG off it must be named, and `check --deploy` warns.
IDENTITY_BACKEND = env.str("IDENTITY_BACKEND", default="demo" if DEBUG or TESTING else "")
if not IDENTITY_BACKEND:
    raise ImproperlyConfigured(
        "DEBUG is off but IDENTITY_BACKEND is not set. Set IDENTITY_BACKEND=http with "
        "IDENTITY_HTTP_URL and IDENTITY_HTTP_TOKEN (or IDENTITY_BACKEND=demo for a trial)."
    )
IDENTITY_HTTP_URL = env.str("IDENTITY_HTTP_URL", default="")
IDENTITY_HTTP_TOKEN = env_secret("IDENTITY_HTTP_TOKEN")
IDENTITY_HTTP_TIMEOUT = env.float("IDENTITY_HTTP_TIMEOUT", default=5.0)

# The callable that checks a sign-up's identity (national code + birth date): accounts/identity.py.
PORTAL_SIGNUP_IDENTITY_CHECK = env.str(
    "PORTAL_SIGNUP_IDENTITY_CHECK", default="inquiries.identity.check_identity_against_registry"
)
# The callable that counts an agency's disclosures per day for the public register of agreements
# (agencies/register.py); the disclosure log lives in inquiries, a later app.
AGENCIES_REGISTER_DISCLOSURE_COUNTS = "inquiries.selectors.agency_disclosures_per_day"
# Sign-ups that have not proven their identity by then are deleted (accounts.tasks).
UNPROVEN_ACCOUNT_LIFETIME = timedelta(hours=env.int("UNPROVEN_ACCOUNT_LIFETIME_HOURS", default=24))
PASSWORD_RESET_SMS_TIMEOUT = timedelta(minutes=10)
# Tries per texted code; and tries per account across codes, within PASSWORD_RESET_SMS_CLOSED_FOR
# of the first: one more closes SMS reset for the account that long, and its owner is told.
PASSWORD_RESET_SMS_MAX_ATTEMPTS = 5
PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS = env.int("PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS", default=10)
PASSWORD_RESET_SMS_CLOSED_FOR = timedelta(hours=24)

# --- Agencies ----------------------------------------------------------------------------------

AGENCY_UPLOAD_MAX_BYTES = env.int("AGENCY_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# Largest image letter or MoU scan, in pixels: an A4 page scanned at 600 dpi is about 35 million.
AGENCY_UPLOAD_MAX_PIXELS = env.int("AGENCY_UPLOAD_MAX_PIXELS", default=50_000_000)
AGENCY_INVITATION_TTL = timedelta(hours=env.int("AGENCY_INVITATION_TTL_HOURS", default=72))
AGENCY_STAFF_LIST_MAX_ROWS = env.int("AGENCY_STAFF_LIST_MAX_ROWS", default=500)
# The callable that compares the names typed into a staff list with the coverage registry's
# (agencies may not import the registry, so the registry plugs its own in): see
# agencies/services/staff.py, `compare_names_with_registry`.
AGENCY_STAFF_NAME_CHECK = env.str(
    "AGENCY_STAFF_NAME_CHECK", default="inquiries.identity.compare_staff_names"
)
# How long before an MoU's end its agency's admins and the committee are reminded to renew it.
AGENCY_MOU_EXPIRY_NOTICE = timedelta(days=env.int("AGENCY_MOU_EXPIRY_NOTICE_DAYS", default=30))

# Agency applications one account may submit in any 24 hours; more get 429, nothing written.
AGENCY_APPLICATIONS_PER_USER_PER_DAY = env.int("AGENCY_APPLICATIONS_PER_USER_PER_DAY", default=3)

# --- Agency lookups and the disclosure log (inquiries) -----------------------------------------

# Lookups per staff member per minute.
GOV_INQUIRY_PER_MINUTE = env.int("GOV_INQUIRY_PER_MINUTE", default=30)
# Lookups per agency per day: the MoU's expected monthly volume (from its access request) spread
# over GOV_INQUIRY_WORKING_DAYS working days, rounded up, and never below GOV_INQUIRY_DAILY_MINIMUM.
# MoUs with no request behind them (circular No. 1) get GOV_INQUIRY_DAILY_DEFAULT.
GOV_INQUIRY_WORKING_DAYS = env.int("GOV_INQUIRY_WORKING_DAYS", default=20)
GOV_INQUIRY_DAILY_MINIMUM = env.int("GOV_INQUIRY_DAILY_MINIMUM", default=20)
GOV_INQUIRY_DAILY_DEFAULT = env.int("GOV_INQUIRY_DAILY_DEFAULT", default=500)
# --- The agencies' API (api; docs/api.md, ADR 0012) --------------------------------------------

# Bearer tokens from the client-credentials grant live this many seconds.
API_TOKEN_SECONDS = env.int("API_TOKEN_SECONDS", default=600)
# A client secret lasts this many days (never past its MoU); a rotation keeps the old one valid
# this many minutes more.
API_SECRET_DAYS = env.int("API_SECRET_DAYS", default=365)
API_SECRET_ROTATION_OVERLAP_MINUTES = env.int("API_SECRET_ROTATION_OVERLAP_MINUTES", default=60)
# Lookups per API client per minute (a system, not a person: the panel's per-person limit is
# too small for it). The agency's daily limit is shared with the panel.
API_INQUIRIES_PER_MINUTE = env.int("API_INQUIRIES_PER_MINUTE", default=600)
# Token requests per client id per minute (wrong secrets included).
API_TOKEN_REQUESTS_PER_MINUTE = env.int("API_TOKEN_REQUESTS_PER_MINUTE", default=30)
# How long a client can read a past answer again (GET /api/v1/inquiries/{id}).
API_ANSWER_KEEP_HOURS = env.int("API_ANSWER_KEEP_HOURS", default=24)
# RFC 8705: the header in which the TLS proxy passes the client certificate it verified, as a
# URL-encoded PEM (nginx: $ssl_client_escaped_cert). Empty: off, and a client bound to a
# certificate can neither get nor use a token. Believed only with TRUSTED_PROXY_COUNT > 0.
API_CLIENT_CERT_HEADER = env.str("API_CLIENT_CERT_HEADER", default="")
# The stable base of the problem+json `type` URIs.
API_PROBLEM_BASE = env.str("API_PROBLEM_BASE", default="https://portal.example/problems/")

# A confidential lookup (judicial, with a case reference) shows in the person's list this late.
DISCLOSURE_CONFIDENTIAL_DELAY_DAYS = env.int("DISCLOSURE_CONFIDENTIAL_DELAY_DAYS", default=90)

# The transparency log (docs/adr/0009-transparency-log.md). The sequencer seals committed
# disclosures and signs a checkpoint every TRANSPARENCY_SEAL_SECONDS with the Ed25519 key in
# TRANSPARENCY_SIGNING_KEY_FILE (`manage.py transparency_keygen`; scripts/setup.sh makes a
# development one under var/). Retired keys stay as verifier keys so old checkpoints verify.
TRANSPARENCY_SEAL_SECONDS = env.int("TRANSPARENCY_SEAL_SECONDS", default=60)
TRANSPARENCY_SIGNING_KEY_FILE = env.str(
    "TRANSPARENCY_SIGNING_KEY_FILE", default=str(VAR_DIR / "transparency-signing.key")
)
TRANSPARENCY_OLD_VERIFIER_KEYS = env.list("TRANSPARENCY_OLD_VERIFIER_KEYS", default=[])
# A file per checkpoint, outside the database (mount it from somewhere the database's admins
# cannot rewrite); `verify_disclosures` checks the log still extends the newest one.
TRANSPARENCY_ARCHIVE_DIR = env.str(
    "TRANSPARENCY_ARCHIVE_DIR", default=str(VAR_DIR / "transparency-archive")
)
# c2sp.org/tlog-witness submission prefixes; each checkpoint is POSTed to <url>/add-checkpoint.
TRANSPARENCY_WITNESS_URLS = env.list("TRANSPARENCY_WITNESS_URLS", default=[])
TRANSPARENCY_WITNESS_TIMEOUT = env.float("TRANSPARENCY_WITNESS_TIMEOUT", default=5.0)

# --- isinsured: the legacy site's migration and cut-over (docs/isinsured-migration.md) ---------

# Until this day (inclusive, ISO: 2026-03-19), migrated people may sign in with their old
# isinsured user name as well as their national code. Empty: not at all.
ISINSURED_USERNAME_LOGIN_UNTIL = (
    date.fromisoformat(_until)
    if (_until := env.str("ISINSURED_USERNAME_LOGIN_UNTIL", default="").strip())
    else None
)
# Host names of the old site; once retired, every request to them gets the "moved" page. The
# operator lists them in ALLOWED_HOSTS too (nothing adds them there: `check` warns, isinsured.W001).
ISINSURED_LEGACY_HOSTS = [
    host.lower() for host in env.list("ISINSURED_LEGACY_HOSTS", default=[]) if host
]
ISINSURED_CHUNK_SIZE = env.int("ISINSURED_CHUNK_SIZE", default=25)

# --- Messages: email and SMS -------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@portal.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.backends.console.SmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env_secret("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_SENDER = env.str("SMS_GATEWAY_SENDER", default="")
SMS_GATEWAY_TIMEOUT = env.int("SMS_GATEWAY_TIMEOUT", default=5)
# Sign-up and password-reset texts leave from a thread, so a request answers as fast whether it
# texts someone or not (portal/sms/__init__.py). The tests send them at once, to read the outbox.
SMS_SEND_IN_BACKGROUND = env.bool("SMS_SEND_IN_BACKGROUND", default=not TESTING)

# --- Certificates and access codes (documents) -------------------------------------------------

CERTIFICATE_VALIDITY_DAYS = env.int("CERTIFICATE_VALIDITY_DAYS", default=30)
# PDFs of expired certificates are kept this long after the certificate's end, then deleted.
CERTIFICATE_PDF_RETENTION_DAYS = env.int("CERTIFICATE_PDF_RETENTION_DAYS", default=90)
# A render claimed longer ago than this belongs to a dead worker and may be taken over; it must
# be longer than the hard time limit, or a slow render would be done twice.
CERTIFICATE_RENDER_STALE_SECONDS = env.int(
    "CERTIFICATE_RENDER_STALE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60
)
# Every certificate PDF carries the organization's PAdES signature (documents/signing.py): the
# key and certificate it signs with, the chain that issued it (PEM; empty: none embedded), and
# the roots an uploaded copy's signature must chain to. `manage.py certificate_keygen` (run by
# scripts/setup.sh) makes a development CA and signing certificate under var/.
CERTIFICATE_SIGNING_KEY_FILE = env.str(
    "CERTIFICATE_SIGNING_KEY_FILE", default=str(VAR_DIR / "certificate-signing.key")
)
CERTIFICATE_SIGNING_KEY_PASSWORD = env_secret("CERTIFICATE_SIGNING_KEY_PASSWORD", default="")
CERTIFICATE_SIGNING_CERT_FILE = env.str(
    "CERTIFICATE_SIGNING_CERT_FILE", default=str(VAR_DIR / "certificate-signing.crt")
)
CERTIFICATE_SIGNING_CHAIN_FILE = env.str(
    "CERTIFICATE_SIGNING_CHAIN_FILE", default=str(VAR_DIR / "certificate-ca.crt")
)
CERTIFICATE_SIGNING_TRUST_ROOTS_FILE = env.str(
    "CERTIFICATE_SIGNING_TRUST_ROOTS_FILE", default=str(VAR_DIR / "certificate-ca.crt")
)
# An RFC 3161 time-stamping service: set, signatures are PAdES B-T (a trusted time); empty, B-B.
CERTIFICATE_TSA_URL = env.str("CERTIFICATE_TSA_URL", default="")
# The certificates' QR tokens (documents/qr_tokens.py): signed with this Ed25519 key
# (`manage.py certificate_token_keygen`; scripts/setup.sh makes a development one under var/).
# Retired keys stay published at /.well-known/jwks.json by their public keys (base64url), so
# certificates signed before a rotation still verify.
CERTIFICATE_QR_KEY_FILE = env.str(
    "CERTIFICATE_QR_KEY_FILE", default=str(VAR_DIR / "certificate-qr.key")
)
CERTIFICATE_QR_OLD_PUBLIC_KEYS = env.list("CERTIFICATE_QR_OLD_PUBLIC_KEYS", default=[])
# A PDF uploaded to the verify page to check its signature: read in memory, never stored; a
# certificate is about 100 KB.
CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES = env.int(
    "CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024
)
# The key of the access codes' HMAC; empty means one derived from SECRET_KEY.
ACCESS_CODE_SECRET = env_secret("ACCESS_CODE_SECRET", default="")
ACCESS_CODE_EXPIRY_NOTICE_HOURS = env.int("ACCESS_CODE_EXPIRY_NOTICE_HOURS", default=48)
# Public verification page: requests per client address per window.
CERTIFICATE_VERIFY_RATE = (
    env.int("CERTIFICATE_VERIFY_RATE_REQUESTS", default=30),
    env.int("CERTIFICATE_VERIFY_RATE_SECONDS", default=60),
)
# Document inquiry (/gov/documents/): failed attempts allowed per window, per staff member, per
# agency (all its staff), per agency and holder's national code, and per holder whoever tries;
# after that, 429 until the window ends. The holder-wide limit must stay above twice the
# (agency, holder) one, so that one agency alone can never reach it (checked at start-up).
DOCUMENT_INQUIRY_STAFF_FAILURES = (
    env.int("DOCUMENT_INQUIRY_STAFF_FAILURES", default=5),
    env.int("DOCUMENT_INQUIRY_STAFF_WINDOW_SECONDS", default=15 * 60),
)
DOCUMENT_INQUIRY_AGENCY_FAILURES = (
    env.int("DOCUMENT_INQUIRY_AGENCY_FAILURES", default=50),
    env.int("DOCUMENT_INQUIRY_AGENCY_WINDOW_SECONDS", default=60 * 60),
)
DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES = (
    env.int("DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES", default=10),
    env.int("DOCUMENT_INQUIRY_AGENCY_HOLDER_WINDOW_SECONDS", default=60 * 60),
)
DOCUMENT_INQUIRY_HOLDER_FAILURES = (
    env.int("DOCUMENT_INQUIRY_HOLDER_FAILURES", default=50),
    env.int("DOCUMENT_INQUIRY_HOLDER_WINDOW_SECONDS", default=60 * 60),
)
# The holder's inbox gets one notice per this window, summing up the failed attempts.
DOCUMENT_INQUIRY_FAILURE_NOTICE_WINDOW_SECONDS = env.int(
    "DOCUMENT_INQUIRY_FAILURE_NOTICE_WINDOW_SECONDS", default=60 * 60
)
# How long after a redemption its staff member may see the document and download its PDF.
DOCUMENT_INQUIRY_OPEN_MINUTES = env.int("DOCUMENT_INQUIRY_OPEN_MINUTES", default=15)
# Certificates one person may issue in any 24 hours; more get 429 and nothing is written.
CERTIFICATES_PER_PERSON_PER_DAY = env.int("CERTIFICATES_PER_PERSON_PER_DAY", default=10)

# --- Language, time, static files --------------------------------------------------------------

LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = not (DEBUG or TESTING)
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True  # only the server reads it
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ----------------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list binds every subdomain of the organization's domain for
# years: a decision for the organization, so the check that nags about it is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not (DEBUG or TESTING)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not (DEBUG or TESTING)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every page's scripts, styles, fonts and images come from the portal itself: no inline script,
# style element or style="" attribute anywhere (templates/base.html says so to template authors).
# Bootstrap draws its icons (the menu button, select arrows) as data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Features no page of the portal uses, switched off for it and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files are counted as they stream in and refused the moment one passes
# UPLOAD_MAX_BYTES, before more of it is stored (portal/uploads.py). It is never below the largest
# limit of any form (AGENCY_UPLOAD_MAX_BYTES; the staff list's is 1 MB), whose own check then
# shows the message next to the field. Files up to
# FILE_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) stay in memory, larger ones go to a temporary file.
FILE_UPLOAD_HANDLERS = ["portal.uploads.SizeLimitedUploadHandler"]
UPLOAD_MAX_BYTES = max(env.int("UPLOAD_MAX_BYTES", default=0), AGENCY_UPLOAD_MAX_BYTES)

# --- Logs and metrics (docs/operations.md) ------------------------------------------------------

# One JSON object per line (json), each with the request's id; `text` for a developer's terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

# /metrics answers these addresses or networks (the client address as the portal derives it:
# see TRUSTED_PROXY_COUNT) and requests bearing the token; anyone else gets a 404.
METRICS_ALLOWED_IPS = [
    network.strip() for network in env.list("METRICS_ALLOWED_IPS", default=[]) if network.strip()
]
for _network in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {_error}") from _error
METRICS_TOKEN = env_secret("METRICS_TOKEN", default="")
# The Celery queues whose length /metrics reports (LLEN of each list on the Redis broker).
METRICS_CELERY_QUEUES = env.list("METRICS_CELERY_QUEUES", default=["celery"])
