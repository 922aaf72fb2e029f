"""The committee's screens for agency requests: review, approve, reject, return, reopen."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import services
from agencies.admin.common import ReadOnlyInline, acting_user, action_page, by_committee
from agencies.forms import DecisionForm, ReasonsForm, posted
from agencies.models import (
    AccessRequest,
    Decision,
    RequestEvent,
)
from agencies.scopes import scope_labels
from agencies.uploads import ALLOWED_KINDS, sniff_kind
from portal import admin_display
from portal.digits import LocalNumber
from portal.jalali import format_date
from portal.read_only_admin import ReadOnlyAdmin

# How the summary shows the letter, by the kind its content reveals (not its name).
LETTER_SHOWN_AS = {"application/pdf": "frame", "image/jpeg": "image", "image/png": "image"}


def letter_kind(access_request: AccessRequest) -> str | None:
    """The letter's MIME type judged by its first bytes (the stored name comes from the
    applicant's file name), or None if it is missing or not an accepted kind."""
    if not access_request.letter:
        return None
    try:
        with access_request.letter.open("rb") as letter:
            kind = sniff_kind(letter)
    except OSError:
        return None
    return kind if kind in ALLOWED_KINDS else None


def request_summary(access_request: AccessRequest) -> dict[str, Any]:
    """What is asked, for the top of the request's page and beside the Decide form."""
    kind = letter_kind(access_request)
    return {
        "access_request": access_request,
        "scopes": scope_labels(access_request.scopes),
        "monthly_volume": LocalNumber(access_request.monthly_volume),
        "letter_date": format_date(access_request.letter_date),
        "submitted_on": format_date(access_request.submitted_at),
        "letter_url": reverse("admin:agencies_accessrequest_letter", args=[access_request.pk]),
        "letter_shown_as": LETTER_SHOWN_AS.get(kind or ""),
    }


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("outcome", "reasons", "reviewer", "decided_on")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Decisions (the newest supersedes earlier ones)")

    @admin.display(description=gettext_lazy("decided at"))
    def decided_on(self, obj: Decision) -> str:
        return format_date(obj.decided_at, with_time=True)


class RequestEventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("action", "actor", "happened_on", "changed_since")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("History")

    @admin.display(description=gettext_lazy("at"))
    def happened_on(self, obj: RequestEvent) -> str:
        return format_date(obj.at, with_time=True)

    @admin.display(description=gettext_lazy("what the committee had seen, where it differs now"))
    def changed_since(self, obj: RequestEvent) -> str:
        lines = [
            f"{getattr(AccessRequest._meta.get_field(name), 'verbose_name', name)}: {value}"
            for name, value in obj.previous_details.items()
            if str(value) != str(getattr(obj.request, name))
            and not (name == "letter" and value == obj.request.letter.name)
        ]
        return "\n".join(lines) or "—"


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "agency_name",
        "legal_id_display",
        "agency_kind",
        "status",
        "submitted_on",
        "applicant",
    )
    list_filter = ("status", "agency_kind")
    search_fields = ("agency_name", "legal_id", "applicant__national_code", "contact_name")
    list_select_related = ("applicant",)
    inlines = [DecisionInline, RequestEventInline]
    fieldsets = (
        (None, {"fields": ("status", "agency", "applicant", "submitted_on")}),
        (
            gettext_lazy("Agency"),
            {"fields": ("agency_name", "agency_kind", "legal_id_display", "address")},
        ),
        (
            gettext_lazy("Request"),
            {
                "fields": (
                    "letter_number_display",
                    "letter_date_display",
                    "letter_link",
                    "purpose",
                    "legal_basis",
                    "scopes_display",
                    "monthly_volume_display",
                )
            },
        ),
        (
            gettext_lazy("Contact"),
            {
                "fields": (
                    "contact_name",
                    "contact_position",
                    "contact_mobile_display",
                    "contact_email",
                )
            },
        ),
    )
    readonly_fields = (
        "status",
        "agency",
        "applicant",
        "submitted_on",
        "agency_name",
        "agency_kind",
        "legal_id_display",
        "address",
        "letter_number_display",
        "letter_date_display",
        "letter_link",
        "purpose",
        "legal_basis",
        "scopes_display",
        "monthly_volume_display",
        "contact_name",
        "contact_position",
        "contact_mobile_display",
        "contact_email",
    )

    def may_read(self, request: HttpRequest) -> bool:
        return by_committee(request)

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted_at")
    def submitted_on(self, obj: AccessRequest) -> str:
        return format_date(obj.submitted_at, with_time=True)

    @admin.display(description=gettext_lazy("legal-entity national ID"), ordering="legal_id")
    def legal_id_display(self, obj: AccessRequest) -> str:
        return admin_display.code(obj.legal_id)

    @admin.display(description=gettext_lazy("official letter number"))
    def letter_number_display(self, obj: AccessRequest) -> str:
        return admin_display.code(obj.letter_number)

    @admin.display(description=gettext_lazy("expected inquiries a month"))
    def monthly_volume_display(self, obj: AccessRequest) -> str:
        return admin_display.number(obj.monthly_volume)

    @admin.display(description=gettext_lazy("contact mobile"))
    def contact_mobile_display(self, obj: AccessRequest) -> str:
        return admin_display.code(obj.contact_mobile)

    @admin.display(description=gettext_lazy("official letter date"))
    def letter_date_display(self, obj: AccessRequest) -> str:
        return format_date(obj.letter_date)

    @admin.display(description=gettext_lazy("official letter"))
    def letter_link(self, obj: AccessRequest) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("agencies:request_letter", args=[obj.pk]),
            _("Download the letter"),
        )

    @admin.display(description=gettext_lazy("data asked for"))
    def scopes_display(self, obj: AccessRequest) -> str:
        return "، ".join(scope_labels(obj.scopes))

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/start-review/",
                self.admin_site.admin_view(self.start_review_view),
                name="agencies_accessrequest_start_review",
            ),
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="agencies_accessrequest_decide",
            ),
            path(
                "<int:pk>/letter/",
                self.admin_site.admin_view(self.letter_view),
                name="agencies_accessrequest_letter",
            ),
            path(
                "<int:pk>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="agencies_accessrequest_reopen",
            ),
            *super().get_urls(),
        ]

    def _request_or_404(self, request: HttpRequest, pk: int) -> AccessRequest:
        if not by_committee(request):
            raise PermissionDenied
        return get_object_or_404(AccessRequest, pk=pk)

    def _back(self, access_request: AccessRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:agencies_accessrequest_change", args=[access_request.pk])
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        access_request = self.get_object(request, object_id)
        extra = {
            "can_start_review": access_request is not None
            and access_request.allows("start_review"),
            "can_decide": access_request is not None
            and any(access_request.allows(outcome) for outcome in ("approve", "reject", "return")),
            "can_reopen": access_request is not None and access_request.allows("reopen"),
            "can_record_mou": access_request is not None and access_request.is_awaiting_mou,
            "summary": request_summary(access_request) if access_request is not None else None,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def letter_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """The letter, to be shown inside the request's page: the one response the portal lets
        its own pages frame. Served as the type its content reveals, never as HTML; anything
        else is only downloaded."""
        access_request = self._request_or_404(request, pk)
        kind = letter_kind(access_request)
        if not access_request.letter:
            raise Http404
        extension = ALLOWED_KINDS.get(kind or "", "bin")
        response = FileResponse(
            access_request.letter.open("rb"),
            as_attachment=kind is None,
            filename=f"letter-{access_request.pk}.{extension}",
            content_type=kind or "application/octet-stream",
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
        # django-csp reads this: only the portal's own pages may frame the letter, and the
        # letter itself loads nothing.
        response._csp_replace = {  # type: ignore[attr-defined]
            "frame-ancestors": ["'self'"],
            "default-src": ["'none'"],
            "script-src": ["'none'"],
            "object-src": ["'self'"],
            "style-src": ["'unsafe-inline'"],
            "img-src": ["'self'", "data:"],
        }
        return response

    def start_review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        access_request = self._request_or_404(request, pk)
        if request.method != "POST":
            return self._back(access_request)
        try:
            services.start_review(access_request=access_request, reviewer=acting_user(request))
        except services.TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The request is now in review."))
        return self._back(access_request)

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        access_request = self._request_or_404(request, pk)
        form = DecisionForm(posted(request))
        if request.method == "POST" and form.is_valid():
            action = {
                "approve": services.approve_request,
                "reject": services.reject_request,
                "return": services.return_request,
            }[form.cleaned_data["outcome"]]
            try:
                action(
                    access_request=access_request,
                    reviewer=acting_user(request),
                    reasons=form.cleaned_data["reasons"],
                )
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The decision is recorded and the applicant told."))
            return self._back(access_request)
        return action_page(
            request,
            title=_("Decide on %(agency)s") % {"agency": access_request.agency_name},
            form=form,
            obj=access_request,
            opts=self.model._meta,
            button=_("Record the decision"),
            summary=request_summary(access_request),
        )

    def reopen_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        access_request = self._request_or_404(request, pk)
        form = ReasonsForm(posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.reopen_request(
                    access_request=access_request,
                    reviewer=acting_user(request),
                    reasons=form.cleaned_data["reasons"],
                )
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The request is back in review."))
            return self._back(access_request)
        return action_page(
            request,
            title=_("Reopen the request of %(agency)s") % {"agency": access_request.agency_name},
            form=form,
            obj=access_request,
            opts=self.model._meta,
            button=_("Reopen for review"),
        )
