"""Certificates, access codes, inbox notices and redemptions in the admin: read-only for every
account, superusers included. They are history that citizens and agencies rely on; each change
happens only through `documents.services` or `documents.redemptions`, which write their own
record of it (a forged "opened by" notice or a deleted certificate would be unaccountable)."""

from django.contrib import admin

from documents.models import AccessCode, Certificate, InboxNotice, Redemption
from portal.read_only_admin import ReadOnlyAdmin


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
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
    list_select_related = ["holder"]


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyAdmin):
    list_display = ["certificate", "created_at", "valid_until", "uses", "max_uses", "revoked_at"]
    list_select_related = ["certificate"]
    exclude = ["code_digest"]


@admin.register(InboxNotice)
class InboxNoticeAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "certificate", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "certificate"]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["certificate", "agency", "staff_member", "redeemed_at"]
    list_filter = ["agency"]
    list_select_related = ["certificate", "agency", "staff_member"]
    search_fields = ["certificate__number", "certificate__holder__national_code"]
