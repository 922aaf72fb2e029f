"""The disclosure log in the admin: read-only, for IT operators, searchable by national code."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from inquiries.models import DisclosureRecord


def _operator(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_operator


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "national_code",
        "agency",
        "staff_member",
        "channel",
        "purpose",
        "record_found",
        "confidential",
    ]
    list_filter = ["channel", "record_found", "confidential", "agency"]
    list_select_related = ["agency", "staff_member"]
    search_fields = ["=national_code", "=case_reference"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    # Operators read the log; nobody edits or deletes it (the transparency log would show it).
    readonly_fields = [field.name for field in DisclosureRecord._meta.fields]
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
