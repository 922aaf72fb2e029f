"""The portal's URLs plus /bench/bare/: one indexed SELECT, no session, no template. The
yardstick that benchmarks/lookup_throughput.py compares agency lookups with. Not in the product."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from inquiries.models import InsuredPerson
from portal.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def bare_lookup(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("national_code", "")
    found = InsuredPerson.objects.filter(national_code=code).values_list("pk", flat=True).first()
    return HttpResponse("found" if found else "missing", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare_lookup), *portal_urlpatterns]
