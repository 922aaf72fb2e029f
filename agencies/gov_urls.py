"""The government panel under /gov/. Other apps add their sections under this prefix."""

from django.urls import path

from agencies import gov_views

app_name = "gov"

urlpatterns = [
    path("", gov_views.home, name="home"),
    path("staff/", gov_views.staff, name="staff"),
    path("staff/template.csv", gov_views.staff_template, name="staff_template"),
    path("staff/export.csv", gov_views.staff_export, name="staff_export"),
    path("staff/<int:pk>/removal/", gov_views.staff_removal, name="staff_removal"),
]
