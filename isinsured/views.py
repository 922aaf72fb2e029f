from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse


def retired_notice(request: HttpRequest) -> HttpResponse:
    """isinsured has moved: one page in Persian and English, links to the portal, HTTP 410.

    Served by the middleware before sessions and authentication, so it reads nothing of the
    visitor. The links are absolute: on the old host name a relative link would stay there.
    """
    context = {
        "login_url": settings.SITE_URL + reverse("account_login"),
        "apply_url": settings.SITE_URL + reverse("agencies:apply"),
        "home_url": settings.SITE_URL + reverse("home"),
    }
    response = HttpResponse(render_to_string("isinsured/retired.html", context), status=410)
    response["Cache-Control"] = "no-cache"
    return response
