from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy

import agencies.gov_urls
import api.gov_urls
import documents.gov_urls
import inquiries.gov_urls
from portal import views

# In the reader's language, like the rest of the portal ("درگاه خدمات غیرحضوری" in Persian).
admin.site.site_header = admin.site.site_title = gettext_lazy("e-services portal")
# The admin's own login form asks for a password only; sending it to allauth's makes committee
# reviewers and operators give their TOTP code as well.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# The government panel: agencies owns /gov/ and its gate; later apps add their sections to the
# same `gov` namespace, one line each.
gov_urlpatterns = [
    *agencies.gov_urls.urlpatterns,
    *inquiries.gov_urls.urlpatterns,
    *documents.gov_urls.urlpatterns,
    *api.gov_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics_view, name="metrics"),
    # Early: an agency's system calls it far more often than any page is asked for.
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("inquiries.urls")),
    path("", include("documents.urls")),
    path("accounts/", include("allauth.urls")),
    path("agencies/", include("agencies.urls")),
    path("transparency/", include("inquiries.transparency_urls")),
    path("transparency/", include("agencies.register_urls")),
    path("gov/", include((gov_urlpatterns, "gov"))),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
