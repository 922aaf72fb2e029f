from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("accounts/password/reset/sms/", views.password_reset_by_sms, name="password_reset_sms"),
    path(
        "accounts/password/reset/sms/confirm/",
        views.password_reset_by_sms_confirm,
        name="password_reset_sms_confirm",
    ),
]
