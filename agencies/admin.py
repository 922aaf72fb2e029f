"""The data-protection committee's and IT operators' screens.

Committee reviewers review requests and record, suspend, reinstate and end MoUs; operators see
MoUs, grant staff lists and remove access. Every change goes through `agencies.services`; the
records themselves are read-only here. Agency users and citizens are not staff and never
reach the admin; the role checks below also keep committee and operator screens apart.
"""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from agencies import services
from agencies.forms import DecisionForm, ReasonsForm, checked_document, posted
from agencies.models import (
    AccessRequest,
    Agency,
    Decision,
    Invitation,
    Membership,
    Mou,
    MouEvent,
    NameCheck,
    RemovalRequest,
    RemovalRequestStatus,
    RequestEvent,
    RequestStatus,
    StaffList,
    StaffListRow,
    StaffListStatus,
)
from agencies.models.mou import MouQuerySet
from agencies.scopes import scope_labels
from agencies.selectors import today
from portal.digits import LocalNumber, local_digits, to_ascii_digits
from portal.fields import JalaliDateField
from portal.jalali import format_date


def _user(request: HttpRequest) -> User:
    # Every view here runs behind `admin_view`, which lets only signed-in staff through.
    return cast(User, request.user)


def _committee(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_committee_reviewer


def _operator(request: HttpRequest) -> bool:
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


def _action_page(
    request: HttpRequest, *, title: str, form: forms.Form, obj: Any, opts: Any, button: str
) -> TemplateResponse:
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
        },
        status=400 if form.errors else 200,
    )


# --- Requests ----------------------------------------------------------------------------------


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
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ("agency_name", "legal_id", "agency_kind", "status", "submitted_on", "applicant")
    list_filter = ("status", "agency_kind")
    search_fields = ("agency_name", "legal_id", "applicant__national_code", "contact_name")
    list_select_related = ("applicant",)
    inlines = [DecisionInline, RequestEventInline]
    fieldsets = (
        (None, {"fields": ("status", "agency", "applicant", "submitted_on")}),
        (
            gettext_lazy("Agency"),
            {"fields": ("agency_name", "agency_kind", "legal_id", "address")},
        ),
        (
            gettext_lazy("Request"),
            {
                "fields": (
                    "letter_number",
                    "letter_date_display",
                    "letter_link",
                    "purpose",
                    "legal_basis",
                    "scopes_display",
                    "monthly_volume",
                )
            },
        ),
        (
            gettext_lazy("Contact"),
            {"fields": ("contact_name", "contact_position", "contact_mobile", "contact_email")},
        ),
    )
    readonly_fields = (
        "status",
        "agency",
        "applicant",
        "submitted_on",
        "agency_name",
        "agency_kind",
        "legal_id",
        "address",
        "letter_number",
        "letter_date_display",
        "letter_link",
        "purpose",
        "legal_basis",
        "scopes_display",
        "monthly_volume",
        "contact_name",
        "contact_position",
        "contact_mobile",
        "contact_email",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _committee(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _committee(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted_at")
    def submitted_on(self, obj: AccessRequest) -> str:
        return format_date(obj.submitted_at, with_time=True)

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
                "<int:pk>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="agencies_accessrequest_reopen",
            ),
            *super().get_urls(),
        ]

    def _request_or_404(self, request: HttpRequest, pk: int) -> AccessRequest:
        if not _committee(request):
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
            "can_decide": access_request is not None and access_request.allows("approve"),
            "can_reopen": access_request is not None and access_request.allows("reopen"),
            "can_record_mou": access_request is not None
            and access_request.status == RequestStatus.APPROVED
            and not access_request.has_mou,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def start_review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        access_request = self._request_or_404(request, pk)
        if request.method != "POST":
            return self._back(access_request)
        try:
            services.start_review(access_request=access_request, reviewer=_user(request))
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
                    reviewer=_user(request),
                    reasons=form.cleaned_data["reasons"],
                )
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The decision is recorded and the applicant told."))
            return self._back(access_request)
        return _action_page(
            request,
            title=_("Decide on %(agency)s") % {"agency": access_request.agency_name},
            form=form,
            obj=access_request,
            opts=self.model._meta,
            button=_("Record the decision"),
        )

    def reopen_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        access_request = self._request_or_404(request, pk)
        form = ReasonsForm(posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.reopen_request(
                    access_request=access_request,
                    reviewer=_user(request),
                    reasons=form.cleaned_data["reasons"],
                )
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The request is back in review."))
            return self._back(access_request)
        return _action_page(
            request,
            title=_("Reopen the request of %(agency)s") % {"agency": access_request.agency_name},
            form=form,
            obj=access_request,
            opts=self.model._meta,
            button=_("Reopen for review"),
        )


# --- Agencies and MoUs -------------------------------------------------------------------------


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_id", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "legal_id")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _committee(request) or _operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _committee(request) or _operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Agencies under circular No. 1 predate this portal; the committee records them.
        return _committee(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _committee(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MouForm(forms.ModelForm):
    class Meta:
        model = Mou
        fields = (
            "agency",
            "access_request",
            "number",
            "basis",
            "signed_on",
            "valid_from",
            "valid_until",
            "signed_by_insurance_deputy",
            "signed_by_pensions_manager",
            "signed_by_registration_manager",
            "scopes",
            "scan",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "access_request" in self.fields:
            field = cast(forms.ModelChoiceField, self.fields["access_request"])
            field.queryset = AccessRequest.objects.filter(
                status=RequestStatus.APPROVED, mou__isnull=True
            )

    def clean_number(self) -> str:
        # ASCII digits whichever were typed, so the number is found by search and is unique.
        return to_ascii_digits(self.cleaned_data["number"]).strip()

    def clean_scan(self) -> Any:
        scan = self.cleaned_data.get("scan")
        if scan and hasattr(scan, "content_type"):
            return checked_document(scan)
        return scan

    def terms(self) -> services.MouTerms:
        data = self.cleaned_data
        return services.MouTerms(
            number=data["number"],
            signed_on=data["signed_on"],
            valid_from=data["valid_from"],
            valid_until=data.get("valid_until"),
            signed_by_insurance_deputy=data["signed_by_insurance_deputy"],
            signed_by_pensions_manager=data["signed_by_pensions_manager"],
            signed_by_registration_manager=data["signed_by_registration_manager"],
            scopes=data["scopes"],
            basis=data["basis"],
            scan=data.get("scan") or None,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        problems = services.mou_problems(
            agency=data.get("agency"), access_request=data.get("access_request"), terms=self.terms()
        )
        for field_name, message in problems.items():
            self.add_error(field_name, message)
        return data

    def validate_unique(self) -> None:
        # `mou_problems` reports a duplicate number next to the field, in the page's language.
        pass


class MouEventInline(ReadOnlyInline):
    model = MouEvent
    fields = ("action", "actor", "reasons", "happened_on")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("at"))
    def happened_on(self, obj: MouEvent) -> str:
        return format_date(obj.at, with_time=True)


class AwaitingITFilter(admin.SimpleListFilter):
    title = gettext_lazy("IT")
    parameter_name = "it"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("waiting", _("Waiting for IT")), ("done", _("Actioned by IT"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "waiting":
            return queryset.filter(it_actioned_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(it_actioned_at__isnull=False)
        return queryset


@admin.register(Mou)
class MouAdmin(JalaliDatesMixin, admin.ModelAdmin):
    form = MouForm
    list_display = (
        "number",
        "agency",
        "basis",
        "status",
        "valid_from_display",
        "valid_until_display",
        "in_force_today",
        "it_actioned",
    )
    list_filter = ("status", "basis", AwaitingITFilter)
    search_fields = ("number", "agency__name", "agency__legal_id")
    list_select_related = ("agency",)
    inlines = [MouEventInline]
    readonly_fields = (
        "agency",
        "access_request",
        "number",
        "basis",
        "status",
        "valid_from_display",
        "valid_until_display",
        "signed_on_display",
        "signed_by_insurance_deputy",
        "signed_by_pensions_manager",
        "signed_by_registration_manager",
        "scopes_display",
        "scan_link",
        "recorded_by",
        "it_actioned_at",
        "it_actioned_by",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _committee(request) or _operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _committee(request) or _operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _committee(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # recorded terms are facts; status changes have their own buttons

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return self.readonly_fields
        return MouForm.Meta.fields

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        request_id = request.GET.get("access_request", "")
        if request_id.isdigit():
            access_request = AccessRequest.objects.filter(pk=request_id).first()
            if access_request is not None:
                initial["agency"] = str(access_request.agency_id)
                initial["access_request"] = str(access_request.pk)
                initial["scopes"] = list(access_request.scopes)
        return initial

    def save_model(self, request: HttpRequest, obj: Mou, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        mou = services.record_mou(
            agency=form.cleaned_data["agency"],
            access_request=form.cleaned_data.get("access_request"),
            terms=form.terms(),
            recorded_by=_user(request),
        )
        # The admin goes on to log and redirect to the object the service created.
        obj.pk = mou.pk
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # nothing related is edited here

    @admin.display(description=gettext_lazy("valid from"), ordering="valid_from")
    def valid_from_display(self, obj: Mou) -> str:
        return format_date(obj.valid_from)

    @admin.display(description=gettext_lazy("valid until"), ordering="valid_until")
    def valid_until_display(self, obj: Mou) -> str:
        return format_date(obj.valid_until) or _("open-ended")

    @admin.display(description=gettext_lazy("signing date"))
    def signed_on_display(self, obj: Mou) -> str:
        return format_date(obj.signed_on)

    def get_queryset(self, request: HttpRequest) -> Any:
        mous = cast(MouQuerySet, super().get_queryset(request))
        return mous.with_in_force_on(today())

    @admin.display(description=gettext_lazy("in force today"), boolean=True)
    def in_force_today(self, obj: Mou) -> bool:
        return obj.in_force  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("actioned by IT"), boolean=True)
    def it_actioned(self, obj: Mou) -> bool:
        return obj.it_actioned_at is not None

    @admin.display(description=gettext_lazy("granted scopes"))
    def scopes_display(self, obj: Mou) -> str:
        return "، ".join(scope_labels(obj.scopes))

    @admin.display(description=gettext_lazy("scanned MoU"))
    def scan_link(self, obj: Mou) -> str:
        if not obj.scan:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:agencies_mou_scan", args=[obj.pk]), _("Download")
        )

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/scan/",
                self.admin_site.admin_view(self.scan_view),
                name="agencies_mou_scan",
            ),
            path(
                "<int:pk>/status/<str:action>/",
                self.admin_site.admin_view(self.status_view),
                name="agencies_mou_status",
            ),
            path(
                "<int:pk>/it-actioned/",
                self.admin_site.admin_view(self.it_actioned_view),
                name="agencies_mou_it_actioned",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        mou = self.get_object(request, object_id)
        extra = {}
        if mou is not None:
            extra = {
                "is_committee": _committee(request),
                "is_operator": _operator(request),
                "can_suspend": mou.allows("suspend"),
                "can_reinstate": mou.allows("reinstate"),
                "can_end": mou.allows("end"),
                "can_mark_actioned": mou.it_actioned_at is None,
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def scan_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not (_committee(request) or _operator(request)):
            raise PermissionDenied
        mou = get_object_or_404(Mou, pk=pk)
        if not mou.scan:
            raise Http404
        extension = (mou.scan.name or "").rsplit(".", 1)[-1]
        return FileResponse(
            mou.scan.open("rb"), as_attachment=True, filename=f"mou-{mou.pk}.{extension}"
        )

    STATUS_ACTIONS = {
        "suspend": (services.suspend_mou, gettext_lazy("Suspend MoU %(number)s")),
        "reinstate": (services.reinstate_mou, gettext_lazy("Reinstate MoU %(number)s")),
        "end": (services.end_mou, gettext_lazy("End MoU %(number)s")),
    }

    def status_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if not _committee(request):
            raise PermissionDenied
        if action not in self.STATUS_ACTIONS:
            raise Http404
        mou = get_object_or_404(Mou, pk=pk)
        service, title = self.STATUS_ACTIONS[action]
        form = ReasonsForm(posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                service(mou=mou, actor=_user(request), reasons=form.cleaned_data["reasons"])
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The MoU's status has been changed."))
            return HttpResponseRedirect(reverse("admin:agencies_mou_change", args=[mou.pk]))
        return _action_page(
            request,
            title=str(title) % {"number": mou.number},
            form=form,
            obj=mou,
            opts=self.model._meta,
            button=str(title) % {"number": mou.number},
        )

    def it_actioned_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not _operator(request):
            raise PermissionDenied
        mou = get_object_or_404(Mou, pk=pk)
        if request.method == "POST":
            try:
                services.mark_mou_actioned(mou=mou, operator=_user(request))
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Marked as actioned by IT."))
        return HttpResponseRedirect(reverse("admin:agencies_mou_change", args=[mou.pk]))


# --- Staff lists and memberships (IT operators) ------------------------------------------------


class OperatorOnlyAdmin(admin.ModelAdmin):
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


class StaffListRowInline(ReadOnlyInline):
    model = StaffListRow
    fields = (
        "national_code",
        "first_name",
        "last_name",
        "position",
        "mobile",
        "email",
        "name_check",
        "outcome",
        "membership",
    )
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Operators hold a role, not Django's model permissions (as for the list itself).
        return _operator(request)


@admin.register(StaffList)
class StaffListAdmin(OperatorOnlyAdmin):
    list_display = ("__str__", "agency", "submitted_on", "status", "row_count", "name_flags")
    list_filter = ("status",)
    search_fields = ("agency__name", "agency__legal_id", "rows__national_code")
    list_select_related = ("agency",)
    inlines = [StaffListRowInline]
    readonly_fields = (
        "agency",
        "submitted_by",
        "submitted_on",
        "status",
        "granted_by",
        "granted_at",
    )
    fields = readonly_fields
    actions = ["grant_access"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .annotate(
                number_of_rows=models.Count("rows"),
                names_differing=models.Count(
                    "rows", filter=models.Q(rows__name_check=NameCheck.DIFFERS)
                ),
            )
        )

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted_at")
    def submitted_on(self, obj: StaffList) -> str:
        return format_date(obj.submitted_at, with_time=True)

    @admin.display(description=gettext_lazy("people"), ordering="number_of_rows")
    def row_count(self, obj: Any) -> int:
        return obj.number_of_rows

    @admin.display(description=gettext_lazy("names"), ordering="names_differing")
    def name_flags(self, obj: Any) -> str:
        # Flagged before granting: a typed name unlike the registry's may be a typo, or a list
        # naming someone who does not work there.
        if not obj.names_differing:
            return "—"
        return _("Names differ from the registry: %(count)s") % {
            "count": LocalNumber(obj.names_differing)
        }

    def get_actions(self, request: HttpRequest) -> Any:
        # Admin actions are normally tied to change permission; granting is an operator's own.
        actions = super().get_actions(request)
        if not _operator(request):
            actions.pop("grant_access", None)
        return actions

    @admin.action(description=gettext_lazy("Grant access and send invitations"))
    def grant_access(self, request: HttpRequest, queryset: Any) -> None:
        for staff_list in queryset:
            if staff_list.status == StaffListStatus.GRANTED:
                messages.info(request, _("%(list)s was already granted.") % {"list": staff_list})
                continue
            report = services.grant_staff_list(staff_list=staff_list, operator=_user(request))
            messages.success(
                request,
                _(
                    "%(list)s granted: %(new)s new accounts, %(existing)s existing accounts, "
                    "%(invited)s invitations sent."
                )
                % {
                    "list": staff_list,
                    "new": LocalNumber(len(report.created_accounts)),
                    "existing": LocalNumber(len(report.existing_accounts)),
                    "invited": LocalNumber(report.invitations),
                },
            )
            for codes, warning in (
                (report.unreachable, UNREACHABLE),
                (report.mobile_not_confirmed, MOBILE_NOT_CONFIRMED),
                (report.identity_pending, IDENTITY_PENDING),
                (report.mobile_in_use, MOBILE_IN_USE),
            ):
                if codes:
                    messages.warning(request, warning % {"codes": local_digits(", ".join(codes))})


UNREACHABLE = gettext_lazy(
    "These people cannot be reached by SMS, or their account is deactivated; follow them up "
    "by hand: %(codes)s"
)
MOBILE_NOT_CONFIRMED = gettext_lazy(
    "Not invited, no account made: the identity service says the typed mobile is not "
    "registered to these national codes: %(codes)s"
)
IDENTITY_PENDING = gettext_lazy(
    "The identity service did not answer for these; they are asked about again every 15 "
    "minutes: %(codes)s"
)
MOBILE_IN_USE = gettext_lazy(
    "Not invited: another account holds the confirmed mobile of these; follow them up by "
    "hand: %(codes)s"
)


class InvitationInline(ReadOnlyInline):
    model = Invitation
    fields = ("created_at", "sent_at", "sent_to", "expires_at", "used_at", "revoked_at")
    readonly_fields = fields


@admin.register(Membership)
class MembershipAdmin(OperatorOnlyAdmin):
    list_display = (
        "user",
        "national_code",
        "agency",
        "role",
        "is_active",
        "granted_at",
        "accepted_at",
        "removed_at",
    )
    list_filter = ("is_active", "role")
    search_fields = ("user__national_code", "user__last_name", "agency__name")
    list_select_related = ("user", "agency")
    inlines = [InvitationInline]
    readonly_fields = (
        "user",
        "agency",
        "role",
        "position",
        "is_active",
        "granted_by",
        "granted_at",
        "accepted_at",
        "removed_at",
        "removed_by",
        "removal_reasons",
    )
    fields = readonly_fields
    actions = ["send_new_invitation"]

    @admin.display(description=gettext_lazy("national code"), ordering="user__national_code")
    def national_code(self, obj: Membership) -> str:
        return obj.user.national_code

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not _operator(request):
            actions.pop("send_new_invitation", None)
        return actions

    @admin.action(description=gettext_lazy("Send a new invitation (earlier links stop working)"))
    def send_new_invitation(self, request: HttpRequest, queryset: Any) -> None:
        sent = 0
        for membership in queryset.filter(is_active=True):
            services.invite_member(membership=membership)
            sent += 1
        messages.success(request, _("%(count)d invitations sent.") % {"count": sent})

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/remove/",
                self.admin_site.admin_view(self.remove_view),
                name="agencies_membership_remove",
            ),
            *super().get_urls(),
        ]

    def remove_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not _operator(request):
            raise PermissionDenied
        membership = get_object_or_404(Membership.objects.select_related("user", "agency"), pk=pk)
        pending = membership.removal_requests.filter(status=RemovalRequestStatus.PENDING).first()
        form = ReasonsForm(posted(request), initial={"reasons": pending.reasons if pending else ""})
        if request.method == "POST" and form.is_valid():
            try:
                services.remove_membership(
                    membership=membership,
                    operator=_user(request),
                    reasons=form.cleaned_data["reasons"],
                )
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Access removed."))
            return HttpResponseRedirect(
                reverse("admin:agencies_membership_change", args=[membership.pk])
            )
        return _action_page(
            request,
            title=_("Remove %(person)s's access to %(agency)s")
            % {"person": membership.user, "agency": membership.agency},
            form=form,
            obj=membership,
            opts=self.model._meta,
            button=_("Remove access"),
        )


@admin.register(RemovalRequest)
class RemovalRequestAdmin(OperatorOnlyAdmin):
    list_display = ("membership", "requested_by", "requested_at", "status", "remove_link")
    list_filter = ("status",)
    search_fields = ("membership__user__national_code", "membership__agency__name")
    list_select_related = ("membership__user", "membership__agency", "requested_by")
    readonly_fields = ("membership", "requested_by", "requested_at", "reasons", "status")
    fields = readonly_fields

    @admin.display(description=gettext_lazy("action"))
    def remove_link(self, obj: RemovalRequest) -> str:
        if obj.status != RemovalRequestStatus.PENDING:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:agencies_membership_remove", args=[obj.membership_id]),
            _("Remove access"),
        )
