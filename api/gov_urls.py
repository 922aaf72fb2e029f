"""The panel's API clients page; portal/urls.py mounts these in the "gov" namespace."""

from django.urls import path

from api import gov_views

urlpatterns = [
    path("api-clients/", gov_views.api_clients, name="api_clients"),
    path("api-clients/<int:pk>/secret/", gov_views.issue_secret, name="api_client_secret"),
    path(
        "api-clients/<int:pk>/certificate/",
        gov_views.bind_certificate,
        name="api_client_certificate",
    ),
    path("api-clients/<int:pk>/revoke/", gov_views.revoke, name="api_client_revoke"),
]
