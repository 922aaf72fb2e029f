import pytest
from django.conf import settings


@pytest.mark.django_db
def test_persian_is_the_default_and_right_to_left(client):
    html = client.get("/").content.decode()
    assert '<html lang="fa" dir="rtl">' in html


@pytest.mark.django_db
def test_english_pages_are_left_to_right(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.django_db
def test_the_language_switch_remembers_the_choice(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="en" dir="ltr"' in html
