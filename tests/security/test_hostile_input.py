"""Hostile input against every form and query parameter: never a 500, errors in the page's
language, nothing reflected as markup.

`FORMS` and `QUERIES` name every URL that takes input; `test_every_url_is_swept_or_takes_no_input`
fails when a URL appears that neither lists nor `TAKES_NO_INPUT` explains. The fields of each form
are read from the page itself (a GET as the role that uses it), so a new field is swept without
touching this file. Every value of `hostile.HOSTILE_VALUES` goes into every visible field, each
upload of `hostile.UPLOADS` into every file field, and Hypothesis adds a few random mixtures
per form. The figures (inputs tried, 500s seen) are printed at the end of the run.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import portal.sms
from accounts.models import User
from agencies import outbox as agency_outbox
from agencies import services as agency_services
from agencies.models import MembershipRole
from documents import services as document_services
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import MouFactory, details
from tests.conftest import clear_cache
from tests.security import hostile

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROLES = (
    "anonymous",
    "citizen",
    "outsider",
    "agency_staff",
    "agency_admin",
    "committee_reviewer",
    "operator",
)
SIGNED_IN = ROLES[1:]
PANEL = ("agency_staff", "agency_admin")

FIGURES = {"inputs": 0, "500s": 0, "error messages": 0}


# --- The portal's state the forms need ---------------------------------------------------------


@pytest.fixture
def world(
    request,
    citizen,
    outsider,
    agency_staff,
    agency_admin,
    committee_reviewer,
    operator,
    settings,
    tmp_path,
) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in (agency_staff, agency_admin, committee_reviewer, operator):
        enrol_totp(user)
    agency = MouFactory.create(recorded_by=committee_reviewer).agency
    mou = agency.mous.get()
    add_member(agency_admin, agency, MembershipRole.ADMIN, operator)
    staff = add_member(agency_staff, agency, MembershipRole.STAFF, operator)

    returned = agency_services.submit_request(applicant=citizen, details=details())
    agency_services.start_review(access_request=returned, reviewer=committee_reviewer)
    agency_services.return_request(
        access_request=returned, reviewer=committee_reviewer, reasons="More, please."
    )
    in_review = agency_services.submit_request(applicant=outsider, details=details())
    agency_services.start_review(access_request=in_review, reviewer=committee_reviewer)

    fresh = document_services.issue_certificate(holder=citizen, language="fa")
    inboxed = document_services.issue_certificate(holder=citizen, language="fa")
    document_services.move_to_inbox(certificate=inboxed)

    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        clients[role] = client
    return {
        "clients": clients,
        "returned": returned,
        "in_review": in_review,
        "mou": mou,
        "staff": staff,
        "token": _invite(staff),
        "forms": {},
        "fresh": fresh,
        "inboxed": inboxed,
        "citizen": citizen,
    }


# --- What is swept -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FormTarget:
    """A page with a POST form; `url_name` is what the URL coverage test checks off."""

    url_name: str
    roles: tuple[str, ...]
    url: Callable[[dict[str, Any]], str]
    form_action: str = ""  # which form of the page, by its action ('' = posts to the page)
    form_has: str = ""  # ... or by a field only it has (the staff page has two forms)
    prepare: Callable[[Client, dict[str, Any]], None] | None = None

    def __str__(self) -> str:
        return f"{self.url_name}{'/' + self.form_has if self.form_has else ''}"


def _pending_sms_reset(client: Client, world: dict[str, Any]) -> None:
    session = client.session
    session["password_reset_sms_national_code"] = world["citizen"].national_code
    session.save()


def _recently_signed_in(client: Client, world: dict[str, Any]) -> None:
    # What allauth records at a re-authentication; changing how one signs in (password, mobile,
    # email, TOTP) asks for one in the last minutes.
    session = client.session
    user = User.objects.get(pk=session["_auth_user_id"])
    session["account_authentication_methods"] = [
        {
            "method": "password",
            "at": time.time(),
            "username": user.national_code,
            "reauthenticated": True,
        }
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def _invite(membership: Any) -> str:
    invitation = agency_services.invite_member(membership=membership)
    agency_outbox.send_invitation(invitation_id=invitation.pk)
    token = re.search(r"/agencies/invitations/([^/\s]+)/", portal.sms.outbox[-1].body)
    assert token
    return token.group(1)


def _an_api_client(client: Client, world: dict[str, Any]) -> None:
    """A system of the agency, so the API clients page shows its certificate form."""
    if "api_client" not in world:
        admin = User.objects.get(pk=client.session["_auth_user_id"])
        world["api_client"] = agency_services.request_api_client(
            mou=world["mou"],
            requested_by=admin,
            name="Case system",
            responsible=admin,
            scopes=world["mou"].scopes[:1],
            allowed_addresses=["192.0.2.10"],
        )


def _static(name: str, *args: Any) -> Callable[[dict[str, Any]], str]:
    return lambda world: reverse(name, args=args)


FORMS = [
    FormTarget("account_login", ("anonymous",), _static("account_login")),
    FormTarget("account_signup", ("anonymous",), _static("account_signup")),
    FormTarget("account_reset_password", ("anonymous",), _static("account_reset_password")),
    FormTarget(
        "accounts:password_reset_sms", ("anonymous",), _static("accounts:password_reset_sms")
    ),
    FormTarget(
        "accounts:password_reset_sms_confirm",
        ("anonymous",),
        _static("accounts:password_reset_sms_confirm"),
        prepare=_pending_sms_reset,
    ),
    FormTarget("set_language", ROLES, _static("home"), form_action="/i18n/"),
    FormTarget(
        "agencies:accept_invitation",
        ("anonymous",),
        lambda world: reverse("agencies:accept_invitation", args=[world["token"]]),
    ),
    FormTarget("agencies:apply", SIGNED_IN, _static("agencies:apply")),
    FormTarget(
        "agencies:resubmit",
        ("citizen",),
        lambda world: reverse("agencies:resubmit", args=[world["returned"].pk]),
    ),
    FormTarget("documents:certificate_new", SIGNED_IN, _static("documents:certificate_new")),
    # A PDF checked against the organization's signature, in memory, never stored.
    FormTarget("documents:verify_pdf", ("anonymous",), _static("documents:verify_pdf")),
    FormTarget(
        "documents:certificate_move_to_inbox",
        ("citizen",),
        lambda world: reverse("documents:certificate_move_to_inbox", args=[world["fresh"].number]),
    ),
    FormTarget(
        "documents:access_code_replace",
        ("citizen",),
        lambda world: reverse("documents:access_code_replace", args=[world["inboxed"].number]),
    ),
    FormTarget("gov:staff", ("agency_admin",), _static("gov:staff"), form_has="form-TOTAL_FORMS"),
    FormTarget("gov:api_clients", ("agency_admin",), _static("gov:api_clients"), form_has="name"),
    FormTarget(
        "gov:api_client_certificate",
        ("agency_admin",),
        _static("gov:api_clients"),
        form_has="certificate_text",
        prepare=_an_api_client,
    ),
    FormTarget("gov:staff", ("agency_admin",), _static("gov:staff"), form_has="file"),
    FormTarget(
        "gov:staff_removal",
        ("agency_admin",),
        lambda world: reverse("gov:staff_removal", args=[world["staff"].pk]),
    ),
    FormTarget("gov:inquiry", PANEL, _static("gov:inquiry")),
    FormTarget("gov:history", PANEL, _static("gov:history"), form_has="date_from"),
    FormTarget("gov:documents", PANEL, _static("gov:documents")),
    FormTarget(
        "account_change_password",
        ("citizen", "operator"),
        _static("account_change_password"),
        prepare=_recently_signed_in,
    ),
    FormTarget(
        "account_change_phone",
        ("citizen",),
        _static("account_change_phone"),
        prepare=_recently_signed_in,
    ),
    FormTarget(
        "account_email", ("citizen",), _static("account_email"), prepare=_recently_signed_in
    ),
    FormTarget("account_reauthenticate", ("citizen",), _static("account_reauthenticate")),
    FormTarget(
        "mfa_activate_totp",
        ("citizen",),
        _static("mfa_activate_totp"),
        prepare=_recently_signed_in,
    ),
    FormTarget("mfa_reauthenticate", ("agency_staff",), _static("mfa_reauthenticate")),
    FormTarget(
        "admin:agencies_accessrequest_decide",
        ("committee_reviewer",),
        lambda world: reverse("admin:agencies_accessrequest_decide", args=[world["in_review"].pk]),
    ),
    FormTarget(
        "admin:agencies_mou_status",
        ("committee_reviewer",),
        lambda world: reverse("admin:agencies_mou_status", args=[world["mou"].pk, "suspend"]),
    ),
    FormTarget(
        "admin:agencies_membership_remove",
        ("operator",),
        lambda world: reverse("admin:agencies_membership_remove", args=[world["staff"].pk]),
    ),
    FormTarget(
        "admin:agencies_mou_add", ("committee_reviewer",), _static("admin:agencies_mou_add")
    ),
]


@dataclass(frozen=True)
class QueryTarget:
    """A URL whose query string or path segment is read; `{}` in the path takes the value."""

    url_name: str
    roles: tuple[str, ...]
    path: Callable[[dict[str, Any]], str]
    params: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.url_name


QUERIES = [
    QueryTarget("account_login", ("anonymous",), _static("account_login"), ("next",)),
    QueryTarget("account_signup", ("anonymous",), _static("account_signup"), ("next",)),
    QueryTarget(
        "inquiries:my_disclosures", ("citizen",), _static("inquiries:my_disclosures"), ("page",)
    ),
    QueryTarget("gov:history", PANEL, _static("gov:history"), ("page",)),
    QueryTarget("gov:documents", PANEL, _static("gov:documents"), ("national_code", "access_code")),
    QueryTarget("home", ("anonymous",), _static("home"), ("page", "next", "q", "lang")),
    QueryTarget("documents:verify", ("anonymous",), lambda world: "/verify/{}/"),
    QueryTarget(
        "transparency:inclusion_proof",
        ("anonymous",),
        _static("transparency:inclusion_proof"),
        ("index", "size"),
    ),
    QueryTarget(
        "transparency:consistency_proof",
        ("anonymous",),
        _static("transparency:consistency_proof"),
        ("old", "new"),
    ),
    QueryTarget("documents:certificate_detail", ("citizen",), lambda world: "/me/certificates/{}/"),
    QueryTarget(
        "agencies:accept_invitation", ("anonymous",), lambda world: "/agencies/invitations/{}/"
    ),
    QueryTarget(
        "admin:agencies_accessrequest_changelist",
        ("committee_reviewer",),
        _static("admin:agencies_accessrequest_changelist"),
        ("q", "o", "p", "status__exact"),
    ),
    QueryTarget(
        "admin:agencies_membership_changelist",
        ("operator",),
        _static("admin:agencies_membership_changelist"),
        ("q", "o", "p", "is_active__exact"),
    ),
    QueryTarget(
        "admin:inquiries_disclosurerecord_changelist",
        ("committee_reviewer", "operator"),
        _static("admin:inquiries_disclosurerecord_changelist"),
        ("q", "o", "p"),
    ),
    QueryTarget(
        "admin:documents_certificate_changelist",
        ("operator",),
        _static("admin:documents_certificate_changelist"),
        ("q", "o", "p", "rendering_status__exact"),
    ),
]


# --- Sending and checking ----------------------------------------------------------------------


def _language(client: Client, language: str) -> None:
    client.cookies["django_language"] = language


def _form_of(target: FormTarget, html: str) -> hostile.FormOnPage:
    forms = hostile.read_page(html).forms
    for form in forms:
        if target.form_has:
            if target.form_has in form.fields or target.form_has in form.files:
                return form
        elif target.form_action:
            if form.action.startswith(target.form_action):
                return form
        elif not form.action.startswith(("/i18n/", "/accounts/logout/")) and (
            form.fields or form.files
        ):
            return form
    raise AssertionError(f"{target}: no such form on the page ({[f.action for f in forms]})")


def _blank_form(target: FormTarget, world: dict[str, Any], role: str) -> tuple[str, Any]:
    client = world["clients"][role]
    if target.prepare:
        target.prepare(client, world)
    url = target.url(world)
    key = (str(target), role, url)
    if key not in world["forms"]:
        response = client.get(url)
        assert response.status_code == 200, f"{target} as {role}: GET gave {response.status_code}"
        form = _form_of(target, response.content.decode())
        world["forms"][key] = (form.action or url, form)
    return world["forms"][key]


def sweep(
    client: Client,
    url: str,
    data_for: Callable[[str], dict[str, str]],
    before_each: Callable[[], None] = clear_cache,
) -> list[str]:
    """Post every hostile value, in Persian and English by turns, to one form; the problems.
    `before_each` forgets the limits that would refuse later posts before any validation."""
    problems: list[str] = []
    for index, value in enumerate(hostile.HOSTILE_VALUES):
        language = ("fa", "en")[index % 2]
        _language(client, language)
        before_each()
        with transaction.atomic():
            response = client.post(url, data_for(value))
            transaction.set_rollback(True)
        where = f"POST {url} ({language}) {value!r:.40}"
        check(response, where=where, language=language, sent=[str(value)], problems=problems)
    return problems


def check(response: Any, *, where: str, language: str, sent: list[str], problems: list[str]):
    FIGURES["inputs"] += 1
    if response.status_code >= 500 or getattr(response, "exc_info", None):
        FIGURES["500s"] += 1
        error = response.exc_info[1] if getattr(response, "exc_info", None) else ""
        problems.append(f"{where}: {response.status_code} {error!r}")
        return
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        for probe in hostile.MARKUP_PROBES:
            if probe in html:
                problems.append(f"{where}: {probe} reflected unescaped")
        quoted = hostile.quoted_forms(sent)
        for error in hostile.read_page(html).errors:
            FIGURES["error messages"] += 1
            if foreign := hostile.foreign_error_text(error, language, quoted):
                problems.append(f"{where}: a {language} page says {foreign[:120]!r}")


def post_form(
    target: FormTarget,
    world: dict[str, Any],
    *,
    role: str,
    language: str,
    values: dict[str, str],
    upload: tuple[str, bytes] | None,
    problems: list[str],
) -> None:
    clear_cache()  # sign-in and reset limits would answer 429 before any validation
    client = world["clients"][role]
    _language(client, language)
    action, form = _blank_form(target, world, role)
    data: dict[str, Any] = {**form.fields, **values}
    for name in form.files:
        if upload:
            data[name] = SimpleUploadedFile(upload[0], upload[1])
    # Each post is undone afterwards: a value that happens to be valid (any text is a reason to
    # suspend an MoU) must not close the pages the rest of the sweep posts to.
    with transaction.atomic():
        response = client.post(action, data)
        transaction.set_rollback(True)
    check(
        response,
        where=f"POST {action} as {role} ({language}) {sorted(values)}",
        language=language,
        sent=[str(value) for value in values.values()] + _cells(upload),
        problems=problems,
    )


def _cells(upload: tuple[str, bytes] | None) -> list[str]:
    """What of an uploaded file a message may quote (the staff list names unknown columns)."""
    if not upload:
        return []
    return re.split(r"[,;\n]", upload[1].decode("utf-8", errors="replace"))


def visible_fields(form: hostile.FormOnPage) -> list[str]:
    return [name for name in form.fields if name not in form.hidden]


def test_every_hostile_value_in_every_field_is_refused_politely(world):
    problems: list[str] = []
    for target in FORMS:
        for index, value in enumerate(hostile.HOSTILE_VALUES):
            role = target.roles[index % len(target.roles)]
            language = ("fa", "en")[index % 2]
            _action, form = _blank_form(target, world, role)
            upload = hostile.UPLOADS[index % len(hostile.UPLOADS)] if form.files else None
            values = dict.fromkeys(visible_fields(form), value)
            post_form(
                target,
                world,
                role=role,
                language=language,
                values=values,
                upload=upload,
                problems=problems,
            )
    assert problems == []


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_mixtures_of_hostile_values_are_refused_politely(world, data):
    target = data.draw(st.sampled_from(FORMS), label="form")
    role = data.draw(st.sampled_from(target.roles), label="role")
    language = data.draw(st.sampled_from(["fa", "en"]), label="language")
    _action, form = _blank_form(target, world, role)
    values = {}
    for name in form.fields:
        # Hidden fields (a formset's counts) mostly keep the page's value: then the rows behind
        # them are validated too.
        if data.draw(st.booleans() if name in form.hidden else st.just(True), label=name):
            values[name] = data.draw(hostile.HOSTILE_TEXT, label=name)
    upload = data.draw(st.sampled_from(hostile.UPLOADS), label="upload") if form.files else None
    problems: list[str] = []
    post_form(
        target,
        world,
        role=role,
        language=language,
        values=values,
        upload=upload,
        problems=problems,
    )
    assert problems == []


def test_hostile_query_strings_and_path_segments_are_refused_politely(world):
    problems: list[str] = []
    for target in QUERIES:
        for index, value in enumerate(hostile.HOSTILE_VALUES):
            role = target.roles[index % len(target.roles)]
            language = ("fa", "en")[index % 2]
            clear_cache()
            client = world["clients"][role]
            _language(client, language)
            path = target.path(world)
            if "{}" in path:
                # What a browser sends for the segment; `/` inside it would be another path.
                path = path.format(
                    value.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
                )
            response = client.get(path, dict.fromkeys(target.params, value))
            check(
                response,
                where=f"GET {path[:80]} as {role} ({language}) {target.params}",
                language=language,
                sent=[value],
                problems=problems,
            )
    assert problems == []


# --- Coverage of the URL map -------------------------------------------------------------------

# Every other URL: what it does with input, and why there is nothing more to sweep.
# Pages swept by a test of their own, or reached by a sweep under another name.
SWEPT_ELSEWHERE = {
    "accounts:signup": "the path of allauth's account_signup, swept above: this view answers it",
    "accounts:login": "the path of allauth's account_login, swept above: this view answers it",
    "accounts:verify_phone": "the path of allauth's account_verify_phone: this view answers it",
    "accounts:change_phone": "the path of allauth's account_change_phone, swept above",
    "accounts:identity": "tests/accounts/test_identity_hostile_input.py",
    "accounts:complete_mobile": "tests/isinsured/test_completion_hostile_input.py",
    "accounts:complete_mobile_code": "tests/isinsured/test_completion_hostile_input.py",
    "accounts:complete_password": "tests/isinsured/test_completion_hostile_input.py",
    # The agencies' API takes JSON and form bodies and headers, not pages' forms.
    "api-v1:token": "tests/api/test_hostile_input.py",
    "api-v1:create_inquiry": "tests/api/test_hostile_input.py",
    "api-v1:read_inquiry": "tests/api/test_hostile_input.py",
    "api-v1:redeem": "tests/api/test_hostile_input.py",
    "api-v1:redemption_pdf": "tests/api/test_hostile_input.py",
    "api-v1:openapi-json": "GET only, reads nothing",
}

TAKES_NO_INPUT = {
    "healthz": "GET only, reads nothing",
    "accounts:complete": "GET only: sends a migrated account to its next completion step",
    "metrics": "GET only; the Authorization header is compared in constant time, else a 404",
    "accounts:dashboard": "GET page",
    "inquiries:my_status": "GET page",
    "inquiries:my_disclosure_proof": "GET only; the pk is the matrix's (mine or 404)",
    "transparency:checkpoint": "GET only, reads nothing",
    "transparency:key": "GET only, reads nothing",
    "agreements:list": "GET only, reads nothing",
    "agreements:list_json": "GET only, reads nothing",
    "agreements:agency": "GET only; int path segment (an agency not on the register is a 404)",
    "agreements:agency_json": "GET only; int path segment as agreements:agency's",
    "documents:jwks": "GET only, reads nothing",
    "documents:verify_offline": "GET page; the token is checked in the browser, never sent",
    "documents:certificate_list": "GET page",
    "documents:certificate_status": "path segment as certificate_detail's",
    "documents:certificate_pdf": "path segment as certificate_detail's",
    "documents:certificate_retry": "POST without fields; path segment as certificate_detail's",
    "documents:certificate_revoke": "GET asks; POST without fields; path as certificate_detail's",
    "documents:access_code_revoke": "GET asks; POST without fields; path as certificate_detail's",
    "documents:inbox": "GET page",
    "documents:inbox_mark_read": "POST without fields",
    "agencies:my_requests": "GET page",
    "agencies:request_detail": "int path segment (the URL resolver refuses the rest)",
    "agencies:request_letter": "int path segment",
    "gov:home": "GET page",
    "gov:staff_template": "GET download",
    "gov:staff_export": "GET download",
    "gov:history_export": "GET download; its filter is the one gov:history (swept) saved",
    "gov:redeemed_document": "int path segment",
    "gov:redeemed_document_pdf": "int path segment",
    "agencies:request_notices_read": "POST without fields",
    "agencies:accept_membership": "POST without fields; int path segment",
    "accounts:password_change": "the path of account_change_password (swept), re-auth wrapper",
    "usersessions_list": "GET page; POST without fields (signs out the other devices)",
    "account_logout": "POST without fields",
    "account_inactive": "GET page",
    "account_email_verification_sent": "GET page",
    "account_set_password": "redirects: every account has a password",
    "account_confirm_email": "key in the path: allauth looks it up, unknown keys get its page",
    "account_reset_password_done": "GET page",
    "account_reset_password_from_key": "uidb36-key in the path: allauth's token check",
    "account_reset_password_from_key_done": "GET page",
    "account_request_reauthentication_code": "login by code is off (404)",
    "account_confirm_reauthentication_code": "login by code is off (404)",
    "account_confirm_login_code": "login by code is off (404)",
    "account_verify_phone": "a pending phone verification's code form; same field as mfa codes",
    "mfa_index": "GET page",
    "mfa_authenticate": "only during a sign-in's second stage; same code form as reauthenticate",
    "mfa_deactivate_totp": "POST without fields (the citizen's own TOTP)",
    "mfa_view_recovery_codes": "GET page",
    "mfa_generate_recovery_codes": "POST without fields",
    "mfa_download_recovery_codes": "GET download",
    "admin:agencies_accessrequest_start_review": "POST without fields",
    "admin:agencies_accessrequest_reopen": "the same ReasonsForm as agencies_mou_status",
    "admin:agencies_mou_scan": "int path segment, download",
    "admin:agencies_accessrequest_letter": "int path segment; the letter, framed or downloaded",
    "admin:agencies_mou_it_actioned": "POST without fields",
    "admin:agencies_apiclient_decide": "the same ReasonsForm as agencies_mou_status",
    "api_docs": "GET page, reads nothing",
    "api-v1:api-root": "django-ninja's root of /api/v1/: a 404 whatever it is sent",
    "gov:api_client_secret": "POST without fields; int path segment (the matrix's)",
    "gov:api_client_revoke": "POST with the page's fixed reasons; int path segment",
}


def _names(patterns: list, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                # Django's own model admin screens are covered by their changelists and the
                # MoU form above; the project's own admin views all appear here.
                names |= {
                    name
                    for name in _names(pattern.url_patterns, inner)
                    if name.startswith("admin:agencies_")
                    and not re.search(r"_(changelist|add|change|delete|history)$", name)
                }
                continue
            names |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_is_swept_or_takes_no_input():
    swept = {target.url_name for target in FORMS} | {target.url_name for target in QUERIES}
    explained = set(TAKES_NO_INPUT) | set(SWEPT_ELSEWHERE)
    unexplained = _names(get_resolver().url_patterns) - swept - explained
    assert unexplained == set(), "add these to FORMS, QUERIES or TAKES_NO_INPUT"


def test_a_nul_in_a_query_string_gets_the_bad_request_page_in_the_visitors_language(
    client, committee_reviewer
):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    persian = client.get("/admin/agencies/accessrequest/", {"q": "a\x00b"})
    assert persian.status_code == 400
    assert "این درخواست قابل پردازش نبود" in persian.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/me/disclosures/", {"page": "\x00"})
    assert english.status_code == 400
    assert "We could not understand this request" in english.content.decode()
