from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import views

admin.site.site_header = admin.site.site_title = "درگاه خدمات غیرحضوری"
# The admin's own login form asks for a password only; sending it to allauth's makes committee
# reviewers and operators give their TOTP code as well.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("inquiries.urls")),
    path("", include("documents.urls")),
    path("accounts/", include("allauth.urls")),
    path("agencies/", include("agencies.urls")),
    path("gov/", include("agencies.gov_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
