"""/api/v1/: the agencies' API (ninja's URLs, with the schema) and its documentation page."""

from django.urls import path

from api import views
from api.endpoints import api

urlpatterns = [
    path("docs/", views.documentation, name="api_docs"),
    path("", api.urls),
]
