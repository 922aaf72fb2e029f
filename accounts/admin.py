from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("national_code",)
    list_display = ("national_code", "first_name", "last_name", "mobile", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("national_code", "first_name", "last_name", "mobile", "email")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("national_code", "password")}),
        (
            _("Personal information"),
            {"fields": ("first_name", "last_name", "birth_date", "language")},
        ),
        (_("Contact"), {"fields": ("mobile", "mobile_verified", "email")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("national_code", "password1", "password2")}),
    )
