from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("me/certificates/", views.certificate_list, name="certificate_list"),
    path("me/certificates/new/", views.certificate_new, name="certificate_new"),
    path("me/certificates/<str:number>/", views.certificate_detail, name="certificate_detail"),
    path(
        "me/certificates/<str:number>/status.json",
        views.certificate_status,
        name="certificate_status",
    ),
    path("me/certificates/<str:number>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("me/certificates/<str:number>/retry/", views.certificate_retry, name="certificate_retry"),
    path(
        "me/certificates/<str:number>/revoke/", views.certificate_revoke, name="certificate_revoke"
    ),
    path(
        "me/certificates/<str:number>/inbox/",
        views.certificate_move_to_inbox,
        name="certificate_move_to_inbox",
    ),
    path(
        "me/certificates/<str:number>/code/replace/",
        views.access_code_replace,
        name="access_code_replace",
    ),
    path(
        "me/certificates/<str:number>/code/revoke/",
        views.access_code_revoke,
        name="access_code_revoke",
    ),
    path("me/inbox/", views.inbox, name="inbox"),
    path("me/inbox/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("verify/pdf/", views.verify_pdf, name="verify_pdf"),
    path("verify/offline/", views.verify_offline, name="verify_offline"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
]
