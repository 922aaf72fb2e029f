"""The project's URLs plus one page nobody protected: the walk must catch it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as project_urlpatterns


def forgotten_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("someone's data")


urlpatterns = [*project_urlpatterns, path("forgotten/", forgotten_page, name="forgotten")]
