"""Numbers typed with a minus sign are refused with a message, not read as positive: "-5" valid
days used to become 5 (the digits' normaliser drops dashes), and so did a monthly volume."""

import pytest
from django.urls import reverse

from documents.models import AccessCode

pytestmark = pytest.mark.django_db

MINUSES = ["-5", "\u22125", "-۵", "\u2013٥", "5-"]
REFUSAL = {
    "en": "Enter a positive number, without a minus sign.",
    "fa": "عددی مثبت و بدون علامت منفی وارد کنید.",
}


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("field", ["valid_days", "max_uses"])
@pytest.mark.parametrize("typed", MINUSES)
def test_a_negative_number_of_days_or_uses_is_refused(
    client, citizen, issue, language, field, typed
):
    certificate = issue(citizen)
    client.force_login(citizen)
    client.cookies["django_language"] = language
    data = {"valid_days": "30", "max_uses": "3", field: typed}
    response = client.post(
        reverse("documents:certificate_move_to_inbox", args=[certificate.number]), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [REFUSAL[language]]
    assert REFUSAL[language] in response.content.decode()
    assert not AccessCode.objects.exists()


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("typed", MINUSES)
def test_a_negative_monthly_volume_is_refused(client, citizen, language, typed):
    client.force_login(citizen)
    client.cookies["django_language"] = language
    response = client.post(reverse("agencies:apply"), {"monthly_volume": typed})
    assert response.status_code == 400
    assert response.context["form"].errors["monthly_volume"] == [REFUSAL[language]]


def test_positive_numbers_in_any_digits_still_pass(client, citizen, issue):
    certificate = issue(citizen)
    client.force_login(citizen)
    response = client.post(
        reverse("documents:certificate_move_to_inbox", args=[certificate.number]),
        {"valid_days": "۱۲", "max_uses": "٣"},
    )
    assert response.status_code == 200
    code = AccessCode.objects.get()
    assert code.max_uses == 3
