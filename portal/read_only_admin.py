"""The admin's read-only pages: history and facts that change only through the services, which
record each change themselves."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete page and no delete action, for anyone, superusers included.
    `may_read` says who sees the records; None leaves that to Django's permissions."""

    def may_read(self, request: HttpRequest) -> bool | None:
        return None

    def has_module_permission(self, request: HttpRequest) -> bool:
        allowed = self.may_read(request)
        return super().has_module_permission(request) if allowed is None else allowed

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = self.may_read(request)
        return super().has_view_permission(request, obj) if allowed is None else allowed

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
