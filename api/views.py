"""The API's documentation page: the OpenAPI schema rendered on the server (no remote script;
the CSP forbids them), for the agencies' developers. Public, like the schema itself."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from api.endpoints import api
from api.problems import CATALOGUE, type_uri

METHODS = ("get", "post", "put", "patch", "delete")


@require_GET
def documentation(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    operations = [
        {
            "method": method.upper(),
            "path": route,
            # The schema's summaries are English (gettext_noop in api.endpoints): the page
            # shows them in the reader's language.
            "summary": _(operation["summary"]) if operation.get("summary") else "",
            "secured": bool(operation.get("security")),
            "statuses": sorted(operation.get("responses", {})),
        }
        for route, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return render(
        request,
        "api/docs.html",
        {
            "info": schema["info"],
            "operations": operations,
            "problems": CATALOGUE.values(),
            "problem_base": type_uri(""),
        },
    )
