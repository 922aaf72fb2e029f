from django.contrib import admin

from documents.models import AccessCode, Certificate, InboxNotice, Redemption


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "holder",
        "issued_at",
        "valid_until",
        "rendering_status",
        "revoked_at",
    ]
    list_filter = ["rendering_status", "language"]
    search_fields = ["number", "holder__national_code"]
    raw_id_fields = ["holder"]
    # Operators read certificates here; every change goes through documents.services.
    readonly_fields = [field.name for field in Certificate._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AccessCode)
class AccessCodeAdmin(admin.ModelAdmin):
    list_display = ["certificate", "created_at", "valid_until", "uses", "max_uses", "revoked_at"]
    exclude = ["code_digest"]
    readonly_fields = [
        "certificate",
        "created_at",
        "valid_until",
        "uses",
        "max_uses",
        "revoked_at",
        "end_reason",
        "expired_at",
        "bound_agency",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InboxNotice)
class InboxNoticeAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "certificate", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "certificate"]


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ["certificate", "agency", "staff_member", "redeemed_at"]
    list_filter = ["agency"]
    search_fields = ["certificate__number", "certificate__holder__national_code"]
    # The record of an agency's access: read here, written only by documents.redemptions.
    readonly_fields = [field.name for field in Redemption._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
