"""Request hygiene shared by every page, and what operators see of each request."""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.core.exceptions import BadRequest
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from portal import logs, metrics

request_logger = logging.getLogger("portal.requests")


class RequestObservationMiddleware:
    """Gives each request an id, counts and times it for /metrics, and logs one line for it.

    Outermost, so that every answer is seen, even a redirect or a refusal made by the other
    middleware. The id is the client's (a proxy's) `X-Request-ID` when that is a short safe
    token, else a new one; it is echoed in the response and carried into the tasks the request
    sends. The line names the path, never the query string (national codes travel in forms).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = logs.safe_id(request.headers.get("X-Request-ID")) or logs.new_id()
        # Bound until the response is closed (below), not just until this returns: Django logs
        # its 4xx/5xx warnings after the last middleware has answered.
        logs.bind_request_id(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = request.resolver_match
        view = match.view_name if match else metrics.UNMATCHED_VIEW
        metrics.observe_request(
            view=view, method=request.method or "", status=response.status_code, seconds=seconds
        )
        response["X-Request-ID"] = request_id
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
        return response


@receiver(request_finished, dispatch_uid="portal.forget_the_request_id")
def _forget_the_request_id(**kwargs: object) -> None:
    """The response is closed: what the thread logs next belongs to no request."""
    logs.bind_request_id("")


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


# The agencies' API answers machines: a bearer token and JSON, never a cookie. The one HTML page
# under its prefix, its documentation, is a page like any other.
API_PREFIX = "/api/v1/"
API_PAGES = ("/api/v1/docs/",)

_Call = TypeVar("_Call", bound=Callable[..., Any])


def is_api_call(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIX) and not path.startswith(API_PAGES)


def pages_only(call: _Call) -> _Call:
    """For a middleware's `__call__` that looks after people's pages (their session, messages,
    the signed-in user and their account's stages): an API call passes it by. The API reads no
    cookie (a session alone gets a 401), so none of it applies, and each costs time."""

    @functools.wraps(call)
    def middleware(self: Any, request: HttpRequest) -> Any:
        if is_api_call(request):
            return self.get_response(request)
        return call(self, request)

    return cast(_Call, middleware)


class SessionMiddleware(sessions.SessionMiddleware):
    __call__ = pages_only(sessions.SessionMiddleware.__call__)


class MessageMiddleware(messages.MessageMiddleware):
    __call__ = pages_only(messages.MessageMiddleware.__call__)
