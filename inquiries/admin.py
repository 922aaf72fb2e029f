"""The disclosure log in the admin: read-only, for IT operators, searchable by national code."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from agencies.scopes import scope_labels
from inquiries.models import DisclosureRecord
from portal import admin_display
from portal.read_only_admin import ReadOnlyAdmin


def _operator(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_operator


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "created_on",
        "national_code_display",
        "agency",
        "staff_member",
        "channel",
        "purpose",
        "found",
        "is_confidential",
    ]
    # Jalali months in place of Django's Gregorian date hierarchy.
    list_filter = [
        admin_display.JalaliMonthFilter,
        "channel",
        "record_found",
        "confidential",
        "agency",
    ]
    list_select_related = ["agency", "staff_member"]
    search_fields = ["=national_code", "=case_reference"]
    ordering = ["-created_at", "-pk"]
    # Operators read the log; nobody edits or deletes it (the transparency log would show it).
    readonly_fields = (
        "created_on",
        "national_code_display",
        "agency",
        "staff_member",
        "mou",
        "channel",
        "scopes_display",
        "found",
        "purpose",
        "purpose_detail_display",
        "case_reference_display",
        "is_confidential",
        "client_ip_display",
        "salt_display",
    )
    fields = readonly_fields
    show_full_result_count = False

    @admin.display(description=_("time"), ordering="created_at")
    def created_on(self, obj: DisclosureRecord) -> str:
        return admin_display.when(obj.created_at)

    @admin.display(description=_("national code"), ordering="national_code")
    def national_code_display(self, obj: DisclosureRecord) -> str:
        return admin_display.code(obj.national_code)

    @admin.display(description=_("scopes disclosed"))
    def scopes_display(self, obj: DisclosureRecord) -> str:
        return "، ".join(scope_labels(obj.scopes)) or "—"

    @admin.display(description=_("record found"), ordering="record_found")
    def found(self, obj: DisclosureRecord) -> str:
        return admin_display.yes_no(obj.record_found)

    @admin.display(description=_("confidential"), ordering="confidential")
    def is_confidential(self, obj: DisclosureRecord) -> str:
        return admin_display.yes_no(obj.confidential)

    @admin.display(description=_("purpose in words"))
    def purpose_detail_display(self, obj: DisclosureRecord) -> str:
        # A redemption's detail is the certificate's number: a code.
        if obj.purpose_detail.isdigit():
            return admin_display.code(obj.purpose_detail)
        return obj.purpose_detail or "—"

    @admin.display(description=_("case reference"))
    def case_reference_display(self, obj: DisclosureRecord) -> str:
        return admin_display.code(obj.case_reference)

    @admin.display(description=_("client IP address"))
    def client_ip_display(self, obj: DisclosureRecord) -> str:
        return admin_display.code(obj.client_ip)

    @admin.display(description=_("salt"))
    def salt_display(self, obj: DisclosureRecord) -> str:
        return admin_display.code(obj.salt)

    def may_read(self, request: HttpRequest) -> bool:
        return _operator(request)
