"""Request hygiene shared by every page."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class RejectNullCharactersMiddleware:
    """A query string with a NUL character gets the 400 page.

    No parameter of the portal can hold one, and PostgreSQL refuses it in any text it is given:
    the admin's search box and filters would pass it straight into a query and fail with a 500.
    Form fields refuse it themselves (Django's CharField) with a message next to the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("NUL character in the query string")
        return self.get_response(request)
