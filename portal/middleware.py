"""Request hygiene shared by every page, and what operators see of each request."""

import logging
import time
from collections.abc import Callable

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
