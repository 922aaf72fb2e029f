from django.urls import path

from inquiries import transparency_views as views

app_name = "transparency"

urlpatterns = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    path("proof/consistency", views.consistency_proof, name="consistency_proof"),
    path("proof/inclusion", views.inclusion_proof, name="inclusion_proof"),
]
