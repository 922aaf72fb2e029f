"""The admin shows certificates, access codes, inbox notices, redemptions and disclosure records
but changes none of them, for every account, superusers included: history is written only by
the services, each with its own audit row.

The attack reproduced: a superuser added a forged "X opened this certificate" notice that
reached a citizen's inbox, and deleted certificates and access codes that were never redeemed.
"""

import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from documents.models import InboxNotice
from tests.accounts.conftest import superuser  # noqa: F401 - a fixture
from tests.agencies.conftest import enrol_totp
from tests.documents.test_document_inquiry import inquire

pytestmark = pytest.mark.django_db

MODELS = [
    "documents.certificate",
    "documents.accesscode",
    "documents.inboxnotice",
    "documents.redemption",
    "inquiries.disclosurerecord",
]


@pytest.fixture
def history(citizen, citizen_record, issue, share, agency_staff, staff_membership):
    """A certificate redeemed once, and a second one shared but never redeemed."""
    redeemed = issue(citizen)
    code = share(redeemed)
    staff_client = Client()
    staff_client.force_login(agency_staff)
    assert inquire(staff_client, citizen.national_code, code).status_code == 302
    share(issue(citizen))


@pytest.fixture
def admin_client(client, superuser):  # noqa: F811 - the fixture imported above
    enrol_totp(superuser)
    client.force_login(superuser)
    return client


def _snapshot() -> dict[str, list[dict]]:
    """Every row of the five models, to prove that nothing changed."""
    return {label: list(apps.get_model(label).objects.order_by("pk").values()) for label in MODELS}


def _url(label: str, view: str, *args: object) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.mark.parametrize("label", MODELS)
def test_a_superuser_reads_but_cannot_add_change_or_delete(admin_client, history, label):
    before = _snapshot()
    model = apps.get_model(label)
    obj = model.objects.order_by("pk").first()
    assert obj is not None

    assert admin_client.get(_url(label, "changelist")).status_code == 200
    page = admin_client.get(_url(label, "change", obj.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.get(_url(label, "add")).status_code == 403
    assert admin_client.post(_url(label, "add"), {"kind": "redeemed"}).status_code == 403
    assert admin_client.post(_url(label, "change", obj.pk), {"note": "edited"}).status_code == 403
    assert admin_client.get(_url(label, "delete", obj.pk)).status_code == 403
    assert admin_client.post(_url(label, "delete", obj.pk), {"post": "yes"}).status_code == 403
    listing = admin_client.post(
        _url(label, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert listing.status_code in (200, 302)
    assert b"delete_selected" not in admin_client.get(_url(label, "changelist")).content

    assert _snapshot() == before


def test_a_superuser_cannot_forge_an_opened_notice(admin_client, citizen, history):
    certificate = citizen.certificates.first()
    forged = {
        "recipient": citizen.pk,
        "certificate": certificate.pk,
        "kind": InboxNotice.Kind.REDEEMED,
        "details": json.dumps({"agency": "Forged agency"}),
        "created_at_0": "2026-01-01",
        "created_at_1": "10:00:00",
    }
    response = admin_client.post(_url("documents.inboxnotice", "add"), forged)
    assert response.status_code == 403
    assert not InboxNotice.objects.filter(details__agency="Forged agency").exists()
    admin_client.force_login(citizen)
    assert "Forged agency" not in admin_client.get(reverse("documents:inbox")).content.decode()


def test_a_superuser_cannot_delete_a_certificate_that_was_never_redeemed(admin_client, history):
    from documents.models import AccessCode, Certificate

    never_redeemed = Certificate.objects.filter(redemptions__isnull=True).get()
    code = AccessCode.objects.get(certificate=never_redeemed)
    for label, obj in [("documents.accesscode", code), ("documents.certificate", never_redeemed)]:
        response = admin_client.post(_url(label, "delete", obj.pk), {"post": "yes"})
        assert response.status_code == 403
    assert Certificate.objects.filter(pk=never_redeemed.pk).exists()
    assert AccessCode.objects.filter(pk=code.pk).exists()
