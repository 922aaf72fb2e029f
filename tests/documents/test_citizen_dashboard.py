"""The citizen's way to the main task: start buttons on the dashboard, certificates in the
navigation and the account menu, a greeting by the registry's name once the account is bound."""

import datetime
import re

import pytest
from django.urls import reverse

from inquiries.models import InsuredPerson
from tests.conftest import BIRTH_DATE, make_user

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("accounts:dashboard")


def start_buttons(html: str) -> list[str]:
    """The links of the dashboard's "what would you like to do" section, in order."""
    section = re.search(r'<section[^>]*data-testid="start-tasks".*?</section>', html, re.S)
    assert section, "the dashboard has no start buttons"
    return re.findall(r'<a class="btn[^"]*" href="([^"]+)"', section.group(0))


def test_the_dashboard_starts_the_citizens_four_tasks(client, citizen):
    client.force_login(citizen)
    html = client.get(DASHBOARD).content.decode()
    assert start_buttons(html) == [
        reverse("inquiries:my_status"),
        reverse("documents:certificate_new"),
        reverse("documents:inbox"),
        reverse("inquiries:my_disclosures"),
    ]


@pytest.mark.parametrize(
    "url",
    [
        DASHBOARD,
        reverse("home"),
        reverse("inquiries:my_status"),
        reverse("inquiries:my_disclosures"),
    ],
)
def test_my_certificates_is_in_the_navigation_of_every_page(client, citizen, url):
    client.force_login(citizen)
    html = client.get(url).content.decode()
    nav = re.search(r'<nav class="navbar.*?</nav>', html, re.S)
    assert nav and f'href="{reverse("documents:certificate_list")}"' in nav.group(0)


def test_my_certificates_is_in_the_account_menu(client, citizen):
    client.force_login(citizen)
    html = client.get(DASHBOARD).content.decode()
    menu = re.search(r'<nav class="card portal-card".*?</nav>', html, re.S)
    assert menu and f'href="{reverse("documents:certificate_list")}"' in menu.group(0)


@pytest.mark.parametrize("url", [reverse("home"), reverse("inquiries:my_status")])
def test_home_and_status_pages_lead_to_issuing_a_certificate(client, citizen, url):
    client.force_login(citizen)
    html = client.get(url).content.decode()
    assert f'href="{reverse("documents:certificate_new")}"' in html


def registry_person(national_code: str) -> InsuredPerson:
    return InsuredPerson.objects.create(
        national_code=national_code,
        first_name="پروانه",
        last_name="ساختگی",
        birth_date=BIRTH_DATE,
        gender="F",
    )


def greeting(html: str) -> str:
    match = re.search(r'<p class="lead[^"]*"[^>]*>(.*?)</p>', html, re.S)
    assert match, "the dashboard greets nobody"
    return match.group(1)


def test_a_bound_account_is_greeted_by_its_registry_name(client, citizen):
    registry_person(citizen.national_code)
    client.force_login(citizen)
    assert "پروانه ساختگی" in greeting(client.get(DASHBOARD).content.decode())


def test_an_unbound_account_never_learns_the_registry_name_of_its_code(client):
    """Anyone may type someone else's national code at sign-up: until the account is proven,
    the dashboard must not say whose code it is."""
    squatter = make_user(
        "0010000089",
        "+989121110089",
        first_name="Typed",
        last_name="Name",
        identity_verified_at=None,
    )
    registry_person(squatter.national_code)
    client.force_login(squatter)
    client.cookies["django_language"] = "en"
    said = greeting(client.get(DASHBOARD).content.decode())
    assert "پروانه" not in said and "ساختگی" not in said
    assert "Typed Name" in said


def test_a_bound_account_with_another_registry_birth_date_is_not_greeted_by_it(client, citizen):
    person = registry_person(citizen.national_code)
    person.birth_date = datetime.date(1971, 1, 1)
    person.save()
    client.force_login(citizen)
    assert "پروانه" not in greeting(client.get(DASHBOARD).content.decode())
