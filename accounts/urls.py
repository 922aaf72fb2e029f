from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/identity/", views.identity, name="identity"),
    # Before allauth's own URLs of the same paths (portal/urls.py includes this module first).
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.login, name="login"),
    path("accounts/phone/verify/", views.verify_phone, name="verify_phone"),
    path("accounts/phone/change/", views.change_phone, name="change_phone"),
    # Before allauth's own URL of the same path (portal/urls.py includes this module first).
    path("accounts/password/change/", views.password_change, name="password_change"),
    path("accounts/password/reset/sms/", views.password_reset_by_sms, name="password_reset_sms"),
    path(
        "accounts/password/reset/sms/confirm/",
        views.password_reset_by_sms_confirm,
        name="password_reset_sms_confirm",
    ),
    path("accounts/complete/", views.complete_account, name="complete"),
    path("accounts/complete/mobile/", views.complete_account_mobile, name="complete_mobile"),
    path(
        "accounts/complete/mobile/code/",
        views.complete_account_mobile_code,
        name="complete_mobile_code",
    ),
    path("accounts/complete/password/", views.complete_account_password, name="complete_password"),
]
