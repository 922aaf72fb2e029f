"""The OpenAPI description validates, lists every endpoint, and the documentation page is built
from it on the server (no remote script)."""

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("post", "/api/v1/oauth/token"),
    ("post", "/api/v1/inquiries"),
    ("get", "/api/v1/inquiries/{inquiry_id}"),
    ("post", "/api/v1/certificates/redeem"),
    ("get", "/api/v1/certificates/redemptions/{redemption_id}/pdf"),
}


def test_the_schema_validates_and_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    listed = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post"}
    }
    assert listed == ENDPOINTS
    assert schema["paths"]["/api/v1/inquiries"]["post"]["security"] == [{"BearerToken": []}]
    assert "security" not in schema["paths"]["/api/v1/oauth/token"]["post"]


def test_the_documentation_page_is_rendered_from_the_schema(client):
    page = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    for method, path in ENDPOINTS:
        assert f"{method.upper()} {path.replace('/', '/<wbr>')}" in text
    assert '<script src="http' not in text
    # A page, not an API call: its language switch has its CSRF cookie.
    assert "csrftoken" in page.cookies
    problems = text.split('data-testid="problems"')[1].split("</table>")[0]
    assert "invalid-token" in problems
    # The base once, breakable after its slashes on a phone; each problem by its name.
    assert "https:/<wbr>/<wbr>portal.example/<wbr>problems/<wbr>" in text
    assert "POST /<wbr>api/<wbr>v1/<wbr>inquiries" in text


def test_the_persian_documentation_page_says_what_each_endpoint_does_in_persian(client):
    """The schema's summaries are English for the machines; the page translates them."""
    from tests.portal.test_translations import latin_words

    english = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    persian = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "Inquire about a person&#x27;s insurance and pension status" in english
    assert "استعلام وضعیت بیمه و مستمری یک شخص" in persian
    table = persian.split('data-testid="operations"')[1].split("</table>")[0]
    cells = table.split("<tbody>")[1]
    # Only the methods and paths, and the standard names inside isolates, stay Latin.
    assert latin_words(cells) == {
        "GET", "POST", "api", "oauth", "token", "inquiries", "inquiry", "id", "certificates",
        "redeem", "redemptions", "redemption", "pdf", "OAuth", "client", "credentials", "PDF",
    }  # fmt: skip
