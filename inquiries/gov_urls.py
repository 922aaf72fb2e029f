"""The inquiries app's sections of the government panel; portal/urls.py mounts them under /gov/
in the `gov` namespace, beside agencies' own."""

from django.urls import path

from inquiries import gov_views

urlpatterns = [
    path("inquiry/", gov_views.inquiry, name="inquiry"),
    path("history/", gov_views.history, name="history"),
    path("history/export.csv", gov_views.history_export, name="history_export"),
]
