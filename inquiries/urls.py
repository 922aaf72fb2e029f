from django.urls import path

from inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("me/status/", views.my_status, name="my_status"),
    path("me/disclosures/", views.my_disclosures, name="my_disclosures"),
    path(
        "me/disclosures/<int:pk>/proof.json",
        views.my_disclosure_proof,
        name="my_disclosure_proof",
    ),
]
