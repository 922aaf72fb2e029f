"""Agencies and MoUs: the committee records, suspends, reinstates and ends MoUs; IT marks them
actioned."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import selectors, services
from agencies.admin.common import (
    JalaliDatesMixin,
    ReadOnlyInline,
    acting_user,
    action_page,
    by_committee,
    by_operator,
)
from agencies.forms import IrreversibleActionForm, ReasonsForm, checked_document, posted
from agencies.models import (
    AWAITING_MOU,
    OPEN_MOU_STATUSES,
    AccessRequest,
    Agency,
    Mou,
    MouBasis,
    MouEvent,
)
from agencies.models.mou import MouQuerySet
from agencies.scopes import scope_labels
from portal import admin_display
from portal.digits import to_ascii_digits
from portal.jalali import format_date


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_id_display", "kind", "created_on")
    list_filter = ("kind",)
    search_fields = ("name", "legal_id")
    # What someone who may only look (IT) sees: codes left-to-right, dates Jalali in Persian.
    view_only_fields = (
        "name",
        "kind",
        "legal_id_display",
        "address",
        "phone_display",
        "email",
        "legacy_code_display",
        "created_on",
    )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not self.has_change_permission(request, obj):
            return self.view_only_fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not self.has_change_permission(request, obj):
            return self.view_only_fields
        return super().get_readonly_fields(request, obj)

    @admin.display(description=gettext_lazy("legal-entity national ID"), ordering="legal_id")
    def legal_id_display(self, obj: Agency) -> str:
        return admin_display.code(obj.legal_id)

    @admin.display(description=gettext_lazy("phone"))
    def phone_display(self, obj: Agency) -> str:
        return admin_display.code(obj.phone)

    @admin.display(description=gettext_lazy("isinsured organization code"))
    def legacy_code_display(self, obj: Agency) -> str:
        return admin_display.code(obj.legacy_code)

    @admin.display(description=gettext_lazy("created at"), ordering="created_at")
    def created_on(self, obj: Agency) -> str:
        return admin_display.when(obj.created_at)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return by_committee(request) or by_operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return by_committee(request) or by_operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Agencies under circular No. 1 predate this portal; the committee records them.
        return by_committee(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return by_committee(request)

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
            "supersedes",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "access_request" in self.fields:
            field = cast(forms.ModelChoiceField, self.fields["access_request"])
            field.queryset = AccessRequest.objects.filter(AWAITING_MOU)
        if "supersedes" in self.fields:
            supersedes = cast(forms.ModelChoiceField, self.fields["supersedes"])
            supersedes.queryset = Mou.objects.filter(status__in=OPEN_MOU_STATUSES).select_related(
                "agency"
            )
            supersedes.help_text = _(
                "The agency's MoU in force or suspended, if it has one: it stops granting access "
                "as soon as this one is recorded, and does not come back if this one ends."
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
            supersedes=data.get("supersedes"),
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


END_WARNING = gettext_lazy(
    "Ending the MoU closes the agency's panel at once and for good: an ended MoU cannot be "
    "reinstated, and access comes back only with a new MoU. To stop access for a while, "
    "suspend it instead."
)


BASIS_SHORT = {
    MouBasis.THIS_ORDER: gettext_lazy("This order"),
    MouBasis.CIRCULAR_1: gettext_lazy("Circular No. 1"),
}


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
    # Seven short columns, so the last is not cut off at 1366 px beside the admin's sidebars
    # (tests/e2e/test_admin_layout.py).
    list_display = (
        "number_display",
        "agency",
        "basis_short",
        "status",
        "validity",
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
        "number_display",
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
        "supersedes",
        "superseded_by_link",
        "recorded_by",
        "it_actioned_on",
        "it_actioned_by",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return by_committee(request) or by_operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return by_committee(request) or by_operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return by_committee(request)

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
                if access_request.agency is not None:
                    open_mou = selectors.open_mou_of(access_request.agency)
                    if open_mou is not None:
                        initial["supersedes"] = str(open_mou.pk)
        return initial

    def save_model(self, request: HttpRequest, obj: Mou, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        mou = services.record_mou(
            agency=form.cleaned_data["agency"],
            access_request=form.cleaned_data.get("access_request"),
            terms=form.terms(),
            recorded_by=acting_user(request),
        )
        # The admin goes on to log and redirect to the object the service created.
        obj.pk = mou.pk
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # nothing related is edited here

    @admin.display(description=gettext_lazy("MoU number"), ordering="number")
    def number_display(self, obj: Mou) -> str:
        return admin_display.code(obj.number)

    @admin.display(description=gettext_lazy("basis"), ordering="basis")
    def basis_short(self, obj: Mou) -> str:
        return str(BASIS_SHORT.get(MouBasis(obj.basis), obj.get_basis_display()))

    @admin.display(description=gettext_lazy("validity"), ordering="valid_from")
    def validity(self, obj: Mou) -> str:
        return _("%(start)s to %(end)s") % {
            "start": format_date(obj.valid_from),
            "end": format_date(obj.valid_until) or _("open-ended"),
        }

    @admin.display(description=gettext_lazy("actioned by IT at"))
    def it_actioned_on(self, obj: Mou) -> str:
        return admin_display.when(obj.it_actioned_at)

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
        return mous.with_in_force_on(selectors.today())

    @admin.display(description=gettext_lazy("in force today"))
    def in_force_today(self, obj: Mou) -> str:
        return admin_display.yes_no(obj.in_force)  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("IT done"))
    def it_actioned(self, obj: Mou) -> str:
        return admin_display.yes_no(obj.it_actioned_at is not None)

    @admin.display(description=gettext_lazy("granted scopes"))
    def scopes_display(self, obj: Mou) -> str:
        return "، ".join(scope_labels(obj.scopes))

    @admin.display(description=gettext_lazy("superseded by"))
    def superseded_by_link(self, obj: Mou) -> str:
        newer = Mou.objects.filter(supersedes=obj).first()
        if newer is None:
            return "—"
        return format_html(
            '<a href="{}" class="ltr">{}</a>',
            reverse("admin:agencies_mou_change", args=[newer.pk]),
            newer.number,
        )

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
                "is_committee": by_committee(request),
                "is_operator": by_operator(request),
                "can_suspend": mou.allows("suspend"),
                "can_reinstate": mou.allows("reinstate"),
                "can_end": mou.allows("end"),
                "can_mark_actioned": mou.it_actioned_at is None,
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def scan_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not (by_committee(request) or by_operator(request)):
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
        if not by_committee(request):
            raise PermissionDenied
        if action not in self.STATUS_ACTIONS:
            raise Http404
        mou = get_object_or_404(Mou, pk=pk)
        service, title = self.STATUS_ACTIONS[action]
        irreversible = action == "end"
        form = (IrreversibleActionForm if irreversible else ReasonsForm)(posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                service(mou=mou, actor=acting_user(request), reasons=form.cleaned_data["reasons"])
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The MoU's status has been changed."))
            return HttpResponseRedirect(reverse("admin:agencies_mou_change", args=[mou.pk]))
        return action_page(
            request,
            title=str(title) % {"number": mou.number},
            form=form,
            obj=mou,
            opts=self.model._meta,
            button=str(title) % {"number": mou.number},
            warning=str(END_WARNING) if irreversible else "",
        )

    def it_actioned_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not by_operator(request):
            raise PermissionDenied
        mou = get_object_or_404(Mou, pk=pk)
        if request.method == "POST":
            try:
                services.mark_mou_actioned(mou=mou, operator=acting_user(request))
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Marked as actioned by IT."))
        return HttpResponseRedirect(reverse("admin:agencies_mou_change", args=[mou.pk]))
