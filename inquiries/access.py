"""The gate in front of every page that shows a citizen the registry's data about themselves."""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from inquiries.selectors import may_see_registry_data


def registry_data_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Send an account that is not bound to its registry person to the identity page, which
    says what is missing. Put it under `login_required`."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not may_see_registry_data(request.user):  # type: ignore[arg-type]
            return redirect("accounts:identity")
        return view(request, *args, **kwargs)

    return wrapped
