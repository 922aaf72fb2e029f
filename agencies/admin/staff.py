"""IT operators' screens: staff lists to grant, memberships to remove, removal requests."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import services
from agencies.admin.common import ReadOnlyInline, acting_user, action_page, by_operator
from agencies.forms import ReasonsForm, posted
from agencies.models import (
    Invitation,
    Membership,
    NameCheck,
    RemovalRequest,
    RemovalRequestStatus,
    StaffList,
    StaffListRow,
    StaffListStatus,
)
from portal import admin_display
from portal.digits import LocalNumber, local_digits
from portal.jalali import format_date
from portal.read_only_admin import ReadOnlyAdmin


class OperatorOnlyAdmin(ReadOnlyAdmin):
    def may_read(self, request: HttpRequest) -> bool:
        return by_operator(request)


class StaffListRowInline(ReadOnlyInline):
    model = StaffListRow
    fields = (
        "national_code_display",
        "first_name",
        "last_name",
        "position",
        "mobile_display",
        "email",
        "name_check",
        "outcome",
        "membership",
    )
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Operators hold a role, not Django's model permissions (as for the list itself).
        return by_operator(request)

    @admin.display(description=gettext_lazy("national code"))
    def national_code_display(self, obj: StaffListRow) -> str:
        return admin_display.code(obj.national_code)

    @admin.display(description=gettext_lazy("mobile number"))
    def mobile_display(self, obj: StaffListRow) -> str:
        return admin_display.code(obj.mobile)


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
        "granted_on",
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

    @admin.display(description=gettext_lazy("granted at"))
    def granted_on(self, obj: StaffList) -> str:
        return admin_display.when(obj.granted_at)

    @admin.display(description=gettext_lazy("people"), ordering="number_of_rows")
    def row_count(self, obj: Any) -> str:
        return admin_display.number(obj.number_of_rows)

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
        if not by_operator(request):
            actions.pop("grant_access", None)
        return actions

    @admin.action(description=gettext_lazy("Grant access and send invitations"))
    def grant_access(self, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        # A typed name unlike the registry's may be a typo, or a list naming someone who does not
        # work at the agency: the operator reads them and confirms before anything is granted.
        differing = (
            StaffListRow.objects.filter(staff_list__in=queryset, name_check=NameCheck.DIFFERS)
            .exclude(staff_list__status=StaffListStatus.GRANTED)
            .select_related("staff_list__agency")
            .order_by("staff_list", "pk")
        )
        if differing and not request.POST.get("accept_name_differences"):
            return TemplateResponse(
                request,
                "admin/agencies/stafflist/confirm_name_differences.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Names that differ from the registry"),
                    "opts": self.model._meta,
                    "rows": differing,
                    "selected": queryset.values_list("pk", flat=True),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for staff_list in queryset:
            if staff_list.status == StaffListStatus.GRANTED:
                messages.info(request, _("%(list)s was already granted.") % {"list": staff_list})
                continue
            report = services.grant_staff_list(staff_list=staff_list, operator=acting_user(request))
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
        return None


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
    fields = ("created_on", "sent_on", "sent_to_display", "expires_on", "used_on", "revoked_on")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("created at"))
    def created_on(self, obj: Invitation) -> str:
        return admin_display.when(obj.created_at)

    @admin.display(description=gettext_lazy("sent at"))
    def sent_on(self, obj: Invitation) -> str:
        return admin_display.when(obj.sent_at)

    @admin.display(description=gettext_lazy("sent to"))
    def sent_to_display(self, obj: Invitation) -> str:
        return admin_display.code(obj.sent_to)

    @admin.display(description=gettext_lazy("expires at"))
    def expires_on(self, obj: Invitation) -> str:
        return admin_display.when(obj.expires_at)

    @admin.display(description=gettext_lazy("used at"))
    def used_on(self, obj: Invitation) -> str:
        return admin_display.when(obj.used_at)

    @admin.display(description=gettext_lazy("revoked at"))
    def revoked_on(self, obj: Invitation) -> str:
        return admin_display.when(obj.revoked_at)


@admin.register(Membership)
class MembershipAdmin(OperatorOnlyAdmin):
    list_display = (
        "user",
        "national_code",
        "agency",
        "role",
        "active",
        "granted_on",
        "accepted_on",
        "removed_on",
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
        "active",
        "granted_by",
        "granted_on",
        "accepted_on",
        "removed_on",
        "removed_by",
        "removal_reasons",
    )
    fields = readonly_fields
    actions = ["send_new_invitation"]

    @admin.display(description=gettext_lazy("national code"), ordering="user__national_code")
    def national_code(self, obj: Membership) -> str:
        return admin_display.code(obj.user.national_code)

    @admin.display(description=gettext_lazy("active"), ordering="is_active")
    def active(self, obj: Membership) -> str:
        return admin_display.yes_no(obj.is_active)

    @admin.display(description=gettext_lazy("granted at"), ordering="granted_at")
    def granted_on(self, obj: Membership) -> str:
        return admin_display.when(obj.granted_at)

    @admin.display(description=gettext_lazy("accepted by the person at"), ordering="accepted_at")
    def accepted_on(self, obj: Membership) -> str:
        return admin_display.when(obj.accepted_at)

    @admin.display(description=gettext_lazy("removed at"), ordering="removed_at")
    def removed_on(self, obj: Membership) -> str:
        return admin_display.when(obj.removed_at)

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not by_operator(request):
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
        if not by_operator(request):
            raise PermissionDenied
        membership = get_object_or_404(Membership.objects.select_related("user", "agency"), pk=pk)
        pending = membership.removal_requests.filter(status=RemovalRequestStatus.PENDING).first()
        form = ReasonsForm(posted(request), initial={"reasons": pending.reasons if pending else ""})
        if request.method == "POST" and form.is_valid():
            try:
                services.remove_membership(
                    membership=membership,
                    operator=acting_user(request),
                    reasons=form.cleaned_data["reasons"],
                )
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Access removed."))
            return HttpResponseRedirect(
                reverse("admin:agencies_membership_change", args=[membership.pk])
            )
        return action_page(
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
    list_display = ("membership", "requested_by", "requested_on", "status", "remove_link")
    list_filter = ("status",)
    search_fields = ("membership__user__national_code", "membership__agency__name")
    list_select_related = ("membership__user", "membership__agency", "requested_by")
    readonly_fields = ("membership", "requested_by", "requested_on", "reasons", "status")
    fields = readonly_fields

    @admin.display(description=gettext_lazy("requested at"), ordering="requested_at")
    def requested_on(self, obj: RemovalRequest) -> str:
        return admin_display.when(obj.requested_at)

    @admin.display(description=gettext_lazy("action"))
    def remove_link(self, obj: RemovalRequest) -> str:
        if obj.status != RemovalRequestStatus.PENDING:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:agencies_membership_remove", args=[obj.membership_id]),
            _("Remove access"),
        )
