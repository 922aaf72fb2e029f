from django.urls import path

from agencies import register_views as views

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.agreement_list, name="list"),
    path("agreements.json", views.agreement_list_json, name="list_json"),
    path("agreements/<int:agency_id>/", views.agency_agreements, name="agency"),
    path("agreements/<int:agency_id>.json", views.agency_agreements_json, name="agency_json"),
]
