"""What the agencies' admin screens share: who is acting, read-only inlines, Jalali dates and
the page that asks for a decision's form."""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.models import User
from portal.fields import JalaliDateField


def acting_user(request: HttpRequest) -> User:
    # Every view here runs behind `admin_view`, which lets only signed-in staff through.
    return cast(User, request.user)


def by_committee(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_committee_reviewer


def by_operator(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_operator


class JalaliDatesMixin:
    """Date fields typed as Jalali (or Gregorian) in any digits; shown Jalali in Persian."""

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any):
        if isinstance(db_field, models.DateField) and not isinstance(
            db_field, models.DateTimeField
        ):
            return JalaliDateField(
                label=db_field.verbose_name.capitalize(),
                required=not db_field.blank,
                help_text=_("Solar Hijri, e.g. 1404/01/15"),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def action_page(
    request: HttpRequest,
    *,
    title: str,
    form: forms.Form,
    obj: Any,
    opts: Any,
    button: str,
    summary: dict[str, Any] | None = None,
    warning: str = "",
) -> TemplateResponse:
    """The page that asks for an action's form. `summary`: what a request asks, shown beside
    the form; `warning`: why the action cannot be undone, shown above a red button."""
    return TemplateResponse(
        request,
        "admin/agencies/action_form.html",
        {
            **admin.site.each_context(request),
            "title": title,
            "form": form,
            "object": obj,
            "opts": opts,
            "button": button,
            "summary": summary,
            "warning": warning,
        },
        status=400 if form.errors else 200,
    )
