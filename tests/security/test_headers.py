"""Security headers, cookies, caching and error pages, on every HTML page of every role.

The walk uses the demo world (`seed_demo`): a citizen with a status, a certificate in the inbox
and disclosures, an agency with its admin and staff member, a committee reviewer and an
operator; each role opens its own pages and every response is checked.
"""

import io
import json
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.demo import demo_user
from documents.models import Certificate, Redemption
from tests.conftest import PASSWORD, run_with_settings

pytestmark = pytest.mark.django_db

# The CSP every HTML page carries: nothing from elsewhere, nothing inline.
REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class InlineCodeFinder(HTMLParser):
    """Finds what the CSP would block: inline scripts, <style>, style="" and on* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        # A JSON data island (allauth's, the admin's) is never run, so the CSP allows it.
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append(f"inline <script> {names}")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f'<{tag} {name}="{value}">')
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.found.append(f'<{tag} {name}="{value}">')


def inline_code(response) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    return finder.found


def assert_secure_headers(response, *, signed_in: bool) -> None:
    where = f"{response.request['PATH_INFO']} ({response.status_code})"
    directives = csp_directives(response)
    for name, source in REQUIRED_DIRECTIVES.items():
        assert directives.get(name) == [source], f"{where}: {name} is {directives.get(name)}"
    for sources in directives.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(sources), where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where
    assert response["X-Frame-Options"] == "DENY", where
    assert "camera=()" in response["Permissions-Policy"], where
    assert "geolocation=()" in response["Permissions-Policy"], where
    assert response["Strict-Transport-Security"].startswith("max-age=31536000"), where
    if signed_in:
        assert "no-store" in response["Cache-Control"], where
    if response["Content-Type"].startswith("text/html"):
        assert inline_code(response) == [], where


def get(client: Client, path: str):
    # Over HTTPS, as in production: Django sends HSTS only on secure requests.
    return client.get(path, secure=True)


@pytest.fixture
def demo(db, settings, tmp_path, django_capture_on_commit_callbacks) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):  # the certificate's PDF
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def certificate(demo) -> Certificate:
    return Certificate.objects.get(holder=demo_user("citizen"))


def redeemed_document(certificate: Certificate) -> Redemption:
    from agencies.demo import MOU_NUMBER
    from agencies.models import Mou
    from documents.demo import demo_access_code
    from documents.redemptions import redeem_access_code

    return redeem_access_code(
        staff_member=demo_user("agency_staff"),
        mou=Mou.objects.get(number=MOU_NUMBER),
        national_code=certificate.holder_national_code,
        code=demo_access_code(certificate),
        client_ip="127.0.0.1",
    )


def pages_of(role: str, certificate: Certificate) -> list[str]:
    """The HTML pages each role opens in its daily work."""
    number = certificate.number
    if role == "anonymous":
        return [
            "/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            reverse("accounts:password_reset_sms"),
            reverse("documents:verify", args=[number]),
            reverse("documents:verify", args=["NO-SUCH-NUMBER"]),
            "/no-such-page/",
            "/me/",  # a redirect to sign-in carries the headers too
        ]
    if role == "citizen":
        return [
            "/",
            "/me/",
            "/me/status/",
            "/me/disclosures/",
            "/me/certificates/",
            "/me/certificates/new/",
            reverse("documents:certificate_detail", args=[number]),
            "/me/inbox/",
            "/agencies/apply/",
            "/agencies/requests/",
            "/accounts/password/change/",
            "/accounts/2fa/",
            "/accounts/sessions/",
            "/gov/",  # refused: the 403 page
        ]
    if role == "agency_staff":
        redemption = redeemed_document(certificate)
        return [
            "/me/",
            "/gov/",
            "/gov/inquiry/",
            "/gov/history/",
            "/gov/documents/",
            reverse("gov:redeemed_document", args=[redemption.pk]),
            "/accounts/2fa/",
        ]
    if role == "agency_admin":
        return ["/gov/", "/gov/staff/", "/gov/history/", "/me/"]
    if role in {"committee_reviewer", "operator"}:
        return [
            "/admin/",
            "/admin/agencies/accessrequest/",
            "/admin/agencies/mou/",
            "/admin/agencies/agency/",
            "/me/",
        ]
    raise AssertionError(role)


ROLES = ["anonymous", "citizen", "agency_staff", "agency_admin", "committee_reviewer", "operator"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_carries_the_security_headers(client, certificate, role):
    if role != "anonymous":
        client.force_login(demo_user(role))
    pages = pages_of(role, certificate)
    for language in ["fa", "en"]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        statuses = {}
        for path in pages:
            response = get(client, path)
            statuses[path] = response.status_code
            assert_secure_headers(response, signed_in=role != "anonymous")
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                assert f'<html lang="{language}"' in response.content.decode(), path
        # The walk saw real pages, not a wall of redirects.
        others = {path: status for path, status in statuses.items() if status != 200}
        assert len(others) <= 2, others


def test_the_checker_catches_inline_code():
    # The walk above would prove nothing if the parser missed what the CSP blocks.
    page = (
        '<p style="color:red" onclick="x()">a</p><script>alert(1)</script>'
        '<script type="application/json">{}</script><script src="/s.js"></script>'
        '<a href="javascript:void(0)">b</a><style>p{}</style>'
    )
    finder = InlineCodeFinder()
    finder.feed(page)
    assert len(finder.found) == 5, finder.found


# --- Caching and downloads ---------------------------------------------------------------------


def test_pdfs_are_never_stored_and_have_server_made_names(client, certificate):
    client.force_login(demo_user("citizen"))
    response = get(client, reverse("documents:certificate_pdf", args=[certificate.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="{certificate.download_name()}"'
    )
    assert certificate.download_name().startswith("certificate-")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_redeemed_pdf_is_never_stored_and_has_a_server_made_name(client, certificate):
    redemption = redeemed_document(certificate)
    client.force_login(demo_user("agency_staff"))
    response = get(client, reverse("gov:redeemed_document_pdf", args=[redemption.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="{certificate.download_name()}"'
    )


def test_the_staff_list_template_has_a_server_made_name(client, demo):
    client.force_login(demo_user("agency_admin"))
    response = get(client, reverse("gov:staff_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="staff-list-template.csv"'
    assert "no-store" in response["Cache-Control"]


def test_an_uploaded_letter_is_downloaded_under_a_name_the_server_made(client, citizen):
    from agencies import services
    from tests.agencies.factories import details, letter

    upload = letter("../../etc/passwd\r\nX-Evil: 1.pdf")
    access_request = services.submit_request(applicant=citizen, details=details(letter=upload))
    client.force_login(citizen)
    response = get(client, reverse("agencies:request_letter", args=[access_request.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="letter-{access_request.pk}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]


def test_the_retired_isinsured_notice_carries_the_headers_too(client, db):
    # Served by its own middleware before sessions and the views: still under the same policy.
    from isinsured.models import RetirementAction, RetirementEvent

    RetirementEvent.objects.create(action=RetirementAction.RETIRED, reason="Cut-over (test).")
    response = get(client, "/isinsured/inquiry.aspx")
    assert response.status_code == 410
    assert_secure_headers(response, signed_in=False)


def test_anonymous_pages_are_not_marked_private(client):
    # The rule is for signed-in people; the home page may be cached like any public page.
    response = get(client, "/")
    assert "no-store" not in response.get("Cache-Control", "")


# --- Error pages -------------------------------------------------------------------------------

ERROR_TEXT = {
    400: {"fa": "این درخواست قابل پردازش نبود", "en": "We could not understand this request"},
    403: {"fa": "شما به این صفحه دسترسی ندارید", "en": "You do not have access to this page"},
    404: {"fa": "صفحه پیدا نشد", "en": "Page not found"},
    429: {"fa": "تعداد تلاش‌ها بیش از حد مجاز است", "en": "Too many attempts"},
}
# Each error, the way it happens: a view that refuses or suspects tampering, a wrong address,
# the verification page's rate limit.
ERROR_PATHS = {400: "/suspicious/", 403: "/refuse/", 404: "/no-such-page/", 429: "/verify/X/"}


def assert_our_error_page(response, status: int, language: str, heading: str) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert f'<html lang="{language}" dir="{"rtl" if language == "fa" else "ltr"}">' in page
    assert heading in page
    # Our layout, with the way home, under the same headers as every page.
    assert 'href="/"' in page
    assert ("سازمان تأمین اجتماعی" if language == "fa" else "Social Security Organization") in page
    assert_secure_headers(response, signed_in=False)


@pytest.mark.urls("tests.security.urls_with_a_failing_view")
@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("status", sorted(ERROR_TEXT))
def test_error_pages_are_ours_in_both_languages(client, status, language, settings):
    settings.CERTIFICATE_VERIFY_RATE = (1, 60)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if status == 429:
        get(client, ERROR_PATHS[status])
    response = get(client, ERROR_PATHS[status])
    assert_our_error_page(response, status, language, ERROR_TEXT[status][language])
    other = "en" if language == "fa" else "fa"
    assert ERROR_TEXT[status][other] not in response.content.decode()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_a_bad_host_header_gets_our_400_page(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/", secure=True, headers={"host": "evil.example"})
    assert_our_error_page(response, 400, language, ERROR_TEXT[400][language])


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fa", "فرم فرستاده نشد"), ("en", "The form could not be sent")],
)
def test_a_form_without_its_csrf_token_gets_our_403_page(language, heading):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/accounts/login/", {"login": "0010000011"}, secure=True)
    assert_our_error_page(response, 403, language, heading)
    assert "CSRF verification failed" not in response.content.decode()


@pytest.mark.urls("tests.security.urls_with_a_failing_view")
def test_a_crash_shows_our_500_page_and_never_a_traceback(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/crash/", secure=True)
    assert response.status_code == 500
    page = response.content.decode()
    assert "خطایی در سامانه رخ داد" in page  # Persian first...
    assert "Something went wrong on our side" in page  # ...and English, with no request to ask
    for leak in ["Traceback", "ZeroDivisionError", "crashing_view", "settings", 'File "']:
        assert leak not in page
    assert_secure_headers(response, signed_in=False)


# --- Production settings -----------------------------------------------------------------------

PRODUCTION_PROBE = """
import json
import django
from django.conf import settings

# The one change to production settings: static files as they are in the checkout, rather than
# collected and hashed (collectstatic would take half a minute and prove nothing here).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
client = Client()
report = {}
plain = client.get("/", headers={"host": "portal.example"})
report["http_redirect"] = [plain.status_code, plain.get("Location", "")]
home = client.get("/", secure=True, headers={"host": "portal.example"})
report["home"] = home.status_code
report["hsts"] = home.get("Strict-Transport-Security", "")
report["csp"] = home.get("Content-Security-Policy", "")
login = client.post(
    "/accounts/login/",
    {"login": NATIONAL_CODE, "password": PASSWORD},
    secure=True,
    headers={"host": "portal.example"},
)
report["login"] = login.status_code
language = client.post(
    "/i18n/setlang/", {"language": "en", "next": "/"}, secure=True,
    headers={"host": "portal.example"},
)
cookies = {}
for response in (home, login, language):
    for name, morsel in response.cookies.items():
        cookies[name] = {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
        }
report["cookies"] = cookies
print(json.dumps(report))
"""


def database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_production_settings_send_hsts_and_only_secure_httponly_samesite_cookies(citizen):
    """A fresh interpreter on the production settings (DEBUG off, no test switches), signing in
    for real against the test database."""
    probe = PRODUCTION_PROBE.replace("NATIONAL_CODE", repr(citizen.national_code)).replace(
        "PASSWORD", repr(PASSWORD)
    )
    result = run_with_settings(
        probe,
        drop=("PORTAL_", "DATABASE_", "REDIS_", "CELERY_", "SECRET_KEY", "DEBUG"),
        env={
            "SECRET_KEY": "a-production-like-secret-for-this-test-only-0123456789",
            "DATABASE_URL": database_url(),
            "ALLOWED_HOSTS": "portal.example",
            "SMS_BACKEND": "portal.sms.backends.locmem.SmsBackend",
        },
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["http_redirect"] == [301, "https://portal.example/"]
    assert report["home"] == 200
    assert report["hsts"] == "max-age=31536000; includeSubDomains"
    assert "object-src 'none'" in report["csp"] and "unsafe-inline" not in report["csp"]
    assert report["login"] == 302  # signed in: a session cookie was set
    cookies = report["cookies"]
    assert {"sessionid", "csrftoken", "django_language"} <= set(cookies), cookies
    for name in ["sessionid", "csrftoken", "django_language"]:
        assert cookies[name] == {"secure": True, "httponly": True, "samesite": "Lax"}, name
