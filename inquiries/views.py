from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from inquiries.selectors import registry_record


@never_cache
@login_required
@require_GET
def my_status(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own status and full history. Not a disclosure: it is their own."""
    record = registry_record(request.user.national_code)  # type: ignore[union-attr]
    return render(request, "inquiries/my_status.html", {"record": record})
