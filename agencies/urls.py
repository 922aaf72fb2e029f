from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/read/", views.request_notices_read, name="request_notices_read"),
    path("requests/<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("requests/<int:pk>/letter/", views.request_letter, name="request_letter"),
    path("memberships/<int:pk>/accept/", views.accept_membership, name="accept_membership"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
