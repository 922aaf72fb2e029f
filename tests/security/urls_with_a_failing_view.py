"""The portal's URLs and views that fail in each way Django turns into an error page."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def crashing_view(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("a bug in a view")


def refusing_view(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def suspicious_view(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("crash/", crashing_view),
    path("refuse/", refusing_view),
    path("suspicious/", suspicious_view),
    *portal_urlpatterns,
]
