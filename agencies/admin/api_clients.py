"""API clients: the committee or an operator approves or rejects an agency's request for a
client, and may revoke it. The client's fields are read-only here; its secret never is shown
(the agency's admin issues it on the panel)."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from agencies import services
from agencies.admin.common import (
    ReadOnlyInline,
    acting_user,
    action_page,
    by_committee,
    by_operator,
)
from agencies.forms import ReasonsForm, posted
from agencies.models import ApiClient, ApiClientEvent
from agencies.scopes import scope_labels
from portal import admin_display
from portal.jalali import format_date
from portal.read_only_admin import ReadOnlyAdmin


class ApiClientEventInline(ReadOnlyInline):
    model = ApiClientEvent
    fields = ("action", "actor", "reasons", "happened_on")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("at"))
    def happened_on(self, obj: ApiClientEvent) -> str:
        return format_date(obj.at, with_time=True)


def _may_decide(request: HttpRequest) -> bool:
    return by_committee(request) or by_operator(request)


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyAdmin):
    list_display = ("name", "agency", "status", "requested_on")
    list_filter = ("status",)
    search_fields = ("name", "agency__name", "client_id")
    fields = (
        "name",
        "agency",
        "mou",
        "client_id_display",
        "responsible",
        "scopes_display",
        "addresses_display",
        "certificate_display",
        "status",
        "requested_by",
        "requested_on",
        "decisions",
    )
    readonly_fields = fields
    inlines = [ApiClientEventInline]

    def may_read(self, request: HttpRequest) -> bool:
        return _may_decide(request)

    @admin.display(description=gettext_lazy("client ID"))
    def client_id_display(self, obj: ApiClient) -> str:
        return admin_display.code(obj.client_id)

    @admin.display(description=gettext_lazy("requested at"))
    def requested_on(self, obj: ApiClient) -> str:
        return format_date(obj.requested_at, with_time=True)

    @admin.display(description=gettext_lazy("scopes"))
    def scopes_display(self, obj: ApiClient) -> str:
        return pgettext("list separator", ", ").join(scope_labels(obj.scopes))

    @admin.display(description=gettext_lazy("allowed addresses"))
    def addresses_display(self, obj: ApiClient) -> str:
        return format_html_join(
            " ", '<code dir="ltr">{}</code>', ((a,) for a in obj.allowed_addresses)
        )

    @admin.display(description=gettext_lazy("client certificate"))
    def certificate_display(self, obj: ApiClient) -> str:
        if not obj.is_certificate_bound:
            return _("Not bound: the client secret alone gets tokens.")
        return format_html(
            '<code dir="ltr">{}</code><br>{}: <code dir="ltr">{}</code><br>{}: {}',
            obj.cert_subject,
            _("SHA-256 thumbprint"),
            obj.cert_thumbprint,
            _("Valid until"),
            format_date(obj.cert_not_valid_after),
        )

    @admin.display(description=gettext_lazy("decision"))
    def decisions(self, obj: ApiClient) -> str:
        links = [
            (reverse("admin:agencies_apiclient_decide", args=[obj.pk, action]), label)
            for action, (_service, label) in self.DECISIONS.items()
            if obj.allows(action)
        ]
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', links) or format_html(
            "{}", "—"
        )

    DECISIONS: dict[str, tuple[Callable[..., ApiClient], Promise]] = {
        "approve": (services.approve_api_client, gettext_lazy("Approve the client")),
        "reject": (services.reject_api_client, gettext_lazy("Reject the client")),
        "revoke": (services.revoke_api_client, gettext_lazy("Revoke the client")),
    }

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/decide/<str:action>/",
                self.admin_site.admin_view(self.decide_view),
                name="agencies_apiclient_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if not _may_decide(request):
            raise PermissionDenied
        if action not in self.DECISIONS:
            raise Http404
        client = get_object_or_404(ApiClient, pk=pk)
        service, title = self.DECISIONS[action]
        form = ReasonsForm(posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                service(
                    client=client, actor=acting_user(request), reasons=form.cleaned_data["reasons"]
                )
            except services.TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The client's status has been changed."))
            return HttpResponseRedirect(reverse("admin:agencies_apiclient_change", args=[pk]))
        return action_page(
            request,
            title=f"{title}: {client.name}",
            form=form,
            obj=client,
            opts=self.model._meta,
            button=str(title),
        )
